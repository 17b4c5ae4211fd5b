//! Turns source lines into statements: labels, `equ`, instructions, data and directives.
//! Names are resolved here (local `.name` labels get their global label's prefix).

use std::collections::{BTreeMap, BTreeSet};

use super::candidates;
use super::error::{AsmError, AsmResult};
use super::expr::{first_reg, parse_expr, Cursor, Expr};
use super::lexer::{tokenize, Tok, Token};
use super::operands::operands;
pub(crate) use super::operands::{JumpKind, OpArg, Operand};
use super::regs::parse_register;
use super::SegmentKind;

/// A `rep`-family or `lock` prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prefix {
    Rep,
    Repe,
    Repne,
    Lock,
}

/// An instruction as written: mnemonic (lower case, aliases not yet applied), prefix, operands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Instr {
    pub mnemonic: String,
    pub col: u32,
    pub prefix: Option<(Prefix, u32)>,
    pub ops: Vec<Operand>,
    /// Column just past the end of the line.
    pub end_col: u32,
}

/// One item of `db`/`dw`/`dd`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DataItem {
    /// A quoted string, padded to the unit size.
    Bytes(Vec<u8>),
    /// A value of the unit size.
    Value(Expr, u32),
}

/// What a statement does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StmtKind {
    Label(String),
    Equ(String, Expr),
    Instr(Instr),
    Data { unit: u32, items: Vec<DataItem> },
    Reserve { unit: u32, count: Expr },
    Align(Expr),
}

/// A statement: what, where in the source, in which section, repeated how often (`times`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stmt {
    pub line: u32,
    pub col: u32,
    pub section: SegmentKind,
    pub times: Option<Expr>,
    pub kind: StmtKind,
}

/// The parsed program.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub stmts: Vec<Stmt>,
    /// `org` expression and its line and column.
    pub org: Option<(Expr, u32, u32)>,
    /// Every label and equ name, with the line that defines it.
    pub declared: BTreeMap<String, u32>,
    pub externs: BTreeSet<String>,
}

const DATA: &[(&str, u32)] = &[("db", 1), ("dw", 2), ("dd", 4)];
const RES: &[(&str, u32)] = &[("resb", 1), ("resw", 2), ("resd", 4)];
const DIRECTIVES: &[&str] = &[
    "db", "dw", "dd", "dq", "dt", "resb", "resw", "resd", "resq", "times", "equ", "align",
    "alignb", "section", "segment", "org", "bits", "use32", "use16", "global", "extern", "cpu",
    "default",
];
const PREFIXES: &[(&str, Prefix)] = &[
    ("rep", Prefix::Rep),
    ("repe", Prefix::Repe),
    ("repz", Prefix::Repe),
    ("repne", Prefix::Repne),
    ("repnz", Prefix::Repne),
    ("lock", Prefix::Lock),
];

pub(super) fn ident(t: Option<&Token>) -> Option<String> {
    match t {
        Some(Token {
            tok: Tok::Ident(s), ..
        }) => Some(s.to_ascii_lowercase()),
        _ => None,
    }
}

fn is_keyword(lower: &str) -> bool {
    DIRECTIVES.contains(&lower)
        || PREFIXES.iter().any(|(p, _)| *p == lower)
        || candidates::is_mnemonic(lower)
}

/// Parses a whole program; returns every error found (one per line at most).
pub(crate) fn parse(source: &str) -> Result<Parsed, Vec<AsmError>> {
    let mut p = Parser {
        out: Parsed::default(),
        section: SegmentKind::Text,
        scope: String::new(),
    };
    let mut errors = Vec::new();
    for (i, text) in source.lines().enumerate() {
        let line = i as u32 + 1;
        if let Err(e) = p.line(text, line) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(p.out)
    } else {
        Err(errors)
    }
}

struct Parser {
    out: Parsed,
    section: SegmentKind,
    scope: String,
}

impl Parser {
    fn push(&mut self, line: u32, col: u32, times: Option<Expr>, kind: StmtKind) {
        self.out.stmts.push(Stmt {
            line,
            col,
            section: self.section,
            times,
            kind,
        });
    }

