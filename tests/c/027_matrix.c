#include <selfpage.h>
#define N 6
int a[N][N], b[N][N], c[N][N];
void mul(int x[N][N], int y[N][N], int z[N][N]) {
    int i, j, k;
    for (i = 0; i < N; i++) for (j = 0; j < N; j++) { z[i][j] = 0; for (k = 0; k < N; k++) z[i][j] += x[i][k] * y[k][j]; }
}
int main(void) {
    int i, j, trace = 0;
    for (i = 0; i < N; i++) for (j = 0; j < N; j++) { a[i][j] = i + j; b[i][j] = i == j ? 2 : (i - j); }
    mul(a, b, c);
    for (i = 0; i < N; i++) trace += c[i][i];
    printf("%d %d %d\n", c[0][5], c[5][0], trace);
    return trace & 0xff;
}
