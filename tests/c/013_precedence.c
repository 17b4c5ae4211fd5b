#include <selfpage.h>
int main(void) {
    int a = 5, b = 3, c = 2, r;
    r = a + b * c - a / b % c;
    printf("%d\n", r);
    printf("%d %d %d\n", a << 1 + 1, a & b | c ^ a, a == b < c);
    printf("%d %d\n", -a * -b, !a + ~b);
    printf("%d %d\n", a > b ? a : b > c ? b : c, (a, b, c));
    r = a += b -= c *= 2;
    printf("%d %d %d %d\n", r, a, b, c);
    printf("%d\n", a & 1 && b | 0 || c == 4);
    return r;
}
