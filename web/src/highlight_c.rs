//! Syntax highlighting of C source, line by line, into the same classed tokens as the
//! assembly's (keywords, types, numbers, strings, comments, preprocessor lines, called
//! names). A `/* */` comment is coloured on the lines where it opens and closes.

use crate::highlight::Tok;

const KEYWORDS: &[&str] = &[
    "if", "else", "while", "do", "for", "switch", "case", "default", "break", "continue", "goto",
    "return", "sizeof", "typedef", "static", "extern", "const", "volatile", "register", "auto",
    "inline",
];
const TYPES: &[&str] = &[
    "void", "char", "short", "int", "long", "signed", "unsigned", "struct", "union", "enum",
];

/// Splits one line of C into tokens whose texts, joined, are exactly the line.
pub fn line(text: &str) -> Vec<(Tok, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(Tok, String)> = Vec::new();
    let mut push = |tok: Tok, s: String| match out.last_mut() {
        Some((t, prev)) if *t == tok => prev.push_str(&s),
        _ => out.push((tok, s)),
    };
    if text.trim_start().starts_with('#') {
        push(Tok::Directive, text.to_string());
        return out;
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let rest: String = chars[i..].iter().take(2).collect();
        if rest == "//" || rest == "/*" {
            let end = if rest == "/*" {
                text_find(&chars, i + 2, "*/").map_or(chars.len(), |e| e + 2)
            } else {
                chars.len()
            };
            push(Tok::Comment, chars[i..end].iter().collect());
            i = end;
            continue;
        }
        if c == '"' || c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
            push(Tok::Str, chars[start..i].iter().collect());
            continue;
        }
        if c.is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            push(Tok::Number, chars[start..i].iter().collect());
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let called = chars[i..].iter().find(|c| !c.is_whitespace()) == Some(&'(');
            let tok = if KEYWORDS.contains(&word.as_str()) {
                Tok::Keyword
            } else if TYPES.contains(&word.as_str()) {
                Tok::Register
            } else if called {
                Tok::Label
            } else {
                Tok::Plain
            };
            push(tok, word);
            continue;
        }
        i += 1;
        let tok = if rest.starts_with("*/") {
            Tok::Comment
        } else {
            Tok::Plain
        };
        push(tok, c.to_string());
    }
    out
}

/// Where `pat` next starts in `chars` at or after `from`.
fn text_find(chars: &[char], from: usize, pat: &str) -> Option<usize> {
    let pat: Vec<char> = pat.chars().collect();
    (from..chars.len()).find(|&k| chars[k..].starts_with(&pat))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_cover_the_line_and_are_classed() {
        let src = "    for (int i = 0; i < n; i++) f(\"a;b\", 'c'); // done";
        let toks = line(src);
        assert_eq!(
            toks.iter().map(|(_, s)| s.as_str()).collect::<String>(),
            src
        );
        let kind = |w: &str| toks.iter().find(|(_, s)| s == w).map(|(t, _)| *t);
        assert_eq!(kind("for"), Some(Tok::Keyword));
        assert_eq!(kind("int"), Some(Tok::Register));
        assert_eq!(kind("f"), Some(Tok::Label));
        assert_eq!(kind("\"a;b\""), Some(Tok::Str));
        assert_eq!(kind("// done"), Some(Tok::Comment));
        assert_eq!(line("#include <selfpage.h>")[0].0, Tok::Directive);
    }
}
