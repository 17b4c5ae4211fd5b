#include <selfpage.h>
int main(void) {
    int i, j, n = 0, k = 10;
    for (i = 0; i < 10; i++) { if (i == 3) continue; if (i == 8) break; n += i; }
    while (k--) { if (k % 3) continue; n += k; }
    i = 0;
    do n++; while (++i < 5);
    for (i = 0; i < 4; i++) for (j = 0; j < 4; j++) { if (j > i) break; n += j; }
    for (;;) { if (++n > 60) break; }
    printf("%d %d %d\n", n, i, k);
    return n;
}
