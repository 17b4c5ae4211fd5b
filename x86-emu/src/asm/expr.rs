//! Numeric expressions: parsing (NASM precedence) and evaluation against a symbol table.
//!
//! Values are `i64`; an expression whose symbols are not known yet (a forward reference in an
//! early pass) evaluates to `None`, and the caller picks a placeholder.

use iced_x86::Register;

use super::error::{AsmError, AsmResult};
use super::lexer::{Tok, Token};
use super::regs;

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Or,
    Xor,
    And,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// An expression tree; `col` fields point at the token for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    Num(i64),
    /// A symbol, by its full name (local labels already qualified), and what the user wrote.
    Sym {
        name: String,
        shown: String,
        col: u32,
    },
    /// A register; only meaningful inside a memory operand.
    Reg {
        reg: Register,
        col: u32,
    },
    Here,
    SectionStart,
    Neg(Box<Expr>),
    Not(Box<Expr>),
    LogicalNot(Box<Expr>),
    Bin {
        op: BinOp,
        l: Box<Expr>,
        r: Box<Expr>,
        col: u32,
    },
}

/// Where expression parsing reads from: tokens of one line and a cursor.
pub(crate) struct Cursor<'a> {
    pub toks: &'a [Token],
    pub pos: usize,
    pub line: u32,
    /// Column just past the end of the line, for "expected ... at end of line" errors.
    pub end_col: u32,
    /// The global label that `.local` names belong to.
    pub scope: &'a str,
}

impl<'a> Cursor<'a> {
    /// The current token, if any.
    pub fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    /// The token after the current one.
    pub fn peek2(&self) -> Option<&'a Token> {
        self.toks.get(self.pos + 1)
    }

    /// Column of the current token (or the end of the line).
    pub fn col(&self) -> u32 {
        self.peek().map_or(self.end_col, |t| t.col)
    }

    /// True if the current token is the punctuation `p`.
    pub fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Punct(q), .. }) if *q == p)
    }

    /// Consumes the punctuation `p` if it is next.
    pub fn eat_punct(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// An error at the current token.
    pub fn err(&self, msg: impl Into<String>) -> AsmError {
        AsmError::new(self.line, self.col(), msg)
    }

    /// True when all tokens are consumed.
    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Qualifies a local label name (`.loop`) with the current global label.
    pub fn qualify(&self, name: &str) -> String {
        if name.starts_with('.') && !name.starts_with("..") {
            format!("{}{}", self.scope, name)
        } else {
            name.to_string()
        }
    }
}

/// Parses a full expression at the cursor.
pub(crate) fn parse_expr(c: &mut Cursor<'_>) -> AsmResult<Expr> {
    parse_binary(c, 0)
}

const LEVELS: &[&[(&str, BinOp)]] = &[
    &[("|", BinOp::Or)],
    &[("^", BinOp::Xor)],
    &[("&", BinOp::And)],
    &[("<<", BinOp::Shl), (">>", BinOp::Shr)],
    &[("+", BinOp::Add), ("-", BinOp::Sub)],
    &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Rem)],
];

fn parse_binary(c: &mut Cursor<'_>, level: usize) -> AsmResult<Expr> {
    if level >= LEVELS.len() {
        return parse_unary(c);
    }
    let mut left = parse_binary(c, level + 1)?;
    'outer: loop {
        for (p, op) in LEVELS[level] {
            if c.is_punct(p) {
                let col = c.col();
                c.pos += 1;
                let right = parse_binary(c, level + 1)?;
                left = Expr::Bin {
                    op: *op,
                    l: Box::new(left),
                    r: Box::new(right),
                    col,
                };
                continue 'outer;
            }
        }
        return Ok(left);
    }
}

fn parse_unary(c: &mut Cursor<'_>) -> AsmResult<Expr> {
    if c.eat_punct("-") {
        return Ok(Expr::Neg(Box::new(parse_unary(c)?)));
    }
    if c.eat_punct("+") {
        return parse_unary(c);
    }
    if c.eat_punct("~") {
        return Ok(Expr::Not(Box::new(parse_unary(c)?)));
    }
    if c.eat_punct("!") {
        return Ok(Expr::LogicalNot(Box::new(parse_unary(c)?)));
    }
    parse_primary(c)
}

