// Matrix walk by columns, in C (the twin of matrix-cols.asm): the same ROWS x COLS matrix
// as matrix-rows.c (rows one page apart), summed column by column. Consecutive reads are a
// page apart: the reference string is 0, 1, ..., ROWS-1 repeated COLS times, a cyclic
// scan. With ROWS frames or more for the data it faults ROWS times, like the row walk; with
// fewer, LRU faults on every one of the ROWS*COLS reads.
//
// C's stack is one page the assembly twin does not have: one fault more, and the C
// scenarios guarantee one frame more.
#include <selfpage.h>

#define ROWS 16
#define COLS 256
#define PITCH 1024

int main(void) {
    int *matrix = mmap(0, ROWS * PITCH * sizeof(int), PROT_READ | PROT_WRITE, 0);
    int sum = 0;
    for (int c = 0; c < COLS; c++)
        for (int r = 0; r < ROWS; r++)
            sum += matrix[r * PITCH + c];
    return sum;
}
