// Matrix walk by rows, in C (the twin of matrix-rows.asm). A ROWS x COLS matrix of ints
// whose rows are one page apart (an image with a 4 KiB pitch). Summing it row by row reads
// consecutive ints: each page is entered once and the task faults once per row, whatever
// its frames. matrix-cols.c walks the same data column by column.
//
// C's stack is one page the assembly twin does not have: one fault more, and the C
// scenarios guarantee one frame more.
#include <selfpage.h>

#define ROWS 16     // rows (pages)
#define COLS 256    // ints used in each row
#define PITCH 1024  // ints from one row to the next (4096 bytes)

int main(void) {
    int *matrix = mmap(0, ROWS * PITCH * sizeof(int), PROT_READ | PROT_WRITE, 0);
    int sum = 0;
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++)
            sum += matrix[r * PITCH + c];
    return sum;
}
