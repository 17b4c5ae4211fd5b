#include <selfpage.h>
int sq(int x) { return x * x; }
int neg(int x) { return -x; }
int twice(int (*f)(int), int x) { return f(f(x)); }
int (*table[3])(int) = {sq, neg, 0};
int (*pick(int i))(int) { return table[i]; }
int main(void) {
    int (*fp)(int) = &sq;
    table[2] = neg;
    printf("%d %d %d\n", twice(sq, 3), twice(neg, 5), (*fp)(7));
    printf("%d %d\n", pick(1)(4), table[0](table[2](3)));
    return twice(pick(0), 2);
}
