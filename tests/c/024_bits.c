#include <selfpage.h>
int popcount(unsigned x) { int n = 0; while (x) { x &= x - 1; n++; } return n; }
unsigned reverse(unsigned x) { unsigned r = 0; int i; for (i = 0; i < 32; i++) { r = (r << 1) | (x & 1); x >>= 1; } return r; }
unsigned rotl(unsigned x, int k) { return (x << k) | (x >> (32 - k)); }
int main(void) {
    unsigned v = 0xF0F0A5A5u;
    printf("%d %x %x %x\n", popcount(v), reverse(v), rotl(v, 8), v >> 28);
    printf("%x %x %d\n", v & ~(v - 1), ~v, (int)v >> 4);
    return popcount(0xffffu);
}