fn parse_primary(c: &mut Cursor<'_>) -> AsmResult<Expr> {
    let Some(t) = c.peek() else {
        return Err(c.err("expected a number, a label or a register"));
    };
    let e = match &t.tok {
        Tok::Num(v) => Expr::Num(*v),
        Tok::Here => Expr::Here,
        Tok::SectionStart => Expr::SectionStart,
        Tok::Str(bytes) => {
            if bytes.len() > 4 {
                return Err(c.err("a character constant holds at most 4 characters"));
            }
            // NASM order: the first character is the lowest byte.
            let v = bytes
                .iter()
                .rev()
                .fold(0i64, |acc, &b| (acc << 8) | b as i64);
            Expr::Num(v)
        }
        Tok::Ident(name) => {
            if let Some(reg) = regs::parse_register(name) {
                Expr::Reg { reg, col: t.col }
            } else {
                Expr::Sym {
                    name: c.qualify(name),
                    shown: name.clone(),
                    col: t.col,
                }
            }
        }
        Tok::Punct("(") => {
            c.pos += 1;
            let inner = parse_expr(c)?;
            if !c.eat_punct(")") {
                return Err(c.err("expected ')'"));
            }
            return Ok(inner);
        }
        Tok::Punct(p) => {
            return Err(c.err(format!(
                "expected a number, a label or a register, found '{p}'"
            )))
        }
    };
    c.pos += 1;
    Ok(e)
}

/// What evaluation needs to know: symbols and the current addresses.
pub(crate) trait Env {
    /// The value of a symbol: `Ok(None)` if it exists but is not known yet.
    ///
    /// # Errors
    /// The symbol is never defined, or is extern.
    fn lookup(&self, name: &str, shown: &str, col: u32) -> AsmResult<Option<i64>>;
    /// The address of the current line (`$`).
    fn here(&self) -> i64;
    /// The start of the current section (`$$`).
    fn section_start(&self) -> i64;
    /// The source line, for errors.
    fn line(&self) -> u32;
}

/// Evaluates `e` to a number; `None` when it depends on a symbol not known yet.
pub(crate) fn eval(e: &Expr, env: &dyn Env) -> AsmResult<Option<i64>> {
    Ok(match e {
        Expr::Num(v) => Some(*v),
        Expr::Sym { name, shown, col } => env.lookup(name, shown, *col)?,
        Expr::Reg { col, .. } => {
            return Err(AsmError::new(
                env.line(),
                *col,
                "a register can only be used alone or inside [ ] here",
            ))
        }
        Expr::Here => Some(env.here()),
        Expr::SectionStart => Some(env.section_start()),
        Expr::Neg(x) => eval(x, env)?.map(|v| v.wrapping_neg()),
        Expr::Not(x) => eval(x, env)?.map(|v| !v),
        Expr::LogicalNot(x) => eval(x, env)?.map(|v| (v == 0) as i64),
        Expr::Bin { op, l, r, col } => {
            let (Some(a), Some(b)) = (eval(l, env)?, eval(r, env)?) else {
                return Ok(None);
            };
            Some(
                apply(*op, a, b)
                    .ok_or_else(|| AsmError::new(env.line(), *col, "division by zero"))?,
            )
        }
    })
}

fn apply(op: BinOp, a: i64, b: i64) -> Option<i64> {
    Some(match op {
        BinOp::Or => a | b,
        BinOp::Xor => a ^ b,
        BinOp::And => a & b,
        BinOp::Shl => a.wrapping_shl((b & 63) as u32),
        BinOp::Shr => ((a as u64) >> (b & 63)) as i64,
        BinOp::Add => a.wrapping_add(b),
        BinOp::Sub => a.wrapping_sub(b),
        BinOp::Mul => a.wrapping_mul(b),
        BinOp::Div => {
            if b == 0 {
                return None;
            }
            a.wrapping_div(b)
        }
        BinOp::Rem => {
            if b == 0 {
                return None;
            }
            a.wrapping_rem(b)
        }
    })
}

/// A linear form `sum(coef * reg) + constant`, the shape of a memory operand's address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Linear {
    /// Registers with their multipliers, in the order written.
    pub regs: Vec<(Register, i64, u32)>,
    /// The constant part; `None` if not known yet.
    pub constant: Option<i64>,
}

