#include <selfpage.h>
int count(char **v) { int n = 0; while (*v++) n++; return n; }
void set(int **pp, int *target) { *pp = target; }
int main(void) {
    char *words[] = {"alpha", "beta", "gamma", 0};
    char **w = words;
    int a = 5, b = 6, *p = &a, **pp = &p;
    set(pp, &b);
    **pp += 10;
    printf("%d %s %c %d %d\n", count(words), w[1], *w[2], b, *p);
    return **pp;
}
