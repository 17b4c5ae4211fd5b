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

const MNEMONICS: &[&str] = &[
    "mov", "movzx", "movsx", "lea", "xchg", "cmpxchg", "xadd", "add", "adc", "sub", "sbb", "and",
    "or", "xor", "cmp", "test", "inc", "dec", "neg", "not", "shl", "sal", "shr", "sar", "rol",
    "ror", "rcl", "rcr", "shld", "shrd", "mul", "imul", "div", "idiv", "push", "pop", "bt", "bts",
    "btr", "btc", "bsf", "bsr", "bswap", "sete", "setnz", "cmovl", "cmovnbe", "int", "ret",
    "enter",
];
const OPERANDS: &[&str] = &[
    "eax",
    "ebx",
    "ecx",
    "esp",
    "ebp",
    "esi",
    "ax",
    "bx",
    "cx",
    "si",
    "al",
    "bl",
    "cl",
    "ah",
    "dh",
    "1",
    "3",
    "-1",
    "127",
    "128",
    "-129",
    "255",
    "1000",
    "0x12345678",
    "-100000",
    "[eax]",
    "[ebx+4]",
    "[esp]",
    "[ebp-8]",
    "[esi+edi*2+0x100]",
    "[ecx*4+0x1000]",
    "[0x2000]",
    "byte [eax]",
    "word [ebx+ecx]",
    "dword [esp+8]",
    "dword ptr [edx]",
    "byte 5",
    "word 5",
    "dword 5",
];

fn instruction() -> impl Strategy<Value = String> {
    // The first operand is a register or memory most of the time, as in real code.
    let first =
        prop::sample::select(&OPERANDS[..15]).prop_union(prop::sample::select(&OPERANDS[25..36]));
    (
        prop::sample::select(MNEMONICS),
        first,
        prop::collection::vec(prop::sample::select(OPERANDS), 0..3),
    )
        .prop_map(|(m, first, rest)| {
            let mut ops = vec![first];
            ops.extend(rest);
            format!("{m} {}", ops.join(", "))
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Whatever random instruction assembles also disassembles to text that assembles to
    /// the same bytes (or, for xchg's two register orders, to the same instruction).
    #[test]
    fn random_instructions_round_trip(src in instruction()) {
        check(&src);
        if let Ok(p) = assemble(&src) {
            let bytes = &p.segments[0].bytes;
            let lines = disassemble(bytes, p.segments[0].addr, 4);
            prop_assert_eq!(lines.len(), 1, "{} -> {:?}", src, lines);
            let again = assemble(&lines[0].text);
            prop_assert!(again.is_ok(), "{} -> {} -> {:?}", src, lines[0].text, again);
            let again = again.map(|a| a.segments[0].bytes.clone()).unwrap_or_default();
            if &again != bytes {
                let back = disassemble(&again, p.segments[0].addr, 4);
                prop_assert!(src.starts_with("xchg") || src.starts_with("test"), "{} -> {} -> {:02x?} vs {:02x?}", src, lines[0].text, again, bytes);
                prop_assert_eq!(back.len(), 1);
            }
        }
    }
}
