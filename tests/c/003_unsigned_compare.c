#include <selfpage.h>
int main(void) {
    unsigned u = 1; int i = -1;
    unsigned char uc = 200; int r = 0;
    if (i < u) r |= 1;          /* -1 becomes 4294967295 */
    if (i < (int)u) r |= 2;
    if (uc > -1) r |= 4;        /* uc promotes to int */
    if ((unsigned short)65535 > -1) r |= 8;
    if (0u - 1 > 0) r |= 16;
    printf("%d %u %u\n", r, u - 2, -u);
    return r;
}
