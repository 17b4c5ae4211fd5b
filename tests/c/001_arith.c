#include <selfpage.h>
int main(void) {
    int a = 7, b = -3;
    unsigned u = 40000u;
    printf("%d %d %d %d %d\n", a + b, a - b, a * b, a / b, a % b);
    printf("%u %u %d\n", u * u, u / 7u, -a / 2);
    printf("%d %d %d %d\n", a << 3, b >> 1, a & b, a | b ^ 5);
    return (a * 3 + b) & 0xff;
}
