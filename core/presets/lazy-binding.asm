; Lazy binding: mmap reserves address space, not memory.
; The task maps PAGES pages of anonymous memory, then touches only TOUCH of them,
; STRIDE pages apart. physmem binds a frame to a container page at its first map, and
; libhurd-mm only asks for one when a page faults: so the task ends up holding TOUCH
; frames for the buffer (plus one for its own code), not PAGES.
; Access pattern: pages 0, STRIDE, 2*STRIDE, ... of the buffer, one write each.
PAGES   equ 16              ; pages mapped
TOUCH   equ 3               ; pages touched
STRIDE  equ 5               ; distance between touched pages, in pages

section .text
_start:
    mov eax, 1              ; libhurd-mm: mmap(any, PAGES pages, rw, anonymous)
    xor ebx, ebx
    mov ecx, PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30                ; no frame is bound here: look at the frame map
    mov ebp, eax            ; ebp = base of the buffer
    xor ecx, ecx            ; ecx = touches done
    xor edi, edi            ; edi = byte offset of the next page to touch
touch:
    mov dword [ebp + edi], 1    ; first touch: #PF, the pager binds one frame
    add edi, STRIDE * 4096
    inc ecx
    cmp ecx, TOUCH
    jb touch
done:
    mov eax, 8              ; exit(0)
    xor ebx, ebx
    int 0x30
