#include <selfpage.h>
int is_digit(int c) { return c >= '0' && c <= '9'; }
int atoi_(const char *s) { int sign = 1, n = 0; if (*s == '-') { sign = -1; s++; } while (is_digit(*s)) n = n * 10 + (*s++ - '0'); return sign * n; }
void itoa_(int v, char *out) { char tmp[12]; int i = 0, neg = v < 0; unsigned u = neg ? -(unsigned)v : v; do tmp[i++] = '0' + u % 10; while (u /= 10); if (neg) *out++ = '-'; while (i) *out++ = tmp[--i]; *out = 0; }
int main(void) {
    char buf[16];
    int v = atoi_("-12345") + atoi_("678");
    itoa_(v, buf);
    printf("%d %s\n", v, buf);
    itoa_(-2147483647 - 1, buf);
    printf("%s\n", buf);
    return strlen(buf);
}
