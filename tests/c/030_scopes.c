#include <selfpage.h>
int x = 1;
int f(void) { return x; }
int main(void) {
    int r = x;
    int x = 2;
    r = r * 10 + x;
    {
        int x = 3;
        r = r * 10 + x;
        for (int x = 4; x < 5; x++) r = r * 10 + x;
        r = r * 10 + x;
    }
    int y = x + f();
    printf("%d %d\n", r, y);
    return y;
}
