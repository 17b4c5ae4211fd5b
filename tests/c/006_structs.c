#include <selfpage.h>
struct point { int x, y; };
struct rect { struct point a, b; char name[8]; };
struct rect make(int w, int h) { struct rect r = {{0, 0}, {w, h}, "box"}; return r; }
int area(struct rect r) { return (r.b.x - r.a.x) * (r.b.y - r.a.y); }
int main(void) {
    struct rect r = make(3, 4), s;
    struct point *p = &r.b;
    s = r;
    s.a.x = 1;
    p->y += 10;
    printf("%d %d %s %d\n", area(r), area(s), s.name, r.b.y);
    printf("%u %u\n", sizeof(struct point), sizeof r);
    return make(5, 6).b.y;
}
