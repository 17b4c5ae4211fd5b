#include <selfpage.h>
int f6(int a, int b, int c, int d, int e, int f) { return a - b + c * d - e / f; }
char mix(char a, short b, unsigned char c) { return a + b + c; }
int main(void) {
    int r = f6(f6(1, 2, 3, 4, 5, 6), 2, f6(9, 8, 7, 6, 5, 4), 2, 100, 7);
    printf("%d %d\n", r, mix(100, 100, 200));
    return r & 0xff;
}
