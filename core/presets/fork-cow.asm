; Copy-on-write between containers. fork() makes a new task whose container shares every
; resident page of the parent copy-on-write: physmem takes write access away on both
; sides, and the first task to write a page gets a private copy of exactly that page.
section .text
_start:
    mov dword [value], 1    ; the parent's page holds 1
    mov eax, 10             ; libhurd-mm gate: fork()
    int 0x30
    test eax, eax
    jz child                ; 0 in the child, the child's task id in the parent
parent:
    mov ecx, 20             ; let the child run first
wait:
    push ecx
    mov eax, 7              ; yield()
    int 0x30
    pop ecx
    loop wait
    mov ebx, [value]        ; still 1: the child's write went to its own copy
    mov eax, 8              ; exit(ebx)
    int 0x30
child:
    mov ebx, [value]        ; a read maps the shared frame read-only: nothing is copied
    mov dword [value], 2    ; the write faults; physmem copies this one page
    mov ebx, [value]
    mov eax, 8              ; exit(2)
    int 0x30

section .data
value:  dd 0
table:  times 8192 db 7     ; two more pages, shared and never written: never copied
