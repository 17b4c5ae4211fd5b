//! Operands as written: a register, `[memory]`, or an expression, with size keywords
//! (`byte`/`word`/`dword`, optional `ptr`), `short`/`near` and `strict`.

use iced_x86::Register;

use super::error::{AsmError, AsmResult};
use super::expr::{first_reg, parse_expr, Cursor, Expr};
use super::lexer::{Tok, Token};
use super::parser::ident;

/// `short` or `near` written before a jump target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JumpKind {
    Short,
    Near,
}

/// What an operand is, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OpArg {
    Reg(Register),
    /// `[ ... ]`: the address expression, registers included.
    Mem(Expr),
    /// A number, label or expression (also a jump target).
    Imm(Expr),
}

/// One operand with its size keyword (in bytes) and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Operand {
    pub col: u32,
    pub size: Option<u32>,
    /// `strict`: keep the written size (no shorter imm8 or rel8 form).
    pub strict: bool,
    pub jump: Option<JumpKind>,
    pub arg: OpArg,
}

fn ordinal(n: usize) -> &'static str {
    match n {
        0 => "first",
        1 => "second",
        2 => "third",
        _ => "last",
    }
}

pub(super) fn operands(c: &mut Cursor<'_>) -> AsmResult<Vec<Operand>> {
    let mut ops = Vec::new();
    while !c.at_end() {
        ops.push(operand(c)?);
        if c.at_end() {
            break;
        }
        if !c.eat_punct(",") {
            return Err(c.err(format!(
                "expected ',' after the {} operand",
                ordinal(ops.len() - 1)
            )));
        }
        if c.at_end() {
            return Err(c.err("expected an operand after ','"));
        }
    }
    Ok(ops)
}

fn operand(c: &mut Cursor<'_>) -> AsmResult<Operand> {
    let col = c.col();
    let mut size = None;
    let mut jump = None;
    let mut strict = false;
    while let Some(w) = ident(c.peek()) {
        // A keyword alone (`jmp far` to a label named far) is a name, not a keyword.
        if c.peek2().is_none() || c.peek2().is_some_and(|t| t.tok == Tok::Punct(",")) {
            break;
        }
        match w.as_str() {
            "byte" | "word" | "dword" => {
                size = Some(match w.as_str() {
                    "byte" => 1,
                    "word" => 2,
                    _ => 4,
                });
                c.pos += 1;
                if ident(c.peek()).as_deref() == Some("ptr") {
                    c.pos += 1;
                }
            }
            "qword" | "tword" | "oword" | "fword" => {
                return Err(c.err(format!(
                    "'{w}' operands do not exist here; write byte, word or dword"
                )))
            }
            "short" => {
                jump = Some(JumpKind::Short);
                c.pos += 1;
            }
            "near" => {
                jump = Some(JumpKind::Near);
                c.pos += 1;
            }
            "strict" => {
                strict = true;
                c.pos += 1;
            }
            "far" => return Err(c.err("far jumps and calls are not supported")),
            _ => break,
        }
    }
    if c.eat_punct("[") {
        // NASM allows a size inside the brackets for the displacement; accept and ignore it.
        if matches!(ident(c.peek()).as_deref(), Some("byte" | "dword"))
            && !matches!(
                c.peek2(),
                Some(Token {
                    tok: Tok::Punct("]" | "+" | "-" | "*"),
                    ..
                })
            )
        {
            c.pos += 1;
        }
        let e = parse_expr(c)?;
        if c.is_punct(":") {
            return Err(c.err("segment overrides are not supported (memory is flat)"));
        }
        if !c.eat_punct("]") {
            return Err(c.err("expected ']' to close the memory operand"));
        }
        return Ok(Operand {
            col,
            size,
            strict,
            jump,
            arg: OpArg::Mem(e),
        });
    }
    if c.at_end() {
        return Err(c.err("expected an operand"));
    }
    let e = parse_expr(c)?;
    if c.is_punct(":") {
        return Err(c.err("segment overrides and far pointers are not supported"));
    }
    if let Expr::Reg { reg, .. } = e {
        return Ok(Operand {
            col,
            size,
            strict,
            jump,
            arg: OpArg::Reg(reg),
        });
    }
    if let Some(rc) = first_reg(&e) {
        return Err(AsmError::new(
            c.line,
            rc,
            "a register in an address must be inside [ ]",
        ));
    }
    Ok(Operand {
        col,
        size,
        strict,
        jump,
        arg: OpArg::Imm(e),
    })
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn ops(s: &str) -> AsmResult<Vec<Operand>> {
        let toks = tokenize(s, 1)?;
        let mut c = Cursor {
            toks: &toks,
            pos: 0,
            line: 1,
            end_col: s.len() as u32 + 1,
            scope: "main",
        };
        operands(&mut c)
    }

    #[test]
    fn kinds_and_keywords() {
        let o = ops("eax, byte ptr [ebx+4], strict dword 5").unwrap();
        assert_eq!(o[0].arg, OpArg::Reg(Register::EAX));
        assert!(matches!(o[1].arg, OpArg::Mem(_)) && o[1].size == Some(1));
        assert!(o[2].strict && o[2].size == Some(4));
        assert_eq!((o[0].col, o[1].col, o[2].col), (1, 6, 24));
        let j = ops("short .x").unwrap();
        assert_eq!(j[0].jump, Some(JumpKind::Short));
        assert!(matches!(&j[0].arg, OpArg::Imm(Expr::Sym { name, .. }) if name == "main.x"));
    }

    #[test]
    fn keyword_alone_is_a_name() {
        let o = ops("far").unwrap();
        assert!(matches!(&o[0].arg, OpArg::Imm(Expr::Sym { name, .. }) if name == "far"));
    }

    #[test]
    fn errors() {
        assert_eq!(
            ops("eax ebx").unwrap_err().message,
            "expected ',' after the first operand"
        );
        assert_eq!(ops("qword [eax]").unwrap_err().column, 1);
        assert!(ops("[fs:eax]").unwrap_err().message.contains("segment"));
    }
}
