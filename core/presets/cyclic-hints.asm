; Cyclic scan with hints: the loop of cyclic-scan.asm (touch PAGES pages in order, ROUNDS
; times), but first the program tells its pager what it knows about its own access
; pattern, with per-range priorities:
;   * its code page: priority 20 (it runs all the time),
;   * the first PAGES - SPILL pages of the buffer: priority 10 (keep them),
;   * the last SPILL pages: priority 0 (let these take turns in what is left).
; LRU does not read priorities: with one frame too few, LRU always evicts the page needed
; next and every access faults. The application-directed policy evicts the lowest
; priority first, so only the SPILL low pages fault, once per round.
; Set SPILL to PAGES + 2 - frames (one frame for the code, one shared by the low pages).
PAGES   equ 16              ; pages in the scanned buffer
ROUNDS  equ 30              ; times the buffer is scanned
SPILL   equ 2               ; low-priority pages

section .text
_start:
    mov eax, 5              ; set_priority(code page, 20)
    mov ebx, _start
    mov ecx, 4096
    mov edx, 20
    int 0x30
    mov eax, 1              ; mmap(any, PAGES pages, rw, anonymous)
    xor ebx, ebx
    mov ecx, PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebp, eax            ; ebp = base of the buffer
    mov eax, 5              ; set_priority(first PAGES - SPILL pages, 10)
    mov ebx, ebp
    mov ecx, (PAGES - SPILL) * 4096
    mov edx, 10
    int 0x30
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
