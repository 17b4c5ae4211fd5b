#include <selfpage.h>
int steps(unsigned n) { int s = 0; while (n != 1) { n = n % 2 ? 3 * n + 1 : n / 2; s++; } return s; }
int main(void) {
    int best = 0, arg = 0; unsigned n;
    for (n = 1; n < 300; n++) { int s = steps(n); if (s > best) { best = s; arg = n; } }
    printf("%d %d\n", arg, best);
    return best;
}
