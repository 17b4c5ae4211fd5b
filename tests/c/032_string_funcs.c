#include <selfpage.h>
void reverse(char *s) { char *e = s + strlen(s) - 1; while (s < e) { char t = *s; *s++ = *e; *e-- = t; } }
unsigned hash(const char *s) { unsigned h = 5381; while (*s) h = h * 33 + (unsigned char)*s++; return h; }
int main(void) {
    char buf[32];
    strcpy(buf, "selfpage");
    reverse(buf);
    printf("%s %u %d %d\n", buf, hash("hello"), strcmp(buf, "egapfles"), strcmp("a", "b") < 0);
    memset(buf, 'x', 5); buf[5] = 0;
    memcpy(buf + 1, "AB", 2);
    printf("%s\n", buf);
    return strlen(buf);
}
