#include <selfpage.h>
struct node { int value; struct node *next; };
struct node *push(struct node *head, int v) {
    struct node *n = malloc(sizeof *n);
    n->value = v; n->next = head;
    return n;
}
int main(void) {
    struct node *head = 0, *p;
    int i, sum = 0, count = 0;
    char *big;
    for (i = 1; i <= 100; i++) head = push(head, i);
    for (p = head; p; p = p->next) { sum += p->value; count++; }
    while (head) { p = head->next; free(head); head = p; }
    big = malloc(100000);
    for (i = 0; i < 100000; i++) big[i] = (char)i;
    printf("%d %d %d\n", sum, count, big[99999]);
    free(big);
    big = calloc(10, 10);
    printf("%d\n", big[57]);
    return sum % 256;
}
