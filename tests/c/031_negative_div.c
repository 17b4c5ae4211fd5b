#include <selfpage.h>
int main(void) {
    int vals[] = {-7, 7, -8, 8, -1, 0};
    int i, j;
    for (i = 0; i < 6; i++) for (j = 1; j <= 3; j++) printf("%d/%d=%d,%d ", vals[i], -j, vals[i] / -j, vals[i] % -j);
    printf("\n%d %d %u %u\n", -2147483647 / 2, -17 >> 2, 4000000000u / 3u, 4000000000u % 7u);
    return (-100 / 7) & 0xff;
}
