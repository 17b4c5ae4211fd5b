#include <selfpage.h>
int main(void) {
    char c = 127; unsigned char uc = 250; short s = 32767; unsigned short us = 65535;
    signed char sc = -128;
    c++; uc += 10; s++; us++; sc--;
    printf("%d %d %d %d %d\n", c, uc, s, us, sc);
    printf("%d %d\n", (char)300, (unsigned char)-1);
    printf("%d %u\n", c + uc, (unsigned)(sc * 2));
    return uc;
}
