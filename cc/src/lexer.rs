//! The lexer: C source text to tokens (identifiers, numbers, characters, strings and
//! punctuators), each with its position and whether it starts a line (for `#` directives).

use crate::error::{CResult, CompileError, Pos};

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokKind {
    /// A name or keyword.
    Ident(String),
    /// An integer constant: value and whether its type is unsigned.
    Num(u32, bool),
    /// A character constant such as `'a'` (type int).
    Char(i32),
    /// A string literal's bytes, without the terminating zero.
    Str(Vec<u8>),
    /// An operator or punctuator.
    Punct(&'static str),
}

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokKind,
    /// Where it starts.
    pub pos: Pos,
    /// First token on its line.
    pub bol: bool,
    /// Preceded by white space (tells `#define f(x)` from `#define f (x)`).
    pub space: bool,
}

impl Token {
    /// True if this is the punctuator `p`.
    pub fn is(&self, p: &str) -> bool {
        matches!(&self.kind, TokKind::Punct(q) if *q == p)
    }

    /// The identifier's name, if it is one.
    pub fn ident(&self) -> Option<&str> {
        match &self.kind {
            TokKind::Ident(s) => Some(s),
            _ => None,
        }
    }

    /// The token as it would be written, for messages.
    pub fn text(&self) -> String {
        match &self.kind {
            TokKind::Ident(s) => s.clone(),
            TokKind::Num(n, u) => format!("{n}{}", if *u { "u" } else { "" }),
            TokKind::Char(c) => format!("'{}'", char::from_u32(*c as u32).unwrap_or('?')),
            TokKind::Str(s) => format!("\"{}\"", String::from_utf8_lossy(s)),
            TokKind::Punct(p) => (*p).to_string(),
        }
    }
}

/// Punctuators, longest first so the first match is the longest.
const PUNCTS: &[&str] = &[
    "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=",
    "-=", "*=", "/=", "%=", "&=", "|=", "^=", "##", "[", "]", "(", ")", "{", "}", ".", "&", "*",
    "+", "-", "~", "!", "/", "%", "<", ">", "^", "|", "?", ":", ";", "=", ",", "#",
];

struct Lexer<'a> {
    src: &'a [u8],
    i: usize,
    line: u32,
    line_start: usize,
    file: u16,
}

