#include <selfpage.h>
int main(void) {
    int a[10]; int *p = a, *q = &a[7]; int i;
    char buf[8]; char *cp = buf;
    for (i = 0; i < 10; i++) a[i] = i * i;
    printf("%d %d %d %d\n", *p, *(p + 3), q - p, p[9]);
    p += 2; q--;
    printf("%d %d %d\n", *p, *q, q - p);
    *cp++ = 'h'; *cp++ = 'i'; *cp = 0;
    printf("%s %d\n", buf, cp - buf);
    printf("%d %d\n", p < q, &a[3] == a + 3);
    return *--q + *p++;
}
