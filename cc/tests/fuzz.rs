//! Fuzzing the compiler: random token soup and mutations of real programs compile to a
//! program or an error whose line lies inside the source, never a panic; pathological
//! 64 KiB sources (deep nesting, long chains, macro bombs, many declarations) end.

use proptest::prelude::*;
use selfpage_cc::{compile, MAX_SOURCE};

fn check(src: &str) {
    if let Err(e) = compile(src) {
        let lines = src.lines().count().max(1) as u32;
        assert!(
            e.line >= 1 && (e.message.starts_with("in <") || e.line <= lines + 1),
            "{e} in {src:?}"
        );
        assert!(e.column >= 1, "{e}");
        assert!(!e.message.is_empty());
    }
}

const PIECES: &[&str] = &[
    "int",
    "char",
    "unsigned",
    "short",
    "long",
    "void",
    "struct",
    "union",
    "enum",
    "typedef",
    "static",
    "extern",
    "if",
    "else",
    "while",
    "do",
    "for",
    "switch",
    "case",
    "default",
    "break",
    "continue",
    "goto",
    "return",
    "sizeof",
    "x",
    "y",
    "main",
    "f",
    "s",
    "p",
    "0",
    "1",
    "42",
    "0x10",
    "'a'",
    "\"str\"",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ",",
    ":",
    "?",
    "=",
    "+=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "&",
    "|",
    "^",
    "~",
    "!",
    "<<",
    ">>",
    "<",
    ">",
    "==",
    "!=",
    "&&",
    "||",
    "++",
    "--",
    "->",
    ".",
    "...",
    "\n",
    "#define",
    "#if",
    "#endif",
    "#include <selfpage.h>",
    "#include <stdarg.h>",
    "printf",
    "malloc",
    "va_arg",
    "\n#",
    "##",
];

const PROGRAMS: &[&str] = &[
    include_str!("../../tests/c/006_structs.c"),
    include_str!("../../tests/c/015_switch.c"),
    include_str!("../../tests/c/020_preprocessor.c"),
    include_str!("../../tests/c/021_varargs.c"),
    include_str!("../../tests/c/033_struct_arrays.c"),
    include_str!("../../tests/c/009_function_pointers.c"),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn token_soup(pieces in prop::collection::vec(prop::sample::select(PIECES), 0..80)) {
        check(&pieces.join(" "));
    }

    #[test]
    fn functions_of_token_soup(pieces in prop::collection::vec(prop::sample::select(PIECES), 0..60)) {
        check(&format!("int main(void) {{ {} }}", pieces.join(" ")));
    }

    #[test]
    fn random_text(s in "\\PC{0,200}") {
        check(&s);
    }

    #[test]
    fn mutated_programs(
        which in 0..PROGRAMS.len(),
        edits in prop::collection::vec((0usize..4, any::<prop::sample::Index>(), any::<prop::sample::Index>(), prop::sample::select(PIECES)), 1..6),
    ) {
        let mut src: Vec<char> = PROGRAMS[which].chars().collect();
        for (kind, a, b, piece) in edits {
            if src.is_empty() {
                break;
            }
            let (i, j) = (a.index(src.len()), b.index(src.len()));
            let (lo, hi) = (i.min(j), i.max(j).min(i.min(j) + 40));
            match kind {
                0 => { src.drain(lo..hi); }
                1 => { let dup: Vec<char> = src[lo..hi].to_vec(); src.splice(lo..lo, dup); }
                2 => { src.splice(lo..lo, piece.chars()); }
                _ => { src.swap(i, j); }
            }
        }
        check(&src.iter().collect::<String>());
    }
}

fn fill(unit: &str) -> String {
    unit.repeat(MAX_SOURCE / unit.len())
}

#[test]
fn pathological_sources_of_64_kib_end() {
    let cases = [
        fill("("),
        fill("{"),
        format!("int main(void) {{ {} return 0; }}", fill("{")).chars().take(MAX_SOURCE).collect(),
        format!("int main(void) {{ int a; {} }}", fill("a = a + 1; ")).chars().take(MAX_SOURCE - 10).collect::<String>() + " return a; }",
        format!("int main(void) {{ int a = 0; {}return a; }}", fill("if (a) a++; else ")).chars().take(MAX_SOURCE).collect(),
        fill("int x; "),
        format!("{}int main(void) {{ return 0; }}", fill("int f(void); ")).chars().skip(64).collect(),
        "#define A x x x x x x x x\n#define B A A A A A A A A\n#define C B B B B B B B B\n#define D C C C C C C C C\n#define E D D D D D D D D\n#define F E E E E E E E E\nF F F F F F F F".to_string(),
        "#define f(x) f(x x) x\nf(f(f(f(f(f(f(f(1))))))))".to_string(),
        format!("char *s = \"{}\";", "a".repeat(MAX_SOURCE - 20)),
        format!("int a[] = {{{}}};", fill("1,")).chars().take(MAX_SOURCE - 4).collect::<String>() + "1};",
        fill("-"),
        fill("*"),
        fill("#if 1\n"),
    ];
    for src in cases {
        check(&src[..src.len().min(MAX_SOURCE)]);
    }
    assert!(compile(&"x".repeat(MAX_SOURCE + 1)).is_err());
}
