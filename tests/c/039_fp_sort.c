#include <selfpage.h>
int asc(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int desc(const void *a, const void *b) { return *(const int *)b - *(const int *)a; }
void bubble(int *v, int n, int (*cmp)(const void *, const void *)) {
    int i, j;
    for (i = 0; i < n; i++) for (j = 0; j + 1 < n - i; j++) if (cmp(&v[j], &v[j + 1]) > 0) { int t = v[j]; v[j] = v[j + 1]; v[j + 1] = t; }
}
int main(void) {
    int v[8] = {5, -2, 9, 0, 3, 3, -7, 1}, i;
    bubble(v, 8, asc);
    for (i = 0; i < 8; i++) printf("%d ", v[i]);
    bubble(v, 8, desc);
    printf("| %d %d\n", v[0], v[7]);
    return v[0];
}
