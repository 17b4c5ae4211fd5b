#include <selfpage.h>
int main(void) {
    char *s = "tab\there" " and " "more";
    char esc[] = "\x41\102\n\\\"\'";
    int i, n = 0;
    for (i = 0; s[i]; i++) if (s[i] == 'e') n++;
    printf("%s|%d|%u\n", s, n, sizeof esc);
    printf("%s", esc);
    printf("%c%c%c\n", "xyz"[1], *"abc", 'A' + 2);
    printf("%d %d\n", strcmp("abc", "abd") < 0, strlen("12345"));
    return esc[0];
}