/// Splits `src` (file number `file`) into tokens.
///
/// # Errors
/// An unterminated comment, string or character constant, a malformed number or a stray
/// character, with its position.
pub fn tokenize(src: &str, file: u16) -> CResult<Vec<Token>> {
    let mut lx = Lexer {
        src: src.as_bytes(),
        i: 0,
        line: 1,
        line_start: 0,
        file,
    };
    let mut out = Vec::new();
    let mut bol = true;
    let mut space = false;
    while lx.i < lx.src.len() {
        let c = lx.src[lx.i];
        if c == b'\n' {
            lx.newline();
            bol = true;
            space = false;
            continue;
        }
        if c == b'\\' && lx.peek(1) == Some(b'\n') {
            lx.i += 1;
            lx.newline();
            space = true;
            continue;
        }
        if c.is_ascii_whitespace() {
            lx.i += 1;
            space = true;
            continue;
        }
        if c == b'/' && lx.peek(1) == Some(b'/') {
            while lx.i < lx.src.len() && lx.src[lx.i] != b'\n' {
                lx.i += 1;
            }
            space = true;
            continue;
        }
        if c == b'/' && lx.peek(1) == Some(b'*') {
            let pos = lx.pos();
            lx.i += 2;
            loop {
                match lx.src.get(lx.i) {
                    None => {
                        return Err(CompileError::at(
                            pos,
                            "comment is never closed (missing */)",
                        ))
                    }
                    Some(b'*') if lx.peek(1) == Some(b'/') => {
                        lx.i += 2;
                        break;
                    }
                    Some(b'\n') => lx.newline(),
                    Some(_) => lx.i += 1,
                }
            }
            space = true;
            continue;
        }
        let pos = lx.pos();
        let kind = lx.token(c, pos)?;
        out.push(Token {
            kind,
            pos,
            bol,
            space,
        });
        bol = false;
        space = false;
    }
    Ok(out)
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> Option<u8> {
        self.src.get(self.i + k).copied()
    }

    /// The bytes from the cursor on while `keep` holds, consumed.
    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> String {
        let start = self.i;
        while self.peek(0).is_some_and(&keep) {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.src[start..self.i]).into_owned()
    }

    fn newline(&mut self) {
        self.i += 1;
        self.line += 1;
        self.line_start = self.i;
    }

    fn pos(&self) -> Pos {
        Pos {
            file: self.file,
            line: self.line,
            col: (self.i - self.line_start + 1) as u32,
        }
    }

    fn token(&mut self, c: u8, pos: Pos) -> CResult<TokKind> {
        if c.is_ascii_alphabetic() || c == b'_' {
            let s = self.take_while(|c| c.is_ascii_alphanumeric() || c == b'_');
            return Ok(TokKind::Ident(s));
        }
        if c.is_ascii_digit() {
            return self.number(pos);
        }
        if c == b'\'' {
            self.i += 1;
            let mut value: i32 = 0;
            let mut n = 0;
            loop {
                match self.peek(0) {
                    None | Some(b'\n') => {
                        return Err(CompileError::at(pos, "character constant is never closed"))
                    }
                    Some(b'\'') => break,
                    Some(_) => {
                        let b = self.escape(pos)?;
                        value = b as i8 as i32;
                        n += 1;
                    }
                }
            }
            self.i += 1;
            if n != 1 {
                return Err(CompileError::at(
                    pos,
                    "a character constant holds exactly one character",
                ));
            }
            return Ok(TokKind::Char(value));
        }
        if c == b'"' {
            self.i += 1;
            let mut bytes = Vec::new();
            loop {
                match self.peek(0) {
                    None | Some(b'\n') => {
                        return Err(CompileError::at(pos, "string is never closed (missing \")"))
                    }
                    Some(b'"') => break,
                    Some(_) => bytes.push(self.escape(pos)?),
                }
            }
            self.i += 1;
            return Ok(TokKind::Str(bytes));
        }
        for p in PUNCTS {
            if self.src[self.i..].starts_with(p.as_bytes()) {
                self.i += p.len();
                return Ok(TokKind::Punct(p));
            }
        }
        let ch = String::from_utf8_lossy(&self.src[self.i..(self.i + 1).min(self.src.len())])
            .into_owned();
        Err(CompileError::at(
            pos,
            format!("unexpected character '{ch}'"),
        ))
    }

    /// One character of a string or character constant, with escapes.
    fn escape(&mut self, pos: Pos) -> CResult<u8> {
        let c = self.src[self.i];
        self.i += 1;
        if c != b'\\' {
            return Ok(c);
        }
        let Some(e) = self.peek(0) else {
            return Err(CompileError::at(pos, "string is never closed"));
        };
        self.i += 1;
        Ok(match e {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'v' => 11,
            b'e' => 27,
            b'x' => {
                let mut v: u32 = 0;
                let mut digits = 0;
                while let Some(d) = self.peek(0).and_then(|d| (d as char).to_digit(16)) {
                    v = (v << 4 | d) & 0xff;
                    self.i += 1;
                    digits += 1;
                }
                if digits == 0 {
                    return Err(CompileError::at(pos, "\\x needs hexadecimal digits"));
                }
                v as u8
            }
            b'0'..=b'7' => {
                let mut v: u32 = u32::from(e - b'0');
                for _ in 0..2 {
                    match self.peek(0) {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.i += 1;
                        }
                        _ => break,
                    }
                }
                v as u8
            }
            other => other,
        })
    }

    fn number(&mut self, pos: Pos) -> CResult<TokKind> {
        let text = self
            .take_while(|c| c.is_ascii_alphanumeric() || c == b'.')
            .to_ascii_lowercase();
        let bad = || CompileError::at(pos, format!("'{text}' is not a valid integer constant"));
        let digits = text.trim_end_matches(['u', 'l']);
        let suffix = &text[digits.len()..];
        if suffix.matches('u').count() > 1 || suffix.matches('l').count() > 2 {
            return Err(bad());
        }
        let (radix, body) = if let Some(h) = digits.strip_prefix("0x") {
            (16, h)
        } else if digits.len() > 1 && digits.starts_with('0') {
            (8, &digits[1..])
        } else {
            (10, digits)
        };
        if body.is_empty() {
            return Err(bad());
        }
        let v = u64::from_str_radix(body, radix).map_err(|_| bad())?;
        if v > u64::from(u32::MAX) {
            return Err(CompileError::at(
                pos,
                format!("integer constant '{text}' does not fit in 32 bits"),
            ));
        }
        // C89: a decimal constant past `long` is `unsigned long`, as are hex and octal ones.
        let unsigned = suffix.contains('u') || v > i32::MAX as u64;
        Ok(TokKind::Num(v as u32, unsigned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<TokKind> {
        tokenize(s, 0)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn numbers_chars_strings_and_operators() {
        assert_eq!(
            kinds("x+=0x1F; 'a' \"h\\n\" 010 7u >>="),
            vec![
                TokKind::Ident("x".into()),
                TokKind::Punct("+="),
                TokKind::Num(31, false),
                TokKind::Punct(";"),
                TokKind::Char(97),
                TokKind::Str(b"h\n".to_vec()),
                TokKind::Num(8, false),
                TokKind::Num(7, true),
                TokKind::Punct(">>="),
            ]
        );
    }

    #[test]
    fn comments_and_positions() {
        let t = tokenize("a // c\n  /* x\n */ b", 0).unwrap();
        assert_eq!((t[1].pos.line, t[1].pos.col, t[1].bol), (3, 5, true));
    }

    #[test]
    fn errors_have_positions() {
        let e = tokenize("int x = 1;\n  char *s = \"abc;\n", 0).unwrap_err();
        assert_eq!((e.line, e.column), (2, 13));
        assert!(tokenize("0x", 0).is_err());
        assert!(tokenize("99999999999", 0).is_err());
    }
}
