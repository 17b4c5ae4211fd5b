; A database buffer pool. The database keeps an index of INDEX_PAGES pages (built once,
; then read by every query) and a table of TABLE_PAGES pages. Each of QUERIES queries
; walks the index from root to leaf (one read in every index page), then scans SCAN table
; pages that follow the previous query's (one read every 256 bytes): the reference
; string per query is I0 .. I(INDEX-1), then SCAN new table pages.
; The program tells its pager what a database knows:
;   * index pages: priority 10 (hot, read by every query),
;   * table pages: read-once (a scanned page is not read again soon: evict it first),
;   * its code page: priority 20.
; LRU ignores the hints: the scan pushes the index out, and every query faults on every
; index page again (and writes the dirty index out and reads it back). The
; application-directed policy keeps the index resident; only the table pages fault.
INDEX_PAGES equ 6           ; pages of the index
TABLE_PAGES equ 64          ; pages of the table
SCAN        equ 4           ; table pages scanned per query
QUERIES     equ 40          ; queries run

section .text
_start:
    mov eax, 5              ; set_priority(code page, 20)
    mov ebx, _start
    mov ecx, 4096
    mov edx, 20
    int 0x30
    mov eax, 1              ; mmap the index
    xor ebx, ebx
    mov ecx, INDEX_PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebp, eax            ; ebp = index
    mov eax, 5              ; set_priority(index, 10)
    mov ebx, ebp
    mov ecx, INDEX_PAGES * 4096
    mov edx, 10
    int 0x30
    mov eax, 1              ; mmap the table
    xor ebx, ebx
    mov ecx, TABLE_PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebx, eax            ; ebx = table (kept to the end); advise(table, read-once)
    mov eax, 3
    mov ecx, TABLE_PAGES * 4096
    mov edx, 3
    int 0x30
    xor ecx, ecx            ; build the index: write a key in every index page
build:
    mov eax, ecx
    shl eax, 12
    mov [ebp + eax], ecx
    inc ecx
    cmp ecx, INDEX_PAGES
    jb build
    xor edx, edx            ; edx = next table page to scan
    mov edi, QUERIES
query:
    xor ecx, ecx            ; walk the index, root to leaf
probe:
    mov eax, ecx
    shl eax, 12
    cmp dword [ebp + eax], 0
    inc ecx
    cmp ecx, INDEX_PAGES
    jb probe
    mov ecx, SCAN           ; scan SCAN table pages
scan_page:
    mov esi, edx
    shl esi, 12
    add esi, ebx
    xor eax, eax
scan_row:
    cmp dword [esi + eax], 0
    add eax, 256
    cmp eax, 4096
    jb scan_row
    inc edx                 ; next table page, wrapping around
    cmp edx, TABLE_PAGES
    jb .in_table
    xor edx, edx
.in_table:
    dec ecx
    jnz scan_page
    dec edi
    jnz query
    mov eax, 8              ; exit(0)
    xor ebx, ebx
    int 0x30
