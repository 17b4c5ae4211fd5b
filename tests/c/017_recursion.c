#include <selfpage.h>
int ack(int m, int n) { return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1)); }
int moves;
void hanoi(int n, int from, int to, int via) { if (n == 0) return; hanoi(n - 1, from, via, to); moves++; hanoi(n - 1, via, to, from); }
int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }
int even(int n);
int odd(int n) { return n == 0 ? 0 : even(n - 1); }
int even(int n) { return n == 0 ? 1 : odd(n - 1); }
int main(void) {
    hanoi(10, 1, 3, 2);
    printf("%d %d %d %d\n", ack(2, 3), moves, gcd(1071, 462), even(17));
    return ack(2, 2);
}
