#include <selfpage.h>
int nums[] = {10, 20, 30, 40};
int *second = &nums[1];
int *end = nums + 4;
char *names[] = {"zero", "one", "two"};
struct kv { const char *k; int v; } pairs[] = {{"a", 1}, {"b", 2}, {"c", 3}};
char hello[] = "hello";
char small[10] = "hi";
int count = sizeof nums / sizeof nums[0];
short shorts[3] = {-1, 2};
struct kv *pp = &pairs[2];
int main(void) {
    printf("%d %d %d %s %s\n", *second, end[-1], count, names[2], pairs[1].k);
    printf("%s %u %u %s %d %d\n", hello, sizeof hello, sizeof small, small, shorts[0], shorts[2]);
    printf("%s %d\n", pp->k, pp->v);
    return *second + count;
}
