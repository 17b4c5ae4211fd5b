//! Postfix expressions (`a[i]`, `f(x)`, `s.m`, `p->m`, `x++`) and primaries (names,
//! constants, strings, parentheses): where names are resolved and calls are checked.

use std::rc::Rc;

use super::expr::{cast, decay, num};
use super::{Parser, Sym, VarRef};
use crate::ast::{BinOp, Expr, ExprKind};
use crate::error::{CResult, CompileError, Pos};
use crate::lexer::TokKind;
use crate::types::{Type, CHAR, INT, UINT};

impl Parser {
    pub(super) fn postfix(&mut self) -> CResult<Expr> {
        self.chain(Self::postfix_inner)
    }

    fn postfix_inner(&mut self) -> CResult<Expr> {
        let mut e = self.primary()?;
        loop {
            self.enter()?;
            let pos = self.pos();
            if self.eat("[") {
                let idx = self.expr()?;
                self.expect("]")?;
                let sum = self.binop(BinOp::Add, e, idx, pos)?;
                if !matches!(sum.ty, Type::Ptr(_)) {
                    return Err(CompileError::at(pos, "'[]' needs an array or a pointer"));
                }
                e = self.deref(sum, pos)?;
            } else if self.eat("(") {
                e = self.call(e, pos)?;
            } else if self.eat(".") {
                e = self.member(e, pos)?;
            } else if self.eat("->") {
                let p = decay(e);
                if !matches!(&p.ty, Type::Ptr(b) if b.is_record()) {
                    return Err(CompileError::at(
                        pos,
                        format!("'->' needs a pointer to a struct or union, not '{}'", p.ty),
                    ));
                }
                let d = self.deref(p, pos)?;
                e = self.member(d, pos)?;
            } else if self.eat("++") {
                e = self.incdec(e, true, true, pos)?;
            } else if self.eat("--") {
                e = self.incdec(e, false, true, pos)?;
            } else {
                return Ok(e);
            }
        }
    }

    fn member(&mut self, e: Expr, pos: Pos) -> CResult<Expr> {
        let Type::Record(r) = &e.ty else {
            return Err(CompileError::at(
                pos,
                format!("'.' needs a struct or union, not '{}'", e.ty),
            ));
        };
        let (name, npos) = self.ident()?;
        let r = r.clone();
        let rec = r.borrow();
        if !rec.complete {
            return Err(CompileError::at(
                npos,
                format!("'{}' is incomplete here", e.ty),
            ));
        }
        let Some(m) = rec.members.iter().find(|m| m.name == name) else {
            return Err(CompileError::at(
                npos,
                format!("'{}' has no member named '{name}'", e.ty),
            ));
        };
        let (ty, off) = (m.ty.clone(), m.offset);
        Ok(Expr::new(ExprKind::Member(Box::new(e), off), ty, npos))
    }

    fn call(&mut self, f: Expr, pos: Pos) -> CResult<Expr> {
        let name = match &f.kind {
            ExprKind::Global(l) => super::name_of(l).to_string(),
            _ => "the function".to_string(),
        };
        let Some(ft) = f.ty.func().cloned() else {
            return Err(CompileError::at(
                pos,
                format!("'{name}' is not a function (its type is '{}')", f.ty),
            ));
        };
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.assign()?);
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        let mut converted = Vec::new();
        if let Some(params) = &ft.params {
            if args.len() > params.len() && !ft.variadic {
                return Err(CompileError::at(
                    args[params.len()].pos,
                    format!("too many arguments to '{name}'"),
                ));
            }
            if args.len() < params.len() {
                return Err(CompileError::at(
                    pos,
                    format!("too few arguments to '{name}'"),
                ));
            }
        }
        for (i, a) in args.into_iter().enumerate() {
            let param = ft.params.as_ref().and_then(|p| p.get(i));
            let a = match param {
                Some(t) => self.convert(a, t, &format!("argument {} of '{name}'", i + 1))?,
                None => {
                    let a = decay(a);
                    if matches!(a.ty, Type::Void) {
                        return Err(CompileError::at(
                            a.pos,
                            "a 'void' value cannot be an argument",
                        ));
                    }
                    let t = a.ty.promote();
                    cast(a, &t)
                }
            };
            converted.push(a);
        }
        let ret_buf = if ft.ret.is_record() {
            Some(self.alloc_local(&ft.ret))
        } else {
            None
        };
        let f = if matches!(f.ty, Type::Func(_)) {
            f
        } else {
            decay(f)
        };
        Ok(Expr::new(
            ExprKind::Call {
                func: Box::new(f),
                args: converted,
                ret_buf,
            },
            ft.ret.clone(),
            pos,
        ))
    }

    fn primary(&mut self) -> CResult<Expr> {
        let pos = self.pos();
        let Some(t) = self.peek().cloned() else {
            return self.err("expected an expression at the end of the program");
        };
        match t.kind {
            TokKind::Num(v, unsigned) => {
                self.i += 1;
                Ok(num(v, if unsigned { UINT } else { INT }, pos))
            }
            TokKind::Char(c) => {
                self.i += 1;
                Ok(num(c as u32, INT, pos))
            }
            TokKind::Str(_) => {
                let mut bytes = Vec::new();
                while let Some(TokKind::Str(s)) = self.peek().map(|t| &t.kind) {
                    bytes.extend_from_slice(s);
                    self.i += 1;
                }
                bytes.push(0);
                let len = bytes.len() as u32;
                self.unit.strings.push(bytes);
                Ok(Expr::new(
                    ExprKind::Str(self.unit.strings.len() - 1),
                    Type::Array(Rc::new(CHAR), Some(len)),
                    pos,
                ))
            }
            TokKind::Punct("(") => {
                self.i += 1;
                self.enter()?;
                let e = self.expr();
                self.leave();
                let e = e?;
                self.expect(")")?;
                Ok(e)
            }
            TokKind::Ident(name) if !super::decl::is_keyword(&name) => {
                self.i += 1;
                match self.lookup(&name).cloned() {
                    Some(Sym::Var(VarRef::Local(off), ty)) => Ok(Expr::new(ExprKind::Local(off), ty, pos)),
                    Some(Sym::Var(VarRef::Global(label), ty)) => {
                        if !label.contains('@') || label.ends_with("@c") {
                            self.note_use(super::name_of(&label), pos);
                        }
                        Ok(Expr::new(ExprKind::Global(label), ty, pos))
                    }
                    Some(Sym::EnumConst(v)) => Ok(num(v as u32, INT, pos)),
                    Some(Sym::Typedef(_)) => Err(CompileError::at(pos, format!("'{name}' is a type, not a value"))),
                    None if self.is("(") => Err(CompileError::at(pos, format!("function '{name}' undeclared (declare it, or #include <selfpage.h> for the library)"))),
                    None => Err(CompileError::at(pos, format!("'{name}' undeclared"))),
                }
            }
            _ => Err(CompileError::at(
                pos,
                format!("expected an expression, found '{}'", t.text()),
            )),
        }
    }
}
