#include <selfpage.h>
#define LIMIT 2000
char composite[LIMIT + 1];
int main(void) {
    int i, j, count = 0, last = 0;
    for (i = 2; i * i <= LIMIT; i++) if (!composite[i]) for (j = i * i; j <= LIMIT; j += i) composite[j] = 1;
    for (i = 2; i <= LIMIT; i++) if (!composite[i]) { count++; last = i; }
    printf("%d primes, last %d\n", count, last);
    return count & 0xff;
}
