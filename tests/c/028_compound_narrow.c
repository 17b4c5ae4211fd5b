#include <selfpage.h>
int main(void) {
    char c = 100; unsigned char u = 200; short s = 30000; unsigned short us = 60000;
    c += 100; u *= 3; s += s; us <<= 2;
    printf("%d %d %d %d\n", c, u, s, us);
    c = -7; c /= 2; u = 7; u %= 4; s = -300; s >>= 3;
    printf("%d %d %d\n", c, u, s);
    c ^= 0x55; u |= 0x80; us -= 70000;
    printf("%d %d %d\n", c, u, us);
    return (unsigned char)(c + u);
}
