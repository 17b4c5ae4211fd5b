#include <selfpage.h>
int main(void) {
    printf("[%5d][%-5d][%05d][%d]\n", 42, 42, 42, -42);
    printf("[%8x][%-8X][%08x][%x]\n", 48879, 48879, 48879, 0);
    printf("[%10s][%-10s][%s]\n", "right", "left", "");
    printf("[%3c][%-3c][%%][%u][%i]\n", 'a', 'b', 4294967295u, -2147483647 - 1);
    printf("[%*d][%ld][%lu]\n", 6, 7, 123456789l, 3000000000ul);
    return printf("abc\n");
}
