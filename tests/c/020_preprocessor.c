#include <selfpage.h>
#define N 4
#define SQUARE(x) ((x) * (x))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define STR(x) #x
#define CAT(a, b) a##b
#define LEVEL 2
#if LEVEL > 1 && defined(N)
#define MSG "high"
#elif LEVEL == 1
#define MSG "one"
#else
#define MSG "low"
#endif
#ifndef UNSET
#define UNSET 7
#endif
#undef N
#define N 9
int CAT(var, 1) = 5;
int main(void) {
#ifdef SQUARE
    int a = SQUARE(N + 1);
#endif
    printf("%d %d %s %s %d %d\n", a, MAX(3, var1), MSG, STR(hello world), UNSET, CAT(var, 1) + N);
    return a;
}
