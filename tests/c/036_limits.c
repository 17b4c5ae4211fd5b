#include <selfpage.h>
int main(void) {
    int imax = 2147483647, imin = -2147483647 - 1;
    unsigned umax = 4294967295u;
    printf("%d %d %u %u\n", imax, imin, umax, umax + 1);
    printf("%d %d %d\n", imax > imin, (unsigned)imin > (unsigned)imax, -imax - 1 == imin);
    printf("%x %o %d %d\n", 0xABCDEF, 017, 0x7fffffff == imax, 'a');
    return imax & 0xff;
}
