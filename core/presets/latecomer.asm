; A task that arrives late and needs its guarantee: it computes for DELAY loop iterations
; (while other tasks fill memory with extra frames), then writes PAGES pages, ROUNDS
; times, checking that each page still holds what it wrote last round.
; Access pattern: a delay, then a cyclic scan of PAGES pages.
; Exit code: the number of touches that found a page's contents wrong (0 expected).
PAGES   equ 24              ; pages it uses
ROUNDS  equ 5               ; rounds over them
DELAY   equ 20000           ; loop iterations before it starts using memory

section .text
_start:
    mov ecx, DELAY
wait:
    dec ecx
    jnz wait
    mov eax, 1              ; mmap(any, PAGES pages, rw, anonymous)
    xor ebx, ebx
    mov ecx, PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebp, eax            ; ebp = buffer
    xor ebx, ebx            ; ebx = wrong pages found
    xor edi, edi            ; edi = round
round:
    xor ecx, ecx
page:
    mov eax, ecx
    shl eax, 12
    cmp [ebp + eax], edi
    je .ok
    inc ebx
.ok:
    lea edx, [edi + 1]
    mov [ebp + eax], edx
    inc ecx
    cmp ecx, PAGES
    jb page
    inc edi
    cmp edi, ROUNDS
    jb round
    mov eax, 8              ; exit(wrong pages found)
    int 0x30
