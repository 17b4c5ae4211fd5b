; Random access: ACCESSES reads-and-writes of one dword each, at pages chosen uniformly
; by a linear congruential generator (x = x * 1103515245 + 12345 mod 2^32, the page is
; (x >> 16) mod PAGES, the dword inside it comes from bits 4..11). A hash table, a
; pointer-chasing heap. There is no locality for a policy to exploit: with F frames for
; PAGES pages, about (1 - F/PAGES) of the accesses fault whatever the live policy does;
; only OPT, which knows the future, does clearly better.
PAGES    equ 16             ; pages in the buffer
ACCESSES equ 2000           ; accesses made
SEED     equ 12345          ; first value of the generator

section .text
_start:
    mov eax, 1              ; libhurd-mm: mmap(any, PAGES pages, rw, anonymous)
    xor ebx, ebx
    mov ecx, PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebp, eax            ; ebp = base of the buffer
    mov esi, SEED           ; esi = generator state
    mov edi, ACCESSES       ; edi = accesses left
    mov ecx, PAGES
next:
    imul esi, esi, 1103515245
    add esi, 12345
    mov eax, esi
    shr eax, 16
    xor edx, edx
    div ecx                 ; edx = page number
    shl edx, 12
    mov ebx, esi
    shr ebx, 2
    and ebx, 0xFFC          ; dword inside the page
    add edx, ebx
    add dword [ebp + edx], 1
    dec edi
    jnz next
    mov eax, 8              ; exit(0)
    xor ebx, ebx
    int 0x30
