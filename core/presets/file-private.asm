; A private mapping of a file: its pages are copy-on-write copies of the file server's
; cached frames. Writing one copies just that page into the task's own container; the file
; and every other mapping of it never see the write. munmap discards it.
section .text
_start:
    mov eax, 11             ; open(path, len, 0 = read-only): a private mapping may write
    mov ebx, path
    mov ecx, PATHLEN
    xor edx, edx
    int 0x30
    mov esi, eax
    mov eax, 13             ; mmap_file(any, 4096, rw, private, fd, 0)
    xor ebx, ebx
    mov ecx, 4096
    mov edx, 6
    xor edi, edi
    int 0x30
    mov ebp, eax
    mov dword [ebp], 0x454E494D     ; "MINE": physmem copies the page for this task
    mov eax, 6              ; print(private mapping, 8): "MINEcfg "
    mov ebx, ebp
    mov ecx, 8
    int 0x30
    mov eax, 2              ; munmap: the modified copy is discarded
    mov ebx, ebp
    mov ecx, 4096
    int 0x30
    mov eax, 13             ; mmap_file(any, 4096, r, shared, fd, 0): the file itself
    xor ebx, ebx
    mov ecx, 4096
    mov edx, 0x104
    xor edi, edi
    int 0x30
    mov ebx, eax
    mov eax, 6              ; print(shared mapping, 8): "cfg cfg ", unchanged
    mov ecx, 8
    int 0x30
    mov eax, 8
    xor ebx, ebx
    int 0x30

section .data
path:   db "/etc/config"
PATHLEN equ 11
