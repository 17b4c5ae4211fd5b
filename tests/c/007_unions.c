#include <selfpage.h>
union word { unsigned u; unsigned char b[4]; unsigned short h[2]; };
struct tagged { int kind; union { int i; char c; } v; };
int main(void) {
    union word w; struct tagged t = {1, {65}};
    w.u = 0x11223344;
    printf("%x %x %x %u\n", w.b[0], w.b[3], w.h[1], sizeof w);
    w.b[1] = 0xff;
    printf("%x %d %u\n", w.u, t.v.i, sizeof t);
    t.v.c = 'z';
    return t.v.c;
}
