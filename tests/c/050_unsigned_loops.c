#include <selfpage.h>
int main(void) {
    unsigned i, n = 0; unsigned char c; int loops = 0;
    for (i = 10; i < 100; i--) n += i;
    for (c = 250; c != 4; c++) loops++;
    printf("%u %d\n", n, loops);
    return loops;
}
