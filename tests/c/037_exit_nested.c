#include <selfpage.h>
void deep(int n) { if (n == 0) { printf("bye\n"); exit(42); } deep(n - 1); }
int main(void) { printf("start\n"); deep(5); printf("never\n"); return 1; }
