//! The built-in headers: `<stdarg.h>`, `<stddef.h>` and `<selfpage.h>` (the library gate
//! as C functions, printf and malloc), compiled from their C text like the program.

/// `<stdarg.h>`: cdecl passes every argument on the stack in 4-byte slots, so a `va_list`
/// is a pointer walking up the stack from the last named parameter.
const STDARG: &str = r#"
typedef char *va_list;
#define __va_slot(t) ((sizeof(t) + 3) & ~3)
#define va_start(ap, last) ((ap) = (char *)&(last) + __va_slot(last))
#define va_arg(ap, t) (*(t *)(((ap) += __va_slot(t)) - __va_slot(t)))
#define va_end(ap) ((void)0)
#define va_copy(d, s) ((d) = (s))
"#;

/// `<stddef.h>`.
const STDDEF: &str = r#"
#define NULL ((void *)0)
typedef unsigned int size_t;
typedef int ptrdiff_t;
#define offsetof(t, m) ((size_t)&((t *)0)->m)
"#;

/// `<selfpage.h>`.
const SELFPAGE: &str = include_str!("selfpage.h");

/// The headers by file number (1-based; 0 is the program).
const HEADERS: &[(&str, &str)] = &[
    ("stdarg.h", STDARG),
    ("stddef.h", STDDEF),
    ("selfpage.h", SELFPAGE),
];

/// The header called `name`: its file number, name and text.
pub fn find(name: &str) -> Option<(u16, &'static str, &'static str)> {
    HEADERS
        .iter()
        .position(|(n, _)| *n == name)
        .map(|i| (i as u16 + 1, HEADERS[i].0, HEADERS[i].1))
}

/// The name of header file number `file`.
pub fn name(file: u16) -> &'static str {
    HEADERS
        .get(usize::from(file).wrapping_sub(1))
        .map_or("?", |h| h.0)
}

/// The names of all built-in headers.
pub fn names() -> Vec<&'static str> {
    HEADERS.iter().map(|h| h.0).collect()
}
