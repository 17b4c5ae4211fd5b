//! Splits one source line into tokens, each with its 1-based column. Comments (`;`) end a line.

use super::error::{AsmError, AsmResult};

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A name: mnemonic, register, label, directive or keyword (original spelling).
    Ident(String),
    /// A number literal, already converted.
    Num(i64),
    /// A quoted string or character constant, as bytes.
    Str(Vec<u8>),
    /// `$`: the address of the current line.
    Here,
    /// `$$`: the start of the current section.
    SectionStart,
    /// Punctuation or an operator: `, [ ] ( ) + - * / % ~ & | ^ : << >> !`.
    Punct(&'static str),
}

/// A token and the 1-based column where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub col: u32,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '_' | '.' | '?' | '@')
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '?' | '@' | '$' | '#')
}

/// The name starting at `chars[start]` and the index just past it.
fn ident_at(chars: &[char], start: usize) -> (String, usize) {
    let end = chars[start..]
        .iter()
        .position(|&c| !is_ident_char(c))
        .map_or(chars.len(), |n| start + n);
    (chars[start..end].iter().collect(), end)
}

/// Tokenizes `text` (one line, without its newline) of source line `line`.
pub(crate) fn tokenize(text: &str, line: u32) -> AsmResult<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i as u32 + 1;
        if c == ';' {
            break;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if is_ident_start(c) {
            let word;
            (word, i) = ident_at(&chars, i);
            out.push(Token {
                tok: Tok::Ident(word),
                col,
            });
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let value = parse_number(&word)
                .ok_or_else(|| AsmError::new(line, col, format!("invalid number '{word}'")))?;
            out.push(Token {
                tok: Tok::Num(value),
                col,
            });
            continue;
        }
        if c == '$' {
            if chars.get(i + 1) == Some(&'$') {
                out.push(Token {
                    tok: Tok::SectionStart,
                    col,
                });
                i += 2;
            } else if chars.get(i + 1).is_some_and(|&n| is_ident_start(n)) {
                // `$name` escapes a name that would otherwise be a keyword.
                let word;
                (word, i) = ident_at(&chars, i + 1);
                out.push(Token {
                    tok: Tok::Ident(word),
                    col,
                });
            } else {
                out.push(Token {
                    tok: Tok::Here,
                    col,
                });
                i += 1;
            }
            continue;
        }
        if matches!(c, '\'' | '"' | '`') {
            let (bytes, next) = lex_string(&chars, i, line)?;
            out.push(Token {
                tok: Tok::Str(bytes),
                col,
            });
            i = next;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let punct = match two.as_str() {
            "<<" => Some("<<"),
            ">>" => Some(">>"),
            _ => None,
        };
        if let Some(p) = punct {
            out.push(Token {
                tok: Tok::Punct(p),
                col,
            });
            i += 2;
            continue;
        }
        let p = match c {
            ',' => ",",
            '[' => "[",
            ']' => "]",
            '(' => "(",
            ')' => ")",
            '+' => "+",
            '-' => "-",
            '*' => "*",
            '/' => "/",
            '%' => "%",
            '~' => "~",
            '&' => "&",
            '|' => "|",
            '^' => "^",
            ':' => ":",
            '!' => "!",
            _ => {
                return Err(AsmError::new(
                    line,
                    col,
                    format!("unexpected character '{c}'"),
                ))
            }
        };
        out.push(Token {
            tok: Tok::Punct(p),
            col,
        });
        i += 1;
    }
    Ok(out)
}

