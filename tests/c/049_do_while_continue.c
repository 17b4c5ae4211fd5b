#include <selfpage.h>
int main(void) {
    int i = 0, odd = 0, n = 0;
    do { i++; if (i % 2 == 0) continue; odd += i; } while (i < 15);
    while (1) { n++; if (n < 5) continue; break; }
    printf("%d %d %d\n", i, odd, n);
    return odd;
}
