#include <selfpage.h>
static int calls;
int counter(void) { static int n = 10; calls++; return n++; }
int other(void) { static int n; return n += 3; }
int main(void) {
    int a = counter(), b = counter(), c = other(), d = other();
    printf("%d %d %d %d %d\n", a, b, c, d, calls);
    return counter() + calls;
}
