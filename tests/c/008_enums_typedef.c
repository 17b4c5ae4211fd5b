#include <selfpage.h>
enum color { RED, GREEN = 5, BLUE, LAST = BLUE * 2 };
typedef enum color color_t;
typedef struct node { int v; struct node *next; } node;
typedef int (*binop)(int, int);
typedef unsigned long ulong;
int add(int a, int b) { return a + b; }
int main(void) {
    color_t c = BLUE; node n1 = {1, 0}, n2 = {2, &n1}; binop f = add; ulong big = 4000000000ul;
    printf("%d %d %d %d\n", RED, GREEN, c, LAST);
    printf("%d %d %lu\n", n2.next->v, f(c, LAST), big);
    return sizeof(node) + c;
}
