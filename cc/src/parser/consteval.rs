//! Constant expressions: array sizes, `case` labels, enum values and the initial bytes of
//! globals (numbers, and addresses of globals and strings plus a constant offset).

use super::init::Leaf;
use super::Parser;
use crate::ast::{string_label, BinOp, Expr, ExprKind, Reloc, UnOp};
use crate::error::{CResult, CompileError};
use crate::types::Type;

/// The value of a constant expression.
enum Const {
    /// A number (32 bits).
    Int(u32),
    /// The address of a label plus an offset.
    Addr(String, i32),
}

/// `v` as a value of integer type `ty` (truncated and sign- or zero-extended).
pub fn fit(v: u32, ty: &Type) -> u32 {
    match ty {
        Type::Int {
            size: 1,
            signed: true,
            ..
        } => v as u8 as i8 as i32 as u32,
        Type::Int {
            size: 1,
            signed: false,
            ..
        } => v & 0xff,
        Type::Int {
            size: 2,
            signed: true,
            ..
        } => v as u16 as i16 as i32 as u32,
        Type::Int {
            size: 2,
            signed: false,
            ..
        } => v & 0xffff,
        _ => v,
    }
}

impl Parser {
    /// The value of an integer constant expression.
    pub(super) fn const_int(&self, e: &Expr) -> CResult<u32> {
        match self.const_value(e)? {
            Const::Int(v) => Ok(v),
            Const::Addr(..) => Err(CompileError::at(
                e.pos,
                "an address is not an integer constant here",
            )),
        }
    }

    fn not_constant(e: &Expr) -> CompileError {
        CompileError::at(e.pos, "this is not a constant (a global's initializer, an array size and a case label must be known when compiling)")
    }

    fn const_value(&self, e: &Expr) -> CResult<Const> {
        let int = |e: &Expr| -> CResult<u32> {
            match self.const_value(e)? {
                Const::Int(v) => Ok(v),
                Const::Addr(..) => Err(Self::not_constant(e)),
            }
        };
        Ok(match &e.kind {
            ExprKind::Num(v) => Const::Int(*v),
            ExprKind::Cast(inner) => match (&inner.ty, &e.ty) {
                (Type::Array(..) | Type::Func(_), _) => self.const_addr(inner)?,
                _ => match self.const_value(inner)? {
                    Const::Int(v) => Const::Int(fit(v, &e.ty)),
                    a @ Const::Addr(..) if e.ty.size() == 4 => a,
                    Const::Addr(..) => return Err(Self::not_constant(e)),
                },
            },
            ExprKind::Addr(inner) => self.const_addr(inner)?,
            ExprKind::Unary(op, a) => {
                let v = int(a)?;
                Const::Int(match op {
                    UnOp::Neg => v.wrapping_neg(),
                    UnOp::BitNot => !v,
                    UnOp::Not => u32::from(v == 0),
                })
            }
            ExprKind::LogAnd(a, b) => Const::Int(u32::from(int(a)? != 0 && int(b)? != 0)),
            ExprKind::LogOr(a, b) => Const::Int(u32::from(int(a)? != 0 || int(b)? != 0)),
            ExprKind::Cond(c, a, b) => {
                if int(c)? != 0 {
                    self.const_value(a)?
                } else {
                    self.const_value(b)?
                }
            }
            ExprKind::Binary(op, a, b) => {
                let l = self.const_value(a)?;
                let r = int(b)?;
                match l {
                    Const::Addr(label, off) => match op {
                        BinOp::Add => Const::Addr(label, off.wrapping_add(r as i32)),
                        BinOp::Sub => Const::Addr(label, off.wrapping_sub(r as i32)),
                        _ => return Err(Self::not_constant(e)),
                    },
                    Const::Int(l) => {
                        Const::Int(eval_binary(*op, l, r, a.ty.is_unsigned()).ok_or_else(|| {
                            CompileError::at(e.pos, "division by zero in a constant")
                        })?)
                    }
                }
            }
            _ => return Err(Self::not_constant(e)),
        })
    }

    /// The address of an lvalue known at compile time.
    fn const_addr(&self, e: &Expr) -> CResult<Const> {
        match &e.kind {
            ExprKind::Global(label) => Ok(Const::Addr(label.clone(), 0)),
            ExprKind::Str(i) => Ok(Const::Addr(string_label(*i), 0)),
            ExprKind::Member(inner, off) => match self.const_addr(inner)? {
                Const::Addr(l, o) => Ok(Const::Addr(l, o.wrapping_add(*off as i32))),
                Const::Int(v) => Ok(Const::Int(v.wrapping_add(*off))),
            },
            ExprKind::Deref(inner) => self.const_value(inner),
            _ => Err(Self::not_constant(e)),
        }
    }

    /// The initial bytes and relocations of a global of `ty` initialized by `leaves`.
    pub(super) fn const_image(&self, ty: &Type, leaves: &[Leaf]) -> CResult<(Vec<u8>, Vec<Reloc>)> {
        let mut bytes = vec![0u8; ty.size() as usize];
        let mut relocs = Vec::new();
        for leaf in leaves {
            let at = leaf.offset as usize;
            let size = leaf.ty.size() as usize;
            if leaf.ty.is_record() || at + size > bytes.len() {
                return Err(Self::not_constant(&leaf.expr));
            }
            match self.const_value(&leaf.expr)? {
                Const::Int(v) => bytes[at..at + size].copy_from_slice(&v.to_le_bytes()[..size]),
                Const::Addr(label, addend) => {
                    if size != 4 {
                        return Err(Self::not_constant(&leaf.expr));
                    }
                    relocs.push(Reloc {
                        offset: leaf.offset,
                        label,
                        addend,
                    });
                }
            }
        }
        Ok((bytes, relocs))
    }
}

/// `l op r` on 32-bit values, signed or unsigned; `None` on division by zero.
pub fn eval_binary(op: BinOp, l: u32, r: u32, unsigned: bool) -> Option<u32> {
    let (sl, sr) = (l as i32, r as i32);
    Some(match op {
        BinOp::Add => l.wrapping_add(r),
        BinOp::Sub => l.wrapping_sub(r),
        BinOp::Mul => l.wrapping_mul(r),
        BinOp::Div | BinOp::Rem if r == 0 => return None,
        BinOp::Div if unsigned => l / r,
        BinOp::Div => sl.wrapping_div(sr) as u32,
        BinOp::Rem if unsigned => l % r,
        BinOp::Rem => sl.wrapping_rem(sr) as u32,
        BinOp::Shl => l.wrapping_shl(r & 31),
        BinOp::Shr if unsigned => l.wrapping_shr(r & 31),
        BinOp::Shr => sl.wrapping_shr(r & 31) as u32,
        BinOp::And => l & r,
        BinOp::Or => l | r,
        BinOp::Xor => l ^ r,
        BinOp::Eq => u32::from(l == r),
        BinOp::Ne => u32::from(l != r),
        BinOp::Lt if unsigned => u32::from(l < r),
        BinOp::Lt => u32::from(sl < sr),
        BinOp::Le if unsigned => u32::from(l <= r),
        BinOp::Le => u32::from(sl <= sr),
        BinOp::Gt if unsigned => u32::from(l > r),
        BinOp::Gt => u32::from(sl > sr),
        BinOp::Ge if unsigned => u32::from(l >= r),
        BinOp::Ge => u32::from(sl >= sr),
    })
}