    fn define(&mut self, raw: &str, line: u32, col: u32) -> AsmResult<String> {
        if parse_register(raw).is_some() {
            return Err(AsmError::new(
                line,
                col,
                format!("'{raw}' is a register and cannot be a label"),
            ));
        }
        let name = if raw.starts_with('.') && !raw.starts_with("..") {
            format!("{}{}", self.scope, raw)
        } else {
            self.scope = raw.to_string();
            raw.to_string()
        };
        if let Some(prev) = self.out.declared.get(&name) {
            return Err(AsmError::new(
                line,
                col,
                format!("'{raw}' is already defined on line {prev}"),
            ));
        }
        self.out.declared.insert(name.clone(), line);
        Ok(name)
    }

    /// `name equ expr`: a constant (local names get the global label's prefix).
    fn equ(&mut self, raw: &str, col: u32, expr: Expr, line: u32) -> AsmResult<()> {
        if parse_register(raw).is_some() {
            let msg = format!("'{raw}' is a register and cannot be a name");
            return Err(AsmError::new(line, col, msg));
        }
        let name = if raw.starts_with('.') {
            format!("{}{}", self.scope, raw)
        } else {
            raw.to_string()
        };
        if let Some(prev) = self.out.declared.get(&name) {
            let msg = format!("'{raw}' is already defined on line {prev}");
            return Err(AsmError::new(line, col, msg));
        }
        self.out.declared.insert(name.clone(), line);
        self.push(line, col, None, StmtKind::Equ(name, expr));
        Ok(())
    }

    /// `%define NAME value` and `%assign NAME value` act as `equ`; no other macros exist.
    fn preprocessor(&mut self, c: &mut Cursor<'_>, line: u32, col: u32) -> AsmResult<()> {
        let word = ident(c.peek()).unwrap_or_default();
        if word != "define" && word != "assign" {
            let msg = format!("'%{word}' is not supported; only %define NAME value works");
            return Err(AsmError::new(line, col, msg));
        }
        c.pos += 1;
        let Some(Token {
            tok: Tok::Ident(raw),
            col: ncol,
        }) = c.peek()
        else {
            return Err(c.err(format!("expected a name after %{word}")));
        };
        c.pos += 1;
        let expr = parse_expr(c)?;
        expect_end(c, "after the value")?;
        self.equ(raw, *ncol, expr, line)
    }

    fn line(&mut self, text: &str, line: u32) -> AsmResult<()> {
        let mut toks = tokenize(text, line)?;
        let end_col = text.chars().count() as u32 + 1;
        // `[section .data]`, `[bits 32]`: NASM's primitive directive form.
        if matches!(
            toks.first(),
            Some(Token {
                tok: Tok::Punct("["),
                ..
            })
        ) && matches!(
            toks.last(),
            Some(Token {
                tok: Tok::Punct("]"),
                ..
            })
        ) && ident(toks.get(1)).is_some_and(|w| DIRECTIVES.contains(&w.as_str()))
        {
            toks.pop();
            toks.remove(0);
        }
        let scope = self.scope.clone();
        let mut c = Cursor {
            toks: &toks,
            pos: 0,
            line,
            end_col,
            scope: &scope,
        };
        if c.at_end() {
            return Ok(());
        }
        let first_col = c.col();
        if c.eat_punct("%") {
            return self.preprocessor(&mut c, line, first_col);
        }
        // A label: `name:`, or `name db ...` / `name equ ...` without the colon.
        let mut label: Option<(String, u32)> = None;
        if let Some(Token {
            tok: Tok::Ident(name),
            col,
        }) = c.peek()
        {
            let colon = matches!(
                c.peek2(),
                Some(Token {
                    tok: Tok::Punct(":"),
                    ..
                })
            );
            let next = ident(c.peek2());
            let bare = !is_keyword(&name.to_ascii_lowercase())
                && next.as_deref().is_some_and(|n| {
                    n == "equ" || n == "times" || DATA.iter().chain(RES).any(|(d, _)| *d == n)
                });
            if colon || bare {
                label = Some((name.clone(), *col));
                c.pos += if colon { 2 } else { 1 };
            }
        }
        if let Some((raw, col)) = &label {
            if ident(c.peek()).as_deref() == Some("equ") {
                c.pos += 1;
                let expr = parse_expr(&mut c)?;
                expect_end(&c, "after the equ value")?;
                return self.equ(raw, *col, expr, line);
            }
            let name = self.define(raw, line, *col)?;
            self.push(line, *col, None, StmtKind::Label(name));
        }
        if c.at_end() {
            return Ok(());
        }
        // Re-borrow the scope: a label on this line may have opened a new one.
        let scope = self.scope.clone();
        let mut c = Cursor {
            toks: &toks,
            pos: c.pos,
            line,
            end_col,
            scope: &scope,
        };
        self.body(&mut c, line, end_col)
    }

