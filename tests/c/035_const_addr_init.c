#include <selfpage.h>
struct pair { int a, b; } pr = {3, 4};
int arr[8];
int *pb = &pr.b;
int *mid = &arr[4];
char text[] = "abcdef";
char *tail = text + 3;
int main(void) {
    *mid = 9;
    printf("%d %d %s %d\n", *pb, arr[4], tail, (int)(mid - arr));
    return *pb + *mid;
}
