#include <selfpage.h>
struct s { char c; int i; short h; };
int main(void) {
    int x = -1;
    printf("%u %u %u %u %u\n", sizeof(char), sizeof(short), sizeof(int), sizeof(long), sizeof(void *));
    printf("%u %u %u\n", sizeof(struct s), sizeof x + 1, sizeof(int[3][2]));
    printf("%u %d %d %u\n", (unsigned char)x, (short)70000, (int)(char)200, (unsigned)(short)-2);
    printf("%d %d\n", (int)(unsigned char)(x + 257), (signed char)0x80);
    return sizeof(struct s);
}
