#include <selfpage.h>
int calls;
int t(int v) { calls++; return v; }
int main(void) {
    int r = 0, *p = 0;
    if (t(0) && t(1)) r += 1;
    if (t(1) || t(1)) r += 2;
    if (p && *p) r += 100;
    if (!p || *p) r += 4;
    r += t(0) ? t(5) : t(6);
    printf("%d %d\n", r, calls);
    return r * 10 + calls;
}
