; Matrix walk by columns: the same ROWS x COLS matrix as matrix-rows.asm (rows one page
; apart, element (r, c) at base + r*4096 + c*4), summed column by column. Consecutive
; reads are a page apart: the reference string is 0, 1, ..., ROWS-1 repeated COLS times,
; a cyclic scan. With ROWS frames or more for the data it faults ROWS times, like the row
; walk; with fewer, LRU faults on every one of the ROWS*COLS reads.
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
    xor edi, edi            ; edi = column offset (c * 4)
col:
    xor esi, esi            ; esi = row offset (r * PITCH)
row:
    lea eax, [esi + edi]
    add ebx, [ebp + eax]
    add esi, PITCH
    cmp esi, ROWS * PITCH
    jb row
    add edi, 4
    cmp edi, COLS * 4
    jb col
    mov eax, 8              ; exit(sum)
    int 0x30
