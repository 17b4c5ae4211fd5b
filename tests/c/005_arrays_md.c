#include <selfpage.h>
int grid[3][4][5];
int main(void) {
    int i, j, k, sum = 0;
    int m[3][3] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
    for (i = 0; i < 3; i++) for (j = 0; j < 4; j++) for (k = 0; k < 5; k++) grid[i][j][k] = i * 100 + j * 10 + k;
    for (i = 0; i < 3; i++) sum += m[i][i] + m[i][2 - i];
    printf("%d %d %d\n", grid[2][3][4], grid[1][0][2], sum);
    printf("%u %u %u\n", sizeof grid, sizeof grid[0], sizeof m[1]);
    printf("%d\n", *(*(m + 1) + 2));
    return sum;
}
