; Sequential scan: read a buffer of PAGES pages once, front to back, one dword every
; STRIDE bytes (a table scan, a file copy, a video frame). Every page is touched exactly
; once, in address order, so every policy takes the same PAGES compulsory faults: the
; only misses are first touches, and even Belady's OPT cannot avoid them. The TLB misses
; a few times as the scan enters a page (the faulting read, its restart, the code page
; whose A bit the pager's sampling cleared) and hits for the other reads of that page.
; Exit code: the sum of the words read (0: anonymous memory starts zeroed).
PAGES   equ 32              ; pages in the buffer
STRIDE  equ 64              ; bytes between two reads

section .text
_start:
    mov eax, 1              ; libhurd-mm: mmap(any, PAGES pages, rw, anonymous)
    xor ebx, ebx
    mov ecx, PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebp, eax            ; ebp = base of the buffer
    mov eax, 3              ; advise(buffer, read-once): evict these first after use
    mov ebx, ebp            ; (only the application-directed policy reads the hint)
    mov ecx, PAGES * 4096
    mov edx, 3
    int 0x30
    xor ebx, ebx            ; ebx = sum
    xor edi, edi            ; edi = byte offset
scan:
    add ebx, [ebp + edi]
    add edi, STRIDE
    cmp edi, PAGES * 4096
    jb scan
    mov eax, 8              ; exit(sum)
    int 0x30
