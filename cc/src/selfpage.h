/* <selfpage.h>: the library gate (int 0x30) as C functions, printf, and a small malloc. */
#include <stdarg.h>
#include <stddef.h>

/* The gate itself (in the start-up code): EAX = fn, then EBX ECX EDX ESI EDI. */
int __gate(int fn, int ebx, int ecx, int edx, int esi, int edi);

/* mmap's prot bits and flags. */
#define PROT_READ 4
#define PROT_WRITE 2
#define PROT_EXEC 1
#define MAP_DISCARDABLE 1
#define MAP_SHARED 0x100
/* advise. */
#define ADVISE_NORMAL 0
#define ADVISE_WILL_NEED 1
#define ADVISE_DONT_NEED 2
#define ADVISE_READ_ONCE 3
#define ADVISE_DISCARDABLE 4
/* set_policy. */
#define POLICY_FIFO 0
#define POLICY_CLOCK 1
#define POLICY_LRU 2
#define POLICY_MRU 3
#define POLICY_RANDOM 4
#define POLICY_APP 5
#define POLICY_CALLBACK 6
/* open's modes. */
#define O_RDONLY 0
#define O_RDWR 1
#define PAGE_SIZE 4096

void *mmap(void *addr, unsigned len, int prot, int flags) { return (void *)__gate(1, (int)addr, (int)len, prot, flags, 0); }
int munmap(void *addr, unsigned len) { return __gate(2, (int)addr, (int)len, 0, 0, 0); }
int advise(void *addr, unsigned len, int advice) { return __gate(3, (int)addr, (int)len, advice, 0, 0); }
int set_policy(int policy) { return __gate(4, policy, 0, 0, 0, 0); }
int set_priority(void *addr, unsigned len, int priority) { return __gate(5, (int)addr, (int)len, priority, 0, 0); }
int print(const char *s, unsigned len) { return __gate(6, (int)s, (int)len, 0, 0, 0); }
void yield(void) { __gate(7, 0, 0, 0, 0, 0); }
void exit(int code) { __gate(8, code, 0, 0, 0, 0); }
int fork(void) { return __gate(10, 0, 0, 0, 0, 0); }
int open(const char *path, int mode) { const char *e = path; while (*e) e++; return __gate(11, (int)path, e - path, mode, 0, 0); }
int close(int fd) { return __gate(12, fd, 0, 0, 0, 0); }
void *mmap_file(void *addr, unsigned len, int prot, int fd, unsigned offset) { return (void *)__gate(13, (int)addr, (int)len, prot, fd, (int)offset); }
int msync(void *addr, unsigned len) { return __gate(14, (int)addr, (int)len, 0, 0, 0); }
int file_size(int fd) { return __gate(15, fd, 0, 0, 0, 0); }

/* The eviction callback: the pager calls the start-up code's trampoline on this stack, and
   the trampoline calls `choose(pages, n)`, which returns the page to evict. */
unsigned (*__evict_choose)(unsigned *pages, int n);
unsigned __evict_stack[256];
void __evict_entry(void);
int register_eviction_callback(unsigned (*choose)(unsigned *pages, int n)) {
    __evict_choose = choose;
    return __gate(9, (int)__evict_entry, (int)&__evict_stack[256], 0, 0, 0);
}

/* Strings and memory. */
unsigned strlen(const char *s) { const char *e = s; while (*e) e++; return e - s; }
int strcmp(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return (unsigned char)*a - (unsigned char)*b;
}
char *strcpy(char *d, const char *s) { char *r = d; while ((*d++ = *s++) != 0) ; return r; }
void *memset(void *p, int c, unsigned n) { unsigned char *q = p; while (n--) *q++ = (unsigned char)c; return p; }
void *memcpy(void *d, const void *s, unsigned n) {
    unsigned char *a = d; const unsigned char *b = s;
    while (n--) *a++ = *b++;
    return d;
}

