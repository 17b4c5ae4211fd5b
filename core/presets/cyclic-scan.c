// Cyclic scan, in C (the twin of cyclic-scan.asm): touch PAGES pages in order, again and
// again. When the loop is one page larger than the frames the task holds, LRU always
// evicts exactly the page needed next: every access faults. MRU, or hints from the
// application, keep most of the pages resident.
//
// Beside the buffer and the code, C uses a stack (main's frame, the call into it): one page
// more than the assembly twin, so the C scenarios guarantee one frame more to give the
// buffer the same room, and then fault exactly as often.
#include <selfpage.h>

#define PAGES 8     // pages in the scanned buffer
#define ROUNDS 20   // times the buffer is scanned

int main(void) {
    char *buffer = mmap(0, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE, 0);
    for (int round = 0; round < ROUNDS; round++) {
        for (int page = 0; page < PAGES; page++) {
            int *word = (int *)(buffer + page * PAGE_SIZE);
            *word += 1; // read and write one word of the page
        }
    }
    return 0;
}
