; The pager's own memory must never fault. This task registers an eviction callback:
; x86 code in the task that the pager would call to choose a victim, running on its own
; small stack. libhurd-mm pins the callback's code page and the stack page below the
; stack top the moment they are registered: pinned pages are brought in at once and no
; policy may ever choose them, because if the pager had to wait for a fault on the code
; it is running to choose a victim, nobody would be left to serve that fault.
; Then it switches to the callback policy (6) and does a cyclic scan of PAGES pages, more
; than its frames hold, so the pager must evict again and again.
; The callback declines to choose (returns 0, not a candidate): the pager falls back to
; Clock, and every eviction's reason in the trace says so.
PAGES   equ 8               ; pages in the scanned buffer
ROUNDS  equ 10              ; times the buffer is scanned

section .text
_start:
    mov eax, 1              ; mmap(any, 1 page, rw): the callback's stack
    xor ebx, ebx
    mov ecx, 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    lea ecx, [eax + 4096]   ; stack top: the end of that page
    mov eax, 9              ; register_eviction_callback(choose, stack top): pins both
    mov ebx, choose
    int 0x30
    mov eax, 4              ; set_policy(6 = callback)
    mov ebx, 6
    int 0x30
    mov eax, 1              ; mmap(any, PAGES pages, rw)
    xor ebx, ebx
    mov ecx, PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebp, eax
    mov edi, ROUNDS
round:
    xor ecx, ecx
next_page:
    mov eax, ecx
    shl eax, 12
    add dword [ebp + eax], 1
    inc ecx
    cmp ecx, PAGES
    jb next_page
    dec edi
    jnz round
    mov eax, 8              ; exit(0)
    xor ebx, ebx
    int 0x30

; choose(ebx = candidates, ecx = count) -> eax = page to evict. This one has no opinion.
choose:
    xor eax, eax
    ret
