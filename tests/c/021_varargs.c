#include <selfpage.h>
int sum(int n, ...) {
    va_list ap; int s = 0;
    va_start(ap, n);
    while (n-- > 0) s += va_arg(ap, int);
    va_end(ap);
    return s;
}
const char *pickstr(int k, ...) {
    va_list ap; const char *s = 0;
    va_start(ap, k);
    while (k-- >= 0) s = va_arg(ap, const char *);
    va_end(ap);
    return s;
}
int main(void) {
    char c = 'x';
    printf("%d %d %s\n", sum(3, 1, 2, 3), sum(5, 10, 20, 30, 40, c), pickstr(1, "a", "b", "c"));
    return sum(2, 40, 2);
}