/* printf through the print gate (%d %i %u %x %X %o %c %s %p %%, widths, - and 0 flags, *), buffered per call. */
struct __out { char buf[128]; int len; int total; };
void __flush(struct __out *o) { if (o->len) print(o->buf, o->len); o->len = 0; }
void __put(struct __out *o, int c) {
    if (o->len == 128) __flush(o);
    o->buf[o->len++] = (char)c;
    o->total++;
}
void __field(struct __out *o, const char *s, int n, int width, int left, int zero) {
    int pad = width - n;
    if (!left && zero && n > 0 && *s == '-') { __put(o, '-'); s++; n--; }
    while (!left && pad-- > 0) __put(o, zero ? '0' : ' ');
    while (n-- > 0) __put(o, *s++);
    while (left && pad-- > 0) __put(o, ' ');
}
int vprintf(const char *fmt, va_list ap) {
    struct __out o;
    char num[12];
    o.len = 0;
    o.total = 0;
    for (; *fmt; fmt++) {
        int left = 0, zero = 0, width = 0, n = 0, base = 10, neg = 0;
        unsigned v;
        const char *s;
        if (*fmt != '%') { __put(&o, *fmt); continue; }
        fmt++;
        for (;; fmt++) {
            if (*fmt == '-') left = 1;
            else if (*fmt == '0') zero = 1;
            else break;
        }
        if (*fmt == '*') { width = va_arg(ap, int); fmt++; }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'h') fmt++;
        switch (*fmt) {
        case 'd': case 'i':
            v = va_arg(ap, int);
            if ((int)v < 0) { neg = 1; v = -v; }
            break;
        case 'u': v = va_arg(ap, unsigned); break;
        case 'x': case 'X': case 'p': v = va_arg(ap, unsigned); base = 16; break;
        case 'o': v = va_arg(ap, unsigned); base = 8; break;
        case 'c': num[0] = (char)va_arg(ap, int); __field(&o, num, 1, width, left, 0); continue;
        case 's':
            s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            __field(&o, s, strlen(s), width, left, 0);
            continue;
        case 0: fmt--; continue;
        default: __put(&o, *fmt); continue;
        }
        n = 12;
        do {
            int d = v % base;
            num[--n] = (char)(d < 10 ? '0' + d : (*fmt == 'X' ? 'A' : 'a') + d - 10);
            v /= base;
        } while (v);
        if (*fmt == 'p') { num[--n] = 'x'; num[--n] = '0'; }
        if (neg) num[--n] = '-';
        __field(&o, num + n, 12 - n, width, left, zero);
    }
    __flush(&o);
    return o.total;
}
int printf(const char *fmt, ...) {
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}
int putchar(int c) { char ch = (char)c; print(&ch, 1); return c; }
int puts(const char *s) { print(s, strlen(s)); print("\n", 1); return 0; }

/* malloc and free: a first-fit free list, sorted by address, over 64 KiB mmap'd arenas. */
struct __block { unsigned size; struct __block *next; };
struct __block *__free_list;
void free(void *p) {
    struct __block *b, *prev = 0, *cur;
    if (!p) return;
    b = (struct __block *)p - 1;
    cur = __free_list;
    while (cur && cur < b) { prev = cur; cur = cur->next; }
    b->next = cur;
    if (cur && (char *)b + b->size == (char *)cur) { b->size += cur->size; b->next = cur->next; }
    if (prev) {
        prev->next = b;
        if ((char *)prev + prev->size == (char *)b) { prev->size += b->size; prev->next = b->next; }
    } else {
        __free_list = b;
    }
}
void *malloc(unsigned n) {
    struct __block *b, *prev = 0;
    unsigned need;
    if (n == 0 || n > 0x10000000) return 0;
    need = (n + sizeof(struct __block) + 7) & ~7;
    for (b = __free_list; b; prev = b, b = b->next) {
        if (b->size >= need) {
            if (b->size >= need + 16) {
                struct __block *rest = (struct __block *)((char *)b + need);
                rest->size = b->size - need;
                rest->next = b->next;
                b->size = need;
                b->next = rest;
            }
            if (prev) prev->next = b->next; else __free_list = b->next;
            return b + 1;
        }
    }
    {
        unsigned arena = need > 65536 ? (need + 4095) & ~4095 : 65536;
        b = mmap(0, arena, PROT_READ | PROT_WRITE, 0);
        if ((int)b < 0 && (int)b > -4096) return 0;
        b->size = arena;
        free(b + 1);
    }
    return malloc(n);
}
void *calloc(unsigned n, unsigned size) {
    void *p;
    if (size && n > 0xffffffffu / size) return 0;
    p = malloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}
