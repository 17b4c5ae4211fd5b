#include <selfpage.h>
#define FLAG(n) (1u << (n))
#define HAS(x, n) (((x) & FLAG(n)) != 0)
unsigned set(unsigned x, int n) { return x | FLAG(n); }
unsigned clear(unsigned x, int n) { return x & ~FLAG(n); }
int main(void) {
    unsigned f = 0; int i, n = 0;
    for (i = 0; i < 32; i += 3) f = set(f, i);
    f = clear(f, 9);
    for (i = 0; i < 32; i++) n += HAS(f, i);
    printf("%x %d\n", f, n);
    return n;
}