    fn body(&mut self, c: &mut Cursor<'_>, line: u32, end_col: u32) -> AsmResult<()> {
        let col = c.col();
        let Some(word) = ident(c.peek()) else {
            return Err(c.err("expected an instruction, a directive or a label"));
        };
        c.pos += 1;
        let mut times = None;
        let (mut word, mut col) = (word, col);
        if word == "times" {
            times = Some(parse_expr(c)?);
            col = c.col();
            word = ident(c.peek())
                .ok_or_else(|| c.err("expected an instruction or data after times"))?;
            c.pos += 1;
        }
        match word.as_str() {
            "section" | "segment" => {
                let name = ident(c.peek())
                    .ok_or_else(|| c.err("expected a section name: .text, .data or .bss"))?;
                self.section = match name.as_str() {
                    ".text" | "text" | ".code" => SegmentKind::Text,
                    ".data" | "data" | ".rodata" | ".rdata" => SegmentKind::Data,
                    ".bss" | "bss" => SegmentKind::Bss,
                    _ => {
                        return Err(c.err(format!(
                            "unknown section '{name}'; use .text, .data or .bss"
                        )))
                    }
                };
                Ok(())
            }
            "org" => {
                let e = parse_expr(c)?;
                expect_end(c, "after the org address")?;
                if self.out.org.is_some() {
                    return Err(AsmError::new(line, col, "org may appear only once"));
                }
                self.out.org = Some((e, line, col));
                Ok(())
            }
            "bits" => match c.peek() {
                Some(Token {
                    tok: Tok::Num(32), ..
                }) => Ok(()),
                _ => Err(c.err("only 'bits 32' is supported")),
            },
            "use32" | "cpu" | "default" => Ok(()),
            "use16" => Err(AsmError::new(line, col, "only 32-bit code is supported")),
            "global" => Ok(()),
            "extern" => {
                while let Some(n) = match c.peek() {
                    Some(Token {
                        tok: Tok::Ident(s), ..
                    }) => Some(s.clone()),
                    _ => None,
                } {
                    self.out.externs.insert(n);
                    c.pos += 1;
                    c.eat_punct(",");
                }
                Ok(())
            }
            "align" | "alignb" => {
                let e = parse_expr(c)?;
                expect_end(c, "after the alignment")?;
                self.push(line, col, times, StmtKind::Align(e));
                Ok(())
            }
            "dq" | "dt" | "resq" | "rest" => Err(AsmError::new(
                line,
                col,
                format!("'{word}' is not supported; use db, dw, dd or resb, resw, resd"),
            )),
            "equ" => Err(AsmError::new(
                line,
                col,
                "equ needs a name before it: 'name equ value'",
            )),
            w => {
                if let Some((_, unit)) = DATA.iter().find(|(d, _)| *d == w) {
                    let items = data_items(c, &word)?;
                    self.push(line, col, times, StmtKind::Data { unit: *unit, items });
                    return Ok(());
                }
                if let Some((_, unit)) = RES.iter().find(|(d, _)| *d == w) {
                    let count = parse_expr(c)?;
                    expect_end(c, "after the count")?;
                    self.push(line, col, times, StmtKind::Reserve { unit: *unit, count });
                    return Ok(());
                }
                let mut prefix = None;
                let (mut mnemonic, mut mcol) = (word.clone(), col);
                if let Some((_, p)) = PREFIXES.iter().find(|(n, _)| *n == w) {
                    prefix = Some((*p, col));
                    mcol = c.col();
                    match ident(c.peek()) {
                        Some(m) => {
                            c.pos += 1;
                            mnemonic = m;
                        }
                        None => {
                            return Err(c.err(format!("expected an instruction after '{word}'")))
                        }
                    }
                }
                if !candidates::is_mnemonic(&mnemonic) {
                    let shown = match &c.toks[c.pos - 1].tok {
                        Tok::Ident(s) => s.clone(),
                        _ => mnemonic.clone(),
                    };
                    return Err(AsmError::new(
                        line,
                        mcol,
                        format!("unknown instruction '{shown}'"),
                    ));
                }
                let ops = operands(c)?;
                self.push(
                    line,
                    mcol,
                    times,
                    StmtKind::Instr(Instr {
                        mnemonic,
                        col: mcol,
                        prefix,
                        ops,
                        end_col,
                    }),
                );
                Ok(())
            }
        }
    }
}

