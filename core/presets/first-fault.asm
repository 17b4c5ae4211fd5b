; The life of one page fault.
; The loader paged the text in, but nobody has touched `buffer` yet: the first
; instruction reads an unmapped page. The CPU raises #PF (CR2 = the address), the
; kernel sends a fault message to this task's pager (libhurd-mm), the pager asks
; physmem for a frame in its container and maps it, and the instruction restarts.
section .text
_start:
    mov eax, [buffer]          ; #PF: read of a page that is not mapped yet
    mov dword [buffer], 42     ; the page is there now: no fault, the CPU sets D
    mov ebx, [buffer]          ; ebx = 42
    mov eax, 8                 ; libhurd-mm gate: exit(ebx)
    int 0x30

section .bss
buffer: resb 4096
