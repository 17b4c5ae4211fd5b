; Matrix walk by rows. A ROWS x COLS matrix of dwords whose rows are one page apart (an
; image with a 4 KiB pitch): element (r, c) is at base + r*4096 + c*4. This program sums
; it row by row, so consecutive reads are 4 bytes apart: each page is entered once, the
; TLB misses only around the row's first read and the task faults once per row (ROWS
; faults), whatever its frames. matrix-cols.asm walks the same data column by column.
ROWS    equ 16              ; rows (pages)
COLS    equ 256             ; dwords used in each row
PITCH   equ 4096            ; bytes from one row to the next

section .text
_start:
    mov eax, 1              ; libhurd-mm: mmap(any, ROWS rows, rw, anonymous)
    xor ebx, ebx
    mov ecx, ROWS * PITCH
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebp, eax            ; ebp = the matrix
    xor ebx, ebx            ; ebx = sum
    xor esi, esi            ; esi = row offset (r * PITCH)
row:
    xor edi, edi            ; edi = column offset (c * 4)
col:
    lea eax, [esi + edi]
    add ebx, [ebp + eax]
    add edi, 4
    cmp edi, COLS * 4
    jb col
    add esi, PITCH
    cmp esi, ROWS * PITCH
    jb row
    mov eax, 8              ; exit(sum)
    int 0x30