/// Reads a quoted string starting at `chars[start]`; returns its bytes and the index after it.
/// Backquoted strings understand C escapes (`\n`, `\t`, `\0`, `\\`, `` \` ``, `\xNN`).
fn lex_string(chars: &[char], start: usize, line: u32) -> AsmResult<(Vec<u8>, usize)> {
    let quote = chars[start];
    let mut i = start + 1;
    let mut bytes = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c == quote {
            return Ok((bytes, i + 1));
        }
        if quote == '`' && c == '\\' && i + 1 < chars.len() {
            i += 1;
            let e = chars[i];
            let b = match e {
                'n' => b'\n',
                't' => b'\t',
                'r' => b'\r',
                '0' => 0,
                'x' => {
                    let hex: String = chars[i + 1..(i + 3).min(chars.len())].iter().collect();
                    let v = u8::from_str_radix(&hex, 16).map_err(|_| {
                        AsmError::new(line, i as u32, "invalid \\x escape; write two hex digits")
                    })?;
                    i += 2;
                    v
                }
                other => {
                    let mut buf = [0u8; 4];
                    bytes.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
                    i += 1;
                    continue;
                }
            };
            bytes.push(b);
            i += 1;
            continue;
        }
        let mut buf = [0u8; 4];
        bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        i += 1;
    }
    Err(AsmError::new(
        line,
        start as u32 + 1,
        format!("missing closing {quote}"),
    ))
}

/// Converts a number literal: decimal, `0x1F`/`1Fh` hex, `0b101`/`101b` binary, `17o`/`17q` octal.
pub(crate) fn parse_number(word: &str) -> Option<i64> {
    let w: String = word
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    let (digits, radix) = if let Some(rest) = w.strip_prefix("0x") {
        (rest, 16)
    } else if let Some(rest) = w.strip_suffix('h') {
        (rest, 16)
    } else if let Some(rest) = w.strip_prefix("0b").filter(|r| !r.is_empty()) {
        (rest, 2)
    } else if let Some(rest) = w.strip_suffix('b') {
        (rest, 2)
    } else if let Some(rest) = w.strip_suffix('o').or_else(|| w.strip_suffix('q')) {
        (rest, 8)
    } else if let Some(rest) = w.strip_suffix('d') {
        (rest, 10)
    } else {
        (w.as_str(), 10)
    };
    if digits.is_empty() {
        return None;
    }
    let v = u64::from_str_radix(digits, radix).ok()?;
    // Values must fit in 32 bits (signed or unsigned) plus headroom for expressions.
    i64::try_from(v).ok().filter(|&v| v <= u32::MAX as i64 * 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s, 1).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn numbers_in_every_base() {
        assert_eq!(parse_number("42"), Some(42));
        assert_eq!(parse_number("0x1F"), Some(31));
        assert_eq!(parse_number("0FFh"), Some(255));
        assert_eq!(parse_number("0b101"), Some(5));
        assert_eq!(parse_number("101b"), Some(5));
        assert_eq!(parse_number("0bh"), Some(11));
        assert_eq!(parse_number("17o"), Some(15));
        assert_eq!(parse_number("1_000"), Some(1000));
        assert_eq!(parse_number("12z"), None);
    }

    #[test]
    fn columns_and_comments() {
        let t = tokenize("  mov eax, [ebx+4] ; hi", 1).unwrap();
        assert_eq!(t[0].col, 3);
        assert_eq!(t[0].tok, Tok::Ident("mov".into()));
        assert_eq!(t[2].tok, Tok::Punct(","));
        assert_eq!(t.len(), 8);
    }

    #[test]
    fn strings_dollars_and_shifts() {
        assert_eq!(
            toks("db \"hi\", 'a', `\\n`"),
            vec![
                Tok::Ident("db".into()),
                Tok::Str(b"hi".to_vec()),
                Tok::Punct(","),
                Tok::Str(b"a".to_vec()),
                Tok::Punct(","),
                Tok::Str(b"\n".to_vec()),
            ]
        );
        assert_eq!(
            toks("$ $$ 1<<2"),
            vec![
                Tok::Here,
                Tok::SectionStart,
                Tok::Num(1),
                Tok::Punct("<<"),
                Tok::Num(2)
            ]
        );
    }

    #[test]
    fn unterminated_string_is_an_error() {
        let e = tokenize("db 'abc", 4).unwrap_err();
        assert_eq!((e.line, e.column), (4, 4));
    }
}
