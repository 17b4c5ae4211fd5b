; A memory hog: it writes a round number into each of PAGES pages, ROUNDS times, and
; checks on every touch that the page still holds the previous round's number. It holds
; many pages, so it lives on extra frames (beyond its guarantee) while memory is free.
; When physmem asks it to return frames it either complies (its pager writes the dirty
; pages out first: nothing is lost) or, with `ignore_pressure = true`, ignores the
; request; then physmem takes the extra frames at the deadline and their contents are
; gone: the next touch finds a zero-filled page. Access pattern: cyclic, one write per page
; per round, the whole round at once, then SPIN iterations of computing.
; Exit code: the number of touches that found a page's contents lost.
PAGES   equ 40              ; pages written every round
ROUNDS  equ 12              ; rounds
SPIN    equ 20000           ; loop iterations of work after each round (the hog runs long)

section .text
_start:
    mov eax, 1              ; mmap(any, PAGES pages, rw, anonymous)
    xor ebx, ebx
    mov ecx, PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebp, eax            ; ebp = buffer
    xor ebx, ebx            ; ebx = lost pages found
    xor edi, edi            ; edi = round (the value the pages should hold)
round:
    xor ecx, ecx            ; ecx = page
page:
    mov eax, ecx
    shl eax, 12
    cmp [ebp + eax], edi    ; still the previous round's value?
    je .intact
    inc ebx                 ; no: physmem took the frame and the data with it
.intact:
    lea edx, [edi + 1]
    mov [ebp + eax], edx    ; write this round's value
    inc ecx
    cmp ecx, PAGES
    jb page
    mov esi, SPIN           ; work on the data for a while
.work:
    dec esi
    jnz .work
    inc edi
    cmp edi, ROUNDS
    jb round
    mov eax, 8              ; exit(lost pages found)
    int 0x30
