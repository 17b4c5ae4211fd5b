//! Initializers: `= expr`, `= { ... }` for arrays and structs (nested, with C's brace
//! elision), and strings for char arrays, flattened into the scalar pieces to store.

use std::rc::Rc;

use super::Parser;
use crate::ast::Expr;
use crate::error::{CResult, CompileError};
use crate::lexer::TokKind;
use crate::types::Type;

/// One piece of an initializer: store `expr` (of type `ty`) at byte `offset` of the object.
#[derive(Clone, Debug)]
pub struct Leaf {
    /// Byte offset in the object.
    pub offset: u32,
    /// The piece's type.
    pub ty: Type,
    /// Its value, converted to `ty`.
    pub expr: Expr,
}

impl Parser {
    /// The initializer after `=` for an object of `ty`; returns the type with an unknown
    /// array length filled in, and the pieces.
    pub(super) fn initializer(&mut self, ty: Type) -> CResult<(Type, Vec<Leaf>)> {
        let mut out = Vec::new();
        let n = self.init_item(&ty, 0, &mut out, true)?;
        let ty = match ty {
            Type::Array(elem, None) => Type::Array(elem, Some(n)),
            t => t,
        };
        Ok((ty, out))
    }

    /// True at `}` or `, }`: the end of a braced list.
    fn at_list_end(&self) -> bool {
        self.is("}") || (self.is(",") && self.peek_at(1).is_some_and(|t| t.is("}")))
    }

    /// Reads the initializer of one object of `ty` at `off`; returns the number of elements
    /// for an array.
    fn init_item(&mut self, ty: &Type, off: u32, out: &mut Vec<Leaf>, top: bool) -> CResult<u32> {
        self.enter()?;
        let r = self.init_item_inner(ty, off, out, top);
        self.leave();
        r
    }

    fn init_item_inner(
        &mut self,
        ty: &Type,
        off: u32,
        out: &mut Vec<Leaf>,
        top: bool,
    ) -> CResult<u32> {
        match ty {
            Type::Array(elem, len) => {
                let is_char = matches!(**elem, Type::Int { size: 1, .. });
                let braced_string = self.is("{")
                    && matches!(self.peek_at(1).map(|t| &t.kind), Some(TokKind::Str(_)))
                    && self.peek_at(2).is_some_and(|t| t.is("}"));
                if is_char
                    && (matches!(self.peek().map(|t| &t.kind), Some(TokKind::Str(_)))
                        || braced_string)
                {
                    return self.init_string(elem, *len, off, out, braced_string);
                }
                let esize = elem.size();
                let mut n: u32 = 0;
                if self.eat("{") {
                    while !self.eat("}") {
                        if len.is_some_and(|l| n >= l) {
                            return self.err(format!(
                                "too many initializers for an array of {}",
                                len.unwrap_or(0)
                            ));
                        }
                        self.init_item(elem, off + n * esize, out, false)?;
                        n += 1;
                        if !self.eat(",") {
                            self.expect("}")?;
                            break;
                        }
                    }
                    return Ok(n);
                }
                if top {
                    return self.err("an array is initialized with '{ ... }'");
                }
                let Some(len) = *len else {
                    return self.err("an array of unknown size needs '{ ... }'");
                };
                while n < len && !self.at_list_end() {
                    if n > 0 {
                        self.expect(",")?;
                    }
                    self.init_item(elem, off + n * esize, out, false)?;
                    n += 1;
                }
                Ok(n)
            }
            Type::Record(r) => {
                let r = r.clone();
                if self.eat("{") {
                    let members = r.borrow().members.clone();
                    let limit = if r.borrow().is_union {
                        1
                    } else {
                        members.len()
                    };
                    let mut k = 0;
                    while !self.eat("}") {
                        if k >= limit {
                            return self.err(format!("too many initializers for '{ty}'"));
                        }
                        let m = &members[k];
                        self.init_item(&m.ty, off + m.offset, out, false)?;
                        k += 1;
                        if !self.eat(",") {
                            self.expect("}")?;
                            break;
                        }
                    }
                    return Ok(1);
                }
                // Either an expression of the same struct type, or elided braces.
                let start = self.i;
                let strings = self.unit.strings.len();
                if let Ok(e) = self.assign() {
                    if e.ty == *ty {
                        out.push(Leaf {
                            offset: off,
                            ty: ty.clone(),
                            expr: e,
                        });
                        return Ok(1);
                    }
                }
                self.i = start;
                self.unit.strings.truncate(strings);
                if top {
                    return self.err(format!(
                        "'{ty}' is initialized with '{{ ... }}' or a value of its type"
                    ));
                }
                let members = r.borrow().members.clone();
                let limit = if r.borrow().is_union {
                    1
                } else {
                    members.len()
                };
                for (k, m) in members.iter().take(limit).enumerate() {
                    if self.at_list_end() {
                        break;
                    }
                    if k > 0 {
                        self.expect(",")?;
                    }
                    self.init_item(&m.ty, off + m.offset, out, false)?;
                }
                Ok(1)
            }
            _ => {
                let braced = self.eat("{");
                let e = self.assign()?;
                if braced {
                    self.eat(",");
                    self.expect("}")?;
                }
                let e = self.convert(e, ty, "initializer")?;
                out.push(Leaf {
                    offset: off,
                    ty: ty.clone(),
                    expr: e,
                });
                Ok(1)
            }
        }
    }

    fn init_string(
        &mut self,
        elem: &Rc<Type>,
        len: Option<u32>,
        off: u32,
        out: &mut Vec<Leaf>,
        braced: bool,
    ) -> CResult<u32> {
        if braced {
            self.i += 1;
        }
        let pos = self.pos();
        let mut bytes = Vec::new();
        while let Some(TokKind::Str(s)) = self.peek().map(|t| &t.kind) {
            bytes.extend_from_slice(s);
            self.i += 1;
        }
        if braced {
            self.expect("}")?;
        }
        let n = match len {
            Some(l) => {
                if bytes.len() as u32 > l {
                    return Err(CompileError::at(
                        pos,
                        format!(
                            "the string is longer than the array ({} > {l})",
                            bytes.len()
                        ),
                    ));
                }
                l
            }
            None => bytes.len() as u32 + 1,
        };
        for (k, b) in bytes.iter().enumerate() {
            out.push(Leaf {
                offset: off + k as u32,
                ty: (**elem).clone(),
                expr: Expr::new(
                    crate::ast::ExprKind::Num(u32::from(*b) as i8 as i32 as u32),
                    (**elem).clone(),
                    pos,
                ),
            });
        }
        Ok(n)
    }
}
