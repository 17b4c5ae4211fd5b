// A policy written in the workload itself, in C (the twin of own-policy.asm). The task
// registers a C function as its eviction callback and switches its pager to the callback
// policy: on every eviction the pager (libhurd-mm, in this task) calls `choose` with the
// candidate pages, and evicts the page it returns. The callback's code and stack are
// pinned, so it can never fault while the pager is waiting for it (<selfpage.h> gives it a
// stack of its own; keep `choose` small so it shares the entry's pinned code page).
//
// This one evicts the buffer page with the highest address, a guess at the page needed
// last on an ascending cyclic scan (OPT evicts the page just used; challenge 1 asks for it).
//
// C's stack is one page the assembly twin does not have: the C scenario guarantees one
// frame more for it, and `choose` leaves it alone (the stack is the highest page of all,
// and it is used all the time: the loop counters live there). The run faults twice more
// than the twin's (37 → 39): once on the stack, once on the page of C's globals
// (`buffer`, and the pointer to `choose` that <selfpage.h> keeps); the evictions are the same.
#include <selfpage.h>

#define PAGES 10
#define ROUNDS 10

char *buffer;

unsigned choose(unsigned *pages, int n) {
    unsigned best = pages[0];
    unsigned start = (unsigned)buffer, end = start + PAGES * PAGE_SIZE;
    for (int i = 0; i < n; i++)
        if (pages[i] >= start && pages[i] < end && (best < start || best >= end || pages[i] > best))
            best = pages[i];
    return best;
}

int main(void) {
    register_eviction_callback(choose);
    set_policy(POLICY_CALLBACK);
    buffer = mmap(0, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE, 0);
    for (int round = 0; round < ROUNDS; round++)
        for (int page = 0; page < PAGES; page++)
            *(int *)(buffer + page * PAGE_SIZE) += 1;
    return 0;
}