/// Evaluates a memory operand's inside into a [`Linear`] form.
pub(crate) fn eval_linear(e: &Expr, env: &dyn Env) -> AsmResult<Linear> {
    let bad = |col: u32| {
        AsmError::new(
            env.line(),
            col,
            "invalid memory operand: write [base + index*scale + displacement]",
        )
    };
    Ok(match e {
        Expr::Reg { reg, col } => Linear {
            regs: vec![(*reg, 1, *col)],
            constant: Some(0),
        },
        Expr::Neg(x) => {
            let l = eval_linear(x, env)?;
            if let Some((_, _, col)) = l.regs.first() {
                return Err(bad(*col));
            }
            Linear {
                regs: vec![],
                constant: l.constant.map(|v| v.wrapping_neg()),
            }
        }
        Expr::Bin { op, l, r, col } if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul) => {
            let a = eval_linear(l, env)?;
            let b = eval_linear(r, env)?;
            match op {
                BinOp::Add | BinOp::Sub => {
                    let sign = if *op == BinOp::Sub { -1 } else { 1 };
                    if sign < 0 && !b.regs.is_empty() {
                        return Err(bad(b.regs[0].2));
                    }
                    let mut regs = a.regs;
                    regs.extend(b.regs);
                    let constant = match (a.constant, b.constant) {
                        (Some(x), Some(y)) => Some(x.wrapping_add(y.wrapping_mul(sign))),
                        _ => None,
                    };
                    Linear { regs, constant }
                }
                _ => {
                    // One side must be a plain number: reg*4 or 4*reg.
                    let (lin, k) = match (a.regs.is_empty(), b.regs.is_empty()) {
                        (true, true) => {
                            let constant = match (a.constant, b.constant) {
                                (Some(x), Some(y)) => Some(x.wrapping_mul(y)),
                                _ => None,
                            };
                            return Ok(Linear {
                                regs: vec![],
                                constant,
                            });
                        }
                        (false, true) => (a, b.constant),
                        (true, false) => (b, a.constant),
                        (false, false) => return Err(bad(*col)),
                    };
                    let Some(k) = k else {
                        return Err(AsmError::new(
                            env.line(),
                            *col,
                            "invalid memory operand: the scale must be a number",
                        ));
                    };
                    Linear {
                        regs: lin
                            .regs
                            .into_iter()
                            .map(|(r, m, c)| (r, m.wrapping_mul(k), c))
                            .collect(),
                        constant: lin.constant.map(|v| v.wrapping_mul(k)),
                    }
                }
            }
        }
        other => {
            if let Some(col) = first_reg(other) {
                return Err(bad(col));
            }
            Linear {
                regs: vec![],
                constant: eval(other, env)?,
            }
        }
    })
}

/// The column of the first register in `e`, if any.
pub(crate) fn first_reg(e: &Expr) -> Option<u32> {
    match e {
        Expr::Reg { col, .. } => Some(*col),
        Expr::Neg(x) | Expr::Not(x) | Expr::LogicalNot(x) => first_reg(x),
        Expr::Bin { l, r, .. } => first_reg(l).or_else(|| first_reg(r)),
        _ => None,
    }
}

/// Line 1 of `text` parsed as one expression (for tests); panics if tokens are left over.
#[cfg(test)]
pub(crate) fn parse_all(text: &str) -> AsmResult<Expr> {
    let toks = super::lexer::tokenize(text, 1)?;
    let mut c = Cursor {
        toks: &toks,
        pos: 0,
        line: 1,
        end_col: 99,
        scope: "",
    };
    let e = parse_expr(&mut c)?;
    assert!(c.at_end(), "parse_all: tokens left over in {text:?}");
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct E;
    impl Env for E {
        fn lookup(&self, name: &str, shown: &str, col: u32) -> AsmResult<Option<i64>> {
            match name {
                "ten" => Ok(Some(10)),
                "later" => Ok(None),
                _ => Err(AsmError::new(1, col, format!("'{shown}' is not defined"))),
            }
        }
        fn here(&self) -> i64 {
            0x1000
        }
        fn section_start(&self) -> i64 {
            0x800
        }
        fn line(&self) -> u32 {
            1
        }
    }

    fn ev(s: &str) -> AsmResult<Option<i64>> {
        eval(&parse_all(s)?, &E)
    }

    #[test]
    fn precedence_follows_nasm() {
        assert_eq!(ev("1 + 2 * 3").unwrap(), Some(7));
        assert_eq!(ev("(1 + 2) * 3").unwrap(), Some(9));
        assert_eq!(ev("1 << 4 | 1").unwrap(), Some(17));
        assert_eq!(ev("-1 & 0xff").unwrap(), Some(255));
        assert_eq!(ev("~0 ^ 1").unwrap(), Some(-2));
        assert_eq!(ev("17 % 5 + 8 / 2").unwrap(), Some(6));
        assert_eq!(ev("'a' + 1").unwrap(), Some(98));
        assert_eq!(ev("'ab'").unwrap(), Some(0x6261));
        assert_eq!(ev("$ - $$ + ten").unwrap(), Some(0x80a));
    }

    #[test]
    fn unknown_and_errors() {
        assert_eq!(ev("later + 1").unwrap(), None);
        assert_eq!(ev("nope").unwrap_err().message, "'nope' is not defined");
        assert_eq!(ev("1 / 0").unwrap_err().message, "division by zero");
        assert_eq!(ev("(1 + 2").unwrap_err().message, "expected ')'");
    }

    #[test]
    fn linear_forms() {
        let e = parse_all("ebx + ecx*4 - 8 + ten").unwrap();
        let l = eval_linear(&e, &E).unwrap();
        assert_eq!(
            l.regs.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(),
            vec![(Register::EBX, 1), (Register::ECX, 4)]
        );
        assert_eq!(l.constant, Some(2));
    }
}
