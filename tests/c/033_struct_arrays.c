#include <selfpage.h>
struct item { char name[6]; int qty; int price[2]; };
struct item stock[] = {{"nut", 10, {1, 2}}, {"bolt", 5, {3}}, "gear", 2, 7, 8};
struct inner { short a; char b; };
struct outer { int n; struct inner in[2]; };
int main(void) {
    int i, total = 0;
    struct outer o = {1, {{2, 3}, {4, 5}}};
    struct outer o2 = {9, 8, 7, 6};
    for (i = 0; i < 3; i++) total += stock[i].qty * (stock[i].price[0] + stock[i].price[1]);
    printf("%s %s %d %u\n", stock[1].name, stock[2].name, total, sizeof stock);
    printf("%d %d %d %d\n", o.in[1].a, o.in[0].b, o2.in[0].b, o2.in[1].a);
    return total;
}
