; A task writes a file through a shared mapping. mmap_file maps the file server's cached
; frames themselves: the first write faults (the page came write-locked), the pager asks
; the file server to unlock it, and from then on every task that maps the file sees the
; bytes at once. msync asks the file server to write the dirty page to the ramdisk.
section .text
_start:
    mov eax, 11             ; open(path, len, 1 = read-write) -> fd
    mov ebx, path
    mov ecx, PATHLEN
    mov edx, 1
    int 0x30
    mov esi, eax            ; fd
    mov eax, 13             ; mmap_file(any, len, rw + shared, fd, offset 0)
    xor ebx, ebx
    mov ecx, 8192
    mov edx, 0x106
    xor edi, edi
    int 0x30
    mov edi, eax            ; the mapping
    mov dword [edi], 0x4C4C4548        ; "HELL"
    mov byte [edi + 4], 0x4F           ; "O"
    mov dword [edi + 4096], 0x21444E32 ; "2ND!" on the second page
    mov eax, 14             ; msync(mapping, 8192): the dirty pages go to the disk
    mov ebx, edi
    mov ecx, 8192
    int 0x30
    mov ebx, eax            ; exit(0)
    mov eax, 8
    int 0x30

section .data
path:   db "/data/table"
PATHLEN equ 11
