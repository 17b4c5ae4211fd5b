#include <selfpage.h>
struct p { int a; char b; };
int main(void) {
    int arr[5] = {1, 2, 3, 4, 5}, *p = arr, x;
    struct p ps[3] = {{1, 'a'}, {2, 'b'}, {3, 'c'}}, *q = ps;
    x = *p++;
    x += *++p;
    x += ++*p;
    x += (*p)++;
    q++;
    printf("%d %d %d %c %d\n", x, *p, arr[2], q->b, (++q)->a);
    p--;
    return x + *p + (q - ps);
}
