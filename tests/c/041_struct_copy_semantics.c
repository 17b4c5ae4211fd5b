#include <selfpage.h>
struct big { int v[20]; char tag; };
struct big modify(struct big b) { b.v[19] = 99; b.tag = 'm'; return b; }
int main(void) {
    struct big a, c; int i;
    for (i = 0; i < 20; i++) a.v[i] = i;
    a.tag = 'a';
    c = modify(a);
    printf("%d %c %d %c\n", a.v[19], a.tag, c.v[19], c.tag);
    c = a;
    c.v[0] = 50;
    printf("%d %d\n", a.v[0], c.v[0]);
    return modify(c).v[19] + c.v[0];
}
