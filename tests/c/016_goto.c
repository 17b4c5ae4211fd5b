#include <selfpage.h>
int find(int *a, int n, int key) {
    int i;
    for (i = 0; i < n; i++) if (a[i] == key) goto found;
    return -1;
found:
    return i;
}
int main(void) {
    int a[] = {4, 8, 15, 16, 23, 42}, i = 0, total = 0;
again:
    total += a[i];
    if (++i < 6) goto again;
    printf("%d %d %d\n", total, find(a, 6, 23), find(a, 6, 5));
    return total;
}
