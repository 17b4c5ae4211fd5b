#include <selfpage.h>
int main(void) {
    int a = 1, b = 2, i, j, sum = 0;
    for (i = 0, j = 10; i < j; i++, j--) sum += i * j;
    (a > b ? a : b) == 2 ? sum++ : sum--;
    *(a < b ? &a : &b) = 40;
    printf("%d %d %d\n", sum, a, b);
    return sum & 0xff;
}
