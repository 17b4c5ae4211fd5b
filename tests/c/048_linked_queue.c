#include <selfpage.h>
typedef struct q { int buf[16]; int head, tail; } queue;
void put(queue *q, int v) { q->buf[q->tail++ & 15] = v; }
int get(queue *q) { return q->buf[q->head++ & 15]; }
int empty(const queue *q) { return q->head == q->tail; }
int main(void) {
    queue q = {{0}, 0, 0}; int sum = 0, i;
    for (i = 0; i < 40; i++) { put(&q, i); if (i % 3 == 0) sum += get(&q); }
    while (!empty(&q)) sum += get(&q) * 2;
    printf("%d %d %d\n", sum, q.head, q.tail);
    return sum & 0xff;
}
