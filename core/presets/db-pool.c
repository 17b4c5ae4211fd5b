// A database buffer pool, in C (the twin of db-pool.asm). The database keeps an index of
// INDEX_PAGES pages (built once, then read by every query) and a table of TABLE_PAGES
// pages. Each of QUERIES queries walks the index from root to leaf (one read in every
// index page), then scans SCAN table pages that follow the previous query's (one read
// every 256 bytes). The program tells its pager what a database knows:
//   * index pages: priority 10 (hot, read by every query),
//   * table pages: read-once (a scanned page is not read again soon: evict it first),
//   * its code page: priority 20.
// LRU ignores the hints: the scan pushes the index out, and every query faults on every
// index page again. The application-directed policy keeps the index resident; only the
// table pages fault.
//
// C's stack is one page the assembly twin does not have: the C scenarios guarantee one
// frame more for it, and give it priority 20 like the code.
#include <selfpage.h>

#define INDEX_PAGES 6   // pages of the index
#define TABLE_PAGES 64  // pages of the table
#define SCAN 4          // table pages scanned per query
#define QUERIES 40      // queries run

int main(void) {
    int here;
    set_priority((void *)main, PAGE_SIZE, 20);
    set_priority(&here, 4, 20);
    char *index = mmap(0, INDEX_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE, 0);
    set_priority(index, INDEX_PAGES * PAGE_SIZE, 10);
    char *table = mmap(0, TABLE_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE, 0);
    advise(table, TABLE_PAGES * PAGE_SIZE, ADVISE_READ_ONCE);
    for (int i = 0; i < INDEX_PAGES; i++)       // build the index: a key in every page
        *(int *)(index + i * PAGE_SIZE) = i;
    int next = 0;                               // next table page to scan
    int found = 0;
    for (int q = 0; q < QUERIES; q++) {
        for (int i = 0; i < INDEX_PAGES; i++)   // walk the index, root to leaf
            found += *(int *)(index + i * PAGE_SIZE) != 0;
        for (int s = 0; s < SCAN; s++) {        // scan SCAN table pages
            char *page = table + next * PAGE_SIZE;
            for (int row = 0; row < PAGE_SIZE; row += 256)
                found += *(int *)(page + row) != 0;
            next = (next + 1) % TABLE_PAGES;    // next table page, wrapping around
        }
    }
    return found > 0 ? 0 : 1;
}
