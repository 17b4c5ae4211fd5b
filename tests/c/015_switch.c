#include <selfpage.h>
int classify(int x) {
    int r = 0;
    switch (x) {
    case 1: r += 1;
    case 2: r += 10; break;
    default: r += 1000;
    case 3: r += 100;
    case 4: { r += 7; break; }
    case -5: r = -5; break;
    }
    return r;
}
int main(void) {
    int i, sum = 0;
    for (i = -6; i <= 6; i++) { int c = classify(i); printf("%d:%d ", i, c); sum += c; }
    switch (sum & 3) { case 0: switch (sum & 4) { case 4: sum++; break; } break; case 1: sum--; }
    printf("\n%d\n", sum);
    return sum & 0xff;
}
