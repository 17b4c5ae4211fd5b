; A scan of a file larger than the file server's cache: every page is a cache miss that the
; ramdisk fills, and the cache evicts the page least recently asked for. The scan writes a
; mark into each page, so every eviction writes a dirty page back first: nothing is lost.
PAGES   equ 32              ; pages in the file (128 KiB), four times the cache
section .text
_start:
    mov eax, 11             ; open(path, len, 1 = read-write)
    mov ebx, path
    mov ecx, PATHLEN
    mov edx, 1
    int 0x30
    mov esi, eax
    mov eax, 13             ; mmap_file(any, PAGES pages, rw + shared, fd, 0)
    xor ebx, ebx
    mov ecx, PAGES * 4096
    mov edx, 0x106
    xor edi, edi
    int 0x30
    mov edi, eax
    mov ecx, PAGES
    xor edx, edx            ; sum of the first byte of every page
scan:
    movzx eax, byte [edi]
    add edx, eax
    mov byte [edi + 1], 0x2A            ; '*': this page was scanned
    add edi, 4096
    loop scan
    mov ebx, edx
    and ebx, 0xFF
    mov eax, 8              ; exit(sum of first bytes, mod 256)
    int 0x30

section .data
path:   db "/data/big"
PATHLEN equ 9
