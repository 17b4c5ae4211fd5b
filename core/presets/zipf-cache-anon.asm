; The Zipf-like cache of zipf-cache.asm with an ordinary anonymous mapping (MAP_FLAGS 0):
; the pager cannot know the entries can be recomputed, so it writes every dirty entry it
; evicts to swap and reads it back on the next lookup. Same lookups, same keys.
; Exit code: the number of recomputations (only first computations here).
CACHE_PAGES equ 32          ; entries (pages) in the cache
LOOKUPS     equ 600         ; lookups made
COMPUTE     equ 300         ; loop iterations to compute one entry
SEED        equ 7           ; first value of the generator
MAP_FLAGS   equ 0           ; 1 = discardable, 0 = anonymous

section .text
_start:
    mov eax, 1              ; mmap(any, CACHE_PAGES pages, rw, MAP_FLAGS)
    xor ebx, ebx
    mov ecx, CACHE_PAGES * 4096
    mov edx, 6
    mov esi, MAP_FLAGS
    int 0x30
    mov ebp, eax            ; ebp = cache
    mov esi, SEED           ; esi = generator state
    mov edi, LOOKUPS        ; edi = lookups left
    xor ebx, ebx            ; ebx = recomputations
lookup:
    imul esi, esi, 1103515245   ; r2: how far down the popularity list to look
    add esi, 12345
    mov eax, esi
    shr eax, 16
    xor edx, edx
    mov ecx, CACHE_PAGES
    div ecx
    lea ecx, [edx + 1]      ; ecx = m
    imul esi, esi, 1103515245   ; r1
    add esi, 12345
    mov eax, esi
    shr eax, 16
    xor edx, edx
    div ecx                 ; edx = key
    shl edx, 12
    cmp dword [ebp + edx], 0    ; look the entry up
    jne hit
    inc ebx                 ; missing (never computed, or discarded): compute it
    mov ecx, COMPUTE
compute:
    dec ecx
    jnz compute
    mov dword [ebp + edx], 1    ; store the result
hit:
    dec edi
    jnz lookup
    mov eax, 8              ; exit(recomputations)
    int 0x30
