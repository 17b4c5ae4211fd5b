#include <selfpage.h>
void swap(int *a, int *b) { int t = *a; *a = *b; *b = t; }
void qs(int *a, int lo, int hi) {
    int i, p, j;
    if (lo >= hi) return;
    p = a[hi]; i = lo;
    for (j = lo; j < hi; j++) if (a[j] < p) swap(&a[i++], &a[j]);
    swap(&a[i], &a[hi]);
    qs(a, lo, i - 1); qs(a, i + 1, hi);
}
int main(void) {
    int a[50], i; unsigned seed = 12345;
    for (i = 0; i < 50; i++) { seed = seed * 1103515245u + 12345u; a[i] = (int)(seed >> 16) % 1000; }
    qs(a, 0, 49);
    for (i = 0; i < 50; i += 7) printf("%d ", a[i]);
    printf("\n");
    for (i = 1; i < 50; i++) if (a[i - 1] > a[i]) return 1;
    return a[0] % 100;
}