pub(super) fn expect_end(c: &Cursor<'_>, what: &str) -> AsmResult<()> {
    if c.at_end() {
        Ok(())
    } else {
        Err(c.err(format!("unexpected text {what}")))
    }
}

fn data_items(c: &mut Cursor<'_>, word: &str) -> AsmResult<Vec<DataItem>> {
    let mut items = Vec::new();
    loop {
        let col = c.col();
        if c.at_end() {
            return Err(c.err(format!("{word} needs a value")));
        }
        let lone_string = matches!(
            c.peek(),
            Some(Token {
                tok: Tok::Str(_),
                ..
            })
        ) && (c.peek2().is_none()
            || matches!(
                c.peek2(),
                Some(Token {
                    tok: Tok::Punct(","),
                    ..
                })
            ));
        if lone_string {
            if let Some(Token {
                tok: Tok::Str(b), ..
            }) = c.peek()
            {
                items.push(DataItem::Bytes(b.clone()));
            }
            c.pos += 1;
        } else {
            let e = parse_expr(c)?;
            if let Some(rc) = first_reg(&e) {
                return Err(AsmError::new(c.line, rc, "a register cannot be data"));
            }
            items.push(DataItem::Value(e, col));
        }
        if c.at_end() {
            return Ok(items);
        }
        if !c.eat_punct(",") {
            return Err(c.err("expected ',' between data items"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Vec<Stmt> {
        parse(src).unwrap().stmts
    }

    fn err(src: &str) -> AsmError {
        parse(src).unwrap_err().remove(0)
    }

    #[test]
    fn labels_locals_and_equ() {
        let p = parse("main:\n.loop: dec ecx\nN equ 4\nmsg db 'x'\nother:\n.loop:").unwrap();
        let names: Vec<_> = p.declared.keys().cloned().collect();
        assert_eq!(
            names,
            vec!["N", "main", "main.loop", "msg", "other", "other.loop"]
        );
    }

    #[test]
    fn sections_and_times() {
        let s = one("section .data\ntimes 3 db 1, 2\nsection .bss\nbuf resb 16");
        assert_eq!(s[0].section, SegmentKind::Data);
        assert!(s[0].times.is_some());
        assert_eq!(s[2].section, SegmentKind::Bss);
    }

    #[test]
    fn operands_with_sizes() {
        let s = one("mov dword ptr [eax+4], 5\njmp short .x\nrep movsb");
        let StmtKind::Instr(i) = &s[0].kind else {
            panic!()
        };
        assert_eq!(i.ops[0].size, Some(4));
        assert!(matches!(i.ops[0].arg, OpArg::Mem(_)));
        let StmtKind::Instr(j) = &s[1].kind else {
            panic!()
        };
        assert_eq!(j.ops[0].jump, Some(JumpKind::Short));
        let StmtKind::Instr(k) = &s[2].kind else {
            panic!()
        };
        assert_eq!(k.prefix.map(|p| p.0), Some(Prefix::Rep));
    }

    #[test]
    fn syntax_errors_point_at_tokens() {
        let e = err("  mvo eax, 1");
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (1, 3, "unknown instruction 'mvo'")
        );
        let e = err("mov eax ebx");
        assert_eq!(
            (e.column, e.message.as_str()),
            (9, "expected ',' after the first operand")
        );
        let e = err("nop\nx: db 1\nx: db 2");
        assert_eq!(
            (e.line, e.message.as_str()),
            (3, "'x' is already defined on line 2")
        );
        let e = err("mov eax, [ebx");
        assert_eq!(e.message, "expected ']' to close the memory operand");
        let e = err("section .foo");
        assert_eq!(e.column, 9);
    }
}
