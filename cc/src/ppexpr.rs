//! The constant expressions of `#if`: integers and C's operators with their precedence,
//! evaluated in 64 bits (names left after macro expansion count as 0).

use crate::error::{CResult, CompileError, Pos};
use crate::lexer::{TokKind, Token};

/// Deepest nesting of parentheses and operators in one `#if`.
const MAX_DEPTH: usize = 200;

/// An `#if` expression being evaluated.
pub struct PpExpr<'a> {
    toks: &'a [Token],
    i: usize,
    pos: Pos,
    depth: usize,
}

/// Binary operators by precedence level, loosest first (after `?:`).
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<", "<=", ">", ">="],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

impl<'a> PpExpr<'a> {
    /// An evaluator over the tokens of one `#if` line at `pos`.
    pub fn new(toks: &'a [Token], pos: Pos) -> PpExpr<'a> {
        PpExpr {
            toks,
            i: 0,
            pos,
            depth: 0,
        }
    }

    /// The value of the whole line.
    ///
    /// # Errors
    /// A syntax error, a division by zero or tokens left over.
    pub fn eval(&mut self) -> CResult<i64> {
        let v = self.cond()?;
        if let Some(t) = self.toks.get(self.i) {
            return Err(CompileError::at(
                t.pos,
                format!("unexpected '{}' in #if", t.text()),
            ));
        }
        Ok(v)
    }

    fn err(&self, msg: &str) -> CompileError {
        let pos = self.toks.get(self.i).map_or(self.pos, |t| t.pos);
        CompileError::at(pos, msg)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.toks.get(self.i).is_some_and(|t| t.is(p)) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn cond(&mut self) -> CResult<i64> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("#if expression nests too deeply"));
        }
        let c = self.binary(0)?;
        let v = if self.eat("?") {
            let a = self.cond()?;
            if !self.eat(":") {
                return Err(self.err("expected ':' in #if"));
            }
            let b = self.cond()?;
            if c != 0 {
                a
            } else {
                b
            }
        } else {
            c
        };
        self.depth -= 1;
        Ok(v)
    }

    fn binary(&mut self, level: usize) -> CResult<i64> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut l = self.binary(level + 1)?;
        'outer: loop {
            for op in LEVELS[level] {
                if self.eat(op) {
                    let r = self.binary(level + 1)?;
                    l = match *op {
                        "||" => i64::from(l != 0 || r != 0),
                        "&&" => i64::from(l != 0 && r != 0),
                        "|" => l | r,
                        "^" => l ^ r,
                        "&" => l & r,
                        "==" => i64::from(l == r),
                        "!=" => i64::from(l != r),
                        "<" => i64::from(l < r),
                        "<=" => i64::from(l <= r),
                        ">" => i64::from(l > r),
                        ">=" => i64::from(l >= r),
                        "<<" => l.wrapping_shl((r & 63) as u32),
                        ">>" => l.wrapping_shr((r & 63) as u32),
                        "+" => l.wrapping_add(r),
                        "-" => l.wrapping_sub(r),
                        "*" => l.wrapping_mul(r),
                        _ => {
                            if r == 0 {
                                return Err(self.err("division by zero in #if"));
                            }
                            if *op == "/" {
                                l.wrapping_div(r)
                            } else {
                                l.wrapping_rem(r)
                            }
                        }
                    };
                    continue 'outer;
                }
            }
            return Ok(l);
        }
    }

    fn unary(&mut self) -> CResult<i64> {
        for op in ["+", "-", "!", "~"] {
            if self.eat(op) {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.err("#if expression nests too deeply"));
                }
                let v = self.unary()?;
                self.depth -= 1;
                return Ok(match op {
                    "+" => v,
                    "-" => v.wrapping_neg(),
                    "!" => i64::from(v == 0),
                    _ => !v,
                });
            }
        }
        if self.eat("(") {
            let v = self.cond()?;
            if !self.eat(")") {
                return Err(self.err("expected ')' in #if"));
            }
            return Ok(v);
        }
        let Some(t) = self.toks.get(self.i) else {
            return Err(self.err("#if expression ends too early"));
        };
        self.i += 1;
        match &t.kind {
            TokKind::Num(n, _) => Ok(i64::from(*n)),
            TokKind::Char(c) => Ok(i64::from(*c)),
            TokKind::Ident(_) => Ok(0),
            _ => Err(CompileError::at(
                t.pos,
                format!("unexpected '{}' in #if", t.text()),
            )),
        }
    }
}
