#include <selfpage.h>
#include <stddef.h>
struct hdr { int len; char data[12]; };
int main(void) {
    struct hdr h = {3, "xyz"};
    void *v = &h;
    char *base = v;
    int *len = (int *)v;
    printf("%d %s %u %u\n", *len, base + offsetof(struct hdr, data), offsetof(struct hdr, data), sizeof(size_t));
    v = NULL;
    return v == NULL ? *len : 0;
}
