//! Syntax highlighting of the assembly source: each line split into classed tokens that
//! cover it exactly, so the highlighted layer lines up with the textarea over it.

/// What a token is; its CSS class is `tok-` and the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// Spaces, commas, brackets, operators.
    Plain,
    /// The instruction (the first word of a line that is not a label or directive).
    Mnemonic,
    /// A register name.
    Register,
    /// A number literal (or `$`).
    Number,
    /// A label definition or reference, or a constant's name.
    Label,
    /// An assembler directive (section, equ, db, resb, ...).
    Directive,
    /// A size or distance keyword (byte, dword, ptr, short, ...).
    Keyword,
    /// A quoted string or character.
    Str,
    /// A comment, from `;` to the end of the line.
    Comment,
}

impl Tok {
    /// The CSS class of this kind of token.
    pub fn class(self) -> &'static str {
        match self {
            Tok::Plain => "tok-plain",
            Tok::Mnemonic => "tok-mnemonic",
            Tok::Register => "tok-register",
            Tok::Number => "tok-number",
            Tok::Label => "tok-label",
            Tok::Directive => "tok-directive",
            Tok::Keyword => "tok-keyword",
            Tok::Str => "tok-string",
            Tok::Comment => "tok-comment",
        }
    }
}

const REGISTERS: &[&str] = &[
    "eax", "ebx", "ecx", "edx", "esi", "edi", "esp", "ebp", "ax", "bx", "cx", "dx", "si", "di",
    "sp", "bp", "al", "ah", "bl", "bh", "cl", "ch", "dl", "dh", "cs", "ds", "es", "fs", "gs", "ss",
    "cr0", "cr2", "cr3", "cr4", "eip", "eflags",
];
const DIRECTIVES: &[&str] = &[
    "section", "segment", "global", "extern", "equ", "db", "dw", "dd", "dq", "resb", "resw",
    "resd", "resq", "times", "align", "bits", "org", "use32", "incbin",
];
const KEYWORDS: &[&str] = &[
    "byte", "word", "dword", "qword", "ptr", "short", "near", "far",
];
const PREFIXES: &[&str] = &["rep", "repe", "repz", "repne", "repnz", "lock"];

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '_' | '.' | '@' | '?' | '%')
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '?' | '$' | '#' | '%')
}

/// Splits one line into tokens whose texts, joined, are exactly the line.
pub fn line(text: &str) -> Vec<(Tok, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(Tok, String)> = Vec::new();
    let mut push = |tok: Tok, s: String| match out.last_mut() {
        Some((t, prev)) if *t == tok && tok == Tok::Plain => prev.push_str(&s),
        _ => out.push((tok, s)),
    };
    let mut i = 0;
    let mut words = 0; // identifiers seen on this line
    let mut expect_mnemonic = true;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let take = |i: &mut usize, f: &dyn Fn(char) -> bool| {
            while *i < chars.len() && f(chars[*i]) {
                *i += 1;
            }
        };
        if c == ';' {
            push(Tok::Comment, chars[i..].iter().collect());
            break;
        }
        if matches!(c, '\'' | '"' | '`') {
            i += 1;
            take(&mut i, &|x| x != c);
            i = (i + 1).min(chars.len());
            push(Tok::Str, chars[start..i].iter().collect());
            continue;
        }
        if c.is_ascii_digit() || (c == '$' && !chars.get(i + 1).is_some_and(|&n| is_ident(n))) {
            i += 1;
            take(&mut i, &|x| x.is_ascii_alphanumeric() || x == '_');
            push(Tok::Number, chars[start..i].iter().collect());
            continue;
        }
        if is_ident_start(c) || c == '$' {
            i += 1;
            take(&mut i, &is_ident);
            let word: String = chars[start..i].iter().collect();
            let lower = word.to_ascii_lowercase();
            let rest = chars[i..].iter().collect::<String>();
            let rest = rest.trim_start();
            let next_word = rest
                .split(|x: char| !is_ident(x))
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            words += 1;
            let tok = if REGISTERS.contains(&lower.as_str()) {
                Tok::Register
            } else if DIRECTIVES.contains(&lower.as_str()) || lower.starts_with('%') {
                expect_mnemonic = false;
                Tok::Directive
            } else if KEYWORDS.contains(&lower.as_str()) {
                Tok::Keyword
            } else if words == 1
                && (rest.starts_with(':') || DIRECTIVES.contains(&next_word.as_str()))
            {
                // `label:`, or `NAME equ 8` / `buffer resb 4096`.
                Tok::Label
            } else if expect_mnemonic {
                expect_mnemonic = PREFIXES.contains(&lower.as_str());
                Tok::Mnemonic
            } else {
                Tok::Label
            };
            push(tok, word);
            continue;
        }
        i += 1;
        push(Tok::Plain, c.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Tok, String)> {
        line(text)
            .into_iter()
            .filter(|(t, _)| *t != Tok::Plain)
            .collect()
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn tokens_cover_the_line_exactly() {
        for text in [
            "    mov eax, [buffer + 4*ecx]   ; a comment; with ;",
            "_start:",
            "PAGES   equ 8",
            "msg db 'hi; there', 0",
            "  ünïcode ✓ 'unterminated",
            "",
        ] {
            let joined: String = line(text).into_iter().map(|(_, s)| s).collect();
            assert_eq!(joined, text);
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn classes_follow_the_grammar() {
        use Tok::*;
        let t = kinds("next: add dword [ebp + eax], 0x1 ; go");
        let want = [
            (Label, "next"),
            (Mnemonic, "add"),
            (Keyword, "dword"),
            (Register, "ebp"),
            (Register, "eax"),
            (Number, "0x1"),
            (Comment, "; go"),
        ];
        assert_eq!(
            t,
            want.iter()
                .map(|(k, s)| (*k, s.to_string()))
                .collect::<Vec<_>>()
        );
        assert_eq!(kinds("PAGES equ 8")[0], (Label, "PAGES".into()));
        assert_eq!(kinds("section .text")[0], (Directive, "section".into()));
        assert_eq!(kinds("    jb next_page")[1], (Label, "next_page".into()));
        assert_eq!(kinds("rep movsb")[1], (Mnemonic, "movsb".into()));
    }
}
