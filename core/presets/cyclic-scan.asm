; Cyclic scan: touch PAGES pages in order, again and again (a database's table scan, a
; video frame buffer, a garbage collector's heap walk). When the loop is one page larger
; than the frames the task holds, LRU always evicts exactly the page needed next: every
; access faults. MRU, or hints from the application, keep most of the pages resident.
PAGES   equ 8               ; pages in the scanned buffer
ROUNDS  equ 20              ; times the buffer is scanned

section .text
_start:
    mov eax, 1              ; libhurd-mm: mmap(any, PAGES pages, rw, anonymous)
    xor ebx, ebx
    mov ecx, PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebp, eax            ; ebp = base of the buffer
    mov edi, ROUNDS
round:
    xor ecx, ecx
next_page:
    mov eax, ecx
    shl eax, 12
    add dword [ebp + eax], 1    ; read and write one word of the page
    inc ecx
    cmp ecx, PAGES
    jb next_page
    dec edi
    jnz round
    mov eax, 8              ; exit(0)
    xor ebx, ebx
    int 0x30
