//! Property tests: whatever a student types, the assembler returns a program or an error
//! whose line and column lie inside the source; it never panics.

use proptest::prelude::*;
use x86_emu::asm::{assemble, assemble_all_errors};
use x86_emu::disasm::disassemble;

fn check(src: &str) {
    let lines: Vec<&str> = src.lines().collect();
    let errors = match assemble_all_errors(src) {
        Ok(p) => {
            // What assembled disassembles without trouble, too.
            for s in &p.segments {
                let _ = disassemble(&s.bytes, s.addr, 64);
            }
            return;
        }
        Err(errors) => errors,
    };
    assert!(!errors.is_empty());
    for e in errors {
        assert!(
            e.line >= 1 && (e.line as usize) <= lines.len().max(1),
            "{e} in {src:?}"
        );
        let width = lines
            .get(e.line as usize - 1)
            .map_or(0, |l| l.chars().count());
        assert!(
            e.column >= 1 && e.column as usize <= width + 1,
            "{e} in {src:?}"
        );
        assert!(!e.message.is_empty());
    }
    assert!(assemble(src).is_err());
}

const PIECES: &[&str] = &[
    "mov",
    "add",
    "jmp",
    "jz",
    "loop",
    "push",
    "pop",
    "imul",
    "shl",
    "lea",
    "xchg",
    "movsb",
    "rep",
    "lock",
    "ret",
    "int",
    "enter",
    "test",
    "movzx",
    "setne",
    "cmovg",
    "eax",
    "ebx",
    "esp",
    "ebp",
    "al",
    "ah",
    "ax",
    "cl",
    "[",
    "]",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<<",
    ">>",
    "(",
    ")",
    ",",
    ":",
    "~",
    "|",
    "&",
    "^",
    "$",
    "$$",
    "byte",
    "word",
    "dword",
    "ptr",
    "short",
    "near",
    "far",
    "0",
    "1",
    "4",
    "8",
    "127",
    "128",
    "255",
    "256",
    "-1",
    "0x7fffffff",
    "0xffffffff",
    "0FFh",
    "101b",
    "'a'",
    "\"str\"",
    "`x\\n`",
    "db",
    "dw",
    "dd",
    "resb",
    "times",
    "align",
    "equ",
    "section",
    ".text",
    ".data",
    ".bss",
    "org",
    "bits",
    "32",
    "global",
    "extern",
    "x",
    "y",
    ".l",
    "_start",
    "x:",
    "y:",
    ".l:",
    "\n",
    "\n",
    "\n",
    ";",
    "?",
    "#",
    "@",
    "!",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(src in "[ -~\t\n]{0,120}") {
        check(&src);
    }

    #[test]
    fn random_unicode_never_panics(src in "\\PC{0,60}") {
        check(&src);
    }

    #[test]
    fn token_soup_never_panics(src in soup()) {
        check(&src);
    }

    #[test]
    fn valid_lines_in_random_order_assemble(lines in prop::collection::vec(prop::sample::select(&[
        "mov eax, x", "add eax, [x+4]", "jmp x", "jz y", "x: dd 1, 2", "y: nop", "times 3 db 0",
        "loop y", "call x", "align 8", "push dword [y]", "mov ecx, 'ab'", "lea esi, [eax*4+x]",
    ][..]), 0..20)) {
        // Labels may repeat; that is an error with a line and column, never a panic.
        check(&lines.join("\n"));
    }
}
