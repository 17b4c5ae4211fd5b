//! Expressions, by C's precedence from the comma operator down to primaries; implicit
//! conversions, pointer scaling and type checks happen here.

use std::rc::Rc;

use super::Parser;
use crate::ast::{BinOp, Expr, ExprKind, UnOp};
use crate::error::{CResult, CompileError, Pos};
use crate::types::{common, Type, INT, UINT};

/// Binary operators from loosest to tightest (below the conditional operator).
const LEVELS: &[&[(&str, BinOp)]] = &[
    &[("|", BinOp::Or)],
    &[("^", BinOp::Xor)],
    &[("&", BinOp::And)],
    &[("==", BinOp::Eq), ("!=", BinOp::Ne)],
    &[
        ("<", BinOp::Lt),
        ("<=", BinOp::Le),
        (">", BinOp::Gt),
        (">=", BinOp::Ge),
    ],
    &[("<<", BinOp::Shl), (">>", BinOp::Shr)],
    &[("+", BinOp::Add), ("-", BinOp::Sub)],
    &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Rem)],
];

const ASSIGN_OPS: &[(&str, BinOp)] = &[
    ("+=", BinOp::Add),
    ("-=", BinOp::Sub),
    ("*=", BinOp::Mul),
    ("/=", BinOp::Div),
    ("%=", BinOp::Rem),
    ("<<=", BinOp::Shl),
    (">>=", BinOp::Shr),
    ("&=", BinOp::And),
    ("|=", BinOp::Or),
    ("^=", BinOp::Xor),
];

pub(super) fn num(v: u32, ty: Type, pos: Pos) -> Expr {
    Expr::new(ExprKind::Num(v), ty, pos)
}

/// `e` converted to `ty` (no check; the callers check).
pub(super) fn cast(e: Expr, ty: &Type) -> Expr {
    if e.ty == *ty && !matches!(e.ty, Type::Array(..) | Type::Func(_)) {
        return e;
    }
    let pos = e.pos;
    Expr::new(ExprKind::Cast(Box::new(e)), ty.clone(), pos)
}

/// Arrays and functions used as values become pointers.
pub(super) fn decay(e: Expr) -> Expr {
    match e.ty {
        Type::Array(..) | Type::Func(_) => {
            let ty = e.ty.decay();
            cast(e, &ty)
        }
        _ => e,
    }
}

fn is_null_constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Num(0) => e.ty.is_integer(),
        ExprKind::Cast(inner) => {
            matches!(&e.ty, Type::Ptr(b) if matches!(**b, Type::Void)) && is_null_constant(inner)
        }
        _ => false,
    }
}

impl Parser {
    /// A full expression (with commas).
    pub(super) fn expr(&mut self) -> CResult<Expr> {
        self.chain(Self::expr_inner)
    }

    fn expr_inner(&mut self) -> CResult<Expr> {
        let mut e = self.assign()?;
        while self.is(",") {
            self.enter()?;
            let pos = self.pos();
            self.i += 1;
            let r = decay(self.assign()?);
            let ty = r.ty.clone();
            e = Expr::new(ExprKind::Comma(Box::new(e), Box::new(r)), ty, pos);
        }
        Ok(e)
    }

    /// `e` converted as by assignment to `ty`, or an error naming `what` is being assigned.
    pub(super) fn convert(&self, e: Expr, ty: &Type, what: &str) -> CResult<Expr> {
        let e = decay(e);
        let pos = e.pos;
        let ok = match (ty, &e.ty) {
            (Type::Int { .. }, Type::Int { .. }) => true,
            (Type::Ptr(_), Type::Ptr(_)) => true,
            (Type::Ptr(_), Type::Int { .. }) => is_null_constant(&e),
            (Type::Record(a), Type::Record(b)) => Rc::ptr_eq(a, b),
            _ => false,
        };
        if !ok {
            return Err(CompileError::at(
                pos,
                format!("{what}: cannot convert '{}' to '{ty}'", e.ty),
            ));
        }
        Ok(cast(e, ty))
    }

    fn check_lvalue(&self, e: &Expr, what: &str) -> CResult<()> {
        if !e.is_lvalue() || matches!(e.kind, ExprKind::Str(_)) {
            return Err(CompileError::at(
                e.pos,
                format!("{what} needs a variable or other object (an lvalue)"),
            ));
        }
        if matches!(e.ty, Type::Array(..)) {
            return Err(CompileError::at(
                e.pos,
                format!("{what}: an array cannot be assigned; copy its elements"),
            ));
        }
        if matches!(e.ty, Type::Func(_)) {
            return Err(CompileError::at(
                e.pos,
                format!("{what}: a function cannot be assigned"),
            ));
        }
        Ok(())
    }

    /// Assignment expressions (right to left).
    pub(super) fn assign(&mut self) -> CResult<Expr> {
        self.enter()?;
        let r = self.assign_inner();
        self.leave();
        r
    }

    fn assign_inner(&mut self) -> CResult<Expr> {
        let lhs = self.conditional()?;
        let pos = self.pos();
        if self.eat("=") {
            self.check_lvalue(&lhs, "'='")?;
            let rhs = self.assign()?;
            let rhs = self.convert(rhs, &lhs.ty, "assignment")?;
            let ty = lhs.ty.clone();
            return Ok(Expr::new(
                ExprKind::Assign(Box::new(lhs), Box::new(rhs)),
                ty,
                pos,
            ));
        }
        for (p, op) in ASSIGN_OPS {
            if self.eat(p) {
                self.check_lvalue(&lhs, &format!("'{p}'"))?;
                let rhs = decay(self.assign()?);
                let ty = lhs.ty.clone();
                let (rhs, op_ty) = match (&lhs.ty, *op) {
                    (Type::Ptr(base), BinOp::Add | BinOp::Sub) if rhs.ty.is_integer() => {
                        (self.scale(rhs, base, pos)?, lhs.ty.clone())
                    }
                    (Type::Int { .. }, BinOp::Shl | BinOp::Shr) if rhs.ty.is_integer() => {
                        (cast(rhs, &INT), lhs.ty.promote())
                    }
                    (Type::Int { .. }, _) if rhs.ty.is_integer() => {
                        let t = common(&lhs.ty, &rhs.ty);
                        (cast(rhs, &t), t)
                    }
                    _ => {
                        return Err(CompileError::at(
                            pos,
                            format!("'{p}' cannot combine '{}' and '{}'", lhs.ty, rhs.ty),
                        ))
                    }
                };
                return Ok(Expr::new(
                    ExprKind::OpAssign(*op, Box::new(lhs), Box::new(rhs), op_ty),
                    ty,
                    pos,
                ));
            }
        }
        Ok(lhs)
    }

    /// `c ? a : b`.
    pub(super) fn conditional(&mut self) -> CResult<Expr> {
        let c = self.binary(0)?;
        if !self.is("?") {
            return Ok(c);
        }
        let pos = self.pos();
        self.i += 1;
        let c = self.scalar(c, "the condition of '?:'")?;
        let a = decay(self.expr()?);
        self.expect(":")?;
        let b = decay(self.conditional()?);
        let ty = match (&a.ty, &b.ty) {
            (Type::Int { .. }, Type::Int { .. }) => common(&a.ty, &b.ty),
            (Type::Ptr(_), Type::Ptr(_)) => a.ty.clone(),
            (Type::Ptr(_), Type::Int { .. }) if is_null_constant(&b) => a.ty.clone(),
            (Type::Int { .. }, Type::Ptr(_)) if is_null_constant(&a) => b.ty.clone(),
            (Type::Void, Type::Void) => Type::Void,
            (Type::Record(x), Type::Record(y)) if Rc::ptr_eq(x, y) => a.ty.clone(),
            _ => {
                return Err(CompileError::at(
                    pos,
                    format!(
                        "the two sides of '?:' have different types ('{}' and '{}')",
                        a.ty, b.ty
                    ),
                ))
            }
        };
        let (a, b) = if ty.is_scalar() {
            (cast(a, &ty), cast(b, &ty))
        } else {
            (a, b)
        };
        Ok(Expr::new(
            ExprKind::Cond(Box::new(c), Box::new(a), Box::new(b)),
            ty,
            pos,
        ))
    }

    /// Checks `e` is a scalar (after decay) for use as a condition.
    pub(super) fn scalar(&self, e: Expr, what: &str) -> CResult<Expr> {
        let e = decay(e);
        if !e.ty.is_scalar() {
            return Err(CompileError::at(
                e.pos,
                format!("{what} must be a number or a pointer, not '{}'", e.ty),
            ));
        }
        Ok(e)
    }

    fn binary(&mut self, level: usize) -> CResult<Expr> {
        if level == 0 {
            return self.logical(true);
        }
        self.binary_level(level - 1)
    }

    /// `||` (or, with `or == false`, `&&`).
    fn logical(&mut self, or: bool) -> CResult<Expr> {
        self.chain(|p| p.logical_inner(or))
    }

    fn logical_inner(&mut self, or: bool) -> CResult<Expr> {
        let mut l = if or {
            self.logical(false)?
        } else {
            self.binary_level(0)?
        };
        let p = if or { "||" } else { "&&" };
        while self.is(p) {
            self.enter()?;
            let pos = self.pos();
            self.i += 1;
            let r = if or {
                self.logical(false)?
            } else {
                self.binary_level(0)?
            };
            let a = Box::new(self.scalar(l, &format!("the left side of '{p}'"))?);
            let b = Box::new(self.scalar(r, &format!("the right side of '{p}'"))?);
            let kind = if or {
                ExprKind::LogOr(a, b)
            } else {
                ExprKind::LogAnd(a, b)
            };
            l = Expr::new(kind, INT, pos);
        }
        Ok(l)
    }

    fn binary_level(&mut self, level: usize) -> CResult<Expr> {
        if level == LEVELS.len() {
            return self.cast_expr();
        }
        self.chain(|p| p.binary_chain(level))
    }

    /// Operators of one level, left to right; each one deepens the tree it builds.
    fn binary_chain(&mut self, level: usize) -> CResult<Expr> {
        let mut l = self.binary_level(level + 1)?;
        'more: loop {
            for (p, op) in LEVELS[level] {
                if self.is(p) {
                    self.enter()?;
                    let pos = self.pos();
                    self.i += 1;
                    let r = self.binary_level(level + 1)?;
                    l = self.binop(*op, l, r, pos)?;
                    continue 'more;
                }
            }
            return Ok(l);
        }
    }

    /// `n` multiplied by the size of `base`, for pointer arithmetic.
    fn scale(&self, n: Expr, base: &Type, pos: Pos) -> CResult<Expr> {
        if !base.is_complete() {
            return Err(CompileError::at(
                pos,
                format!("arithmetic on a pointer to incomplete type '{base}'"),
            ));
        }
        let n = cast(n, &INT);
        let size = base.size();
        if size == 1 {
            return Ok(n);
        }
        Ok(Expr::new(
            ExprKind::Binary(BinOp::Mul, Box::new(n), Box::new(num(size, INT, pos))),
            INT,
            pos,
        ))
    }

    /// Builds `l op r` with C's conversions and checks.
    pub(super) fn binop(&self, op: BinOp, l: Expr, r: Expr, pos: Pos) -> CResult<Expr> {
        let (l, r) = (decay(l), decay(r));
        let bin = |op, l: Expr, r: Expr, ty: Type| {
            Expr::new(ExprKind::Binary(op, Box::new(l), Box::new(r)), ty, pos)
        };
        let sym = op_symbol(op);
        let mismatch = || {
            Err(CompileError::at(
                pos,
                format!("'{sym}' cannot combine '{}' and '{}'", l.ty, r.ty),
            ))
        };
        match (&l.ty, &r.ty) {
            (Type::Int { .. }, Type::Int { .. }) => {
                if matches!(op, BinOp::Shl | BinOp::Shr) {
                    let t = l.ty.promote();
                    return Ok(bin(op, cast(l, &t), cast(r, &INT), t));
                }
                let t = common(&l.ty, &r.ty);
                let result = if is_comparison(op) { INT } else { t.clone() };
                Ok(bin(op, cast(l, &t), cast(r, &t), result))
            }
            (Type::Ptr(base), Type::Int { .. }) if matches!(op, BinOp::Add | BinOp::Sub) => {
                let ty = l.ty.clone();
                let r = self.scale(r, base, pos)?;
                Ok(bin(op, l, r, ty))
            }
            (Type::Int { .. }, Type::Ptr(base)) if op == BinOp::Add => {
                let ty = r.ty.clone();
                let l = self.scale(l, base, pos)?;
                Ok(bin(op, r, l, ty))
            }
            (Type::Ptr(a), Type::Ptr(b)) if op == BinOp::Sub => {
                if a != b {
                    return mismatch();
                }
                let size = a.size();
                if size == 0 {
                    return Err(CompileError::at(
                        pos,
                        format!("subtracting pointers to incomplete type '{a}'"),
                    ));
                }
                let diff = bin(BinOp::Sub, cast(l, &INT), cast(r, &INT), INT);
                Ok(bin(BinOp::Div, diff, num(size, INT, pos), INT))
            }
            (Type::Ptr(_), Type::Ptr(_)) if is_comparison(op) => {
                Ok(bin(op, cast(l, &UINT), cast(r, &UINT), INT))
            }
            (Type::Ptr(_), Type::Int { .. })
                if matches!(op, BinOp::Eq | BinOp::Ne) && is_null_constant(&r) =>
            {
                Ok(bin(op, cast(l, &UINT), cast(r, &UINT), INT))
            }
            (Type::Int { .. }, Type::Ptr(_))
                if matches!(op, BinOp::Eq | BinOp::Ne) && is_null_constant(&l) =>
            {
                Ok(bin(op, cast(l, &UINT), cast(r, &UINT), INT))
            }
            _ => mismatch(),
        }
    }

    /// `(type) e` or a unary expression.
    fn cast_expr(&mut self) -> CResult<Expr> {
        if self.is("(") && self.starts_type(1) {
            let pos = self.pos();
            self.i += 1;
            let ty = self.type_name()?;
            self.expect(")")?;
            self.enter()?;
            let e = self.cast_expr();
            self.leave();
            let e = decay(e?);
            let ok = matches!(ty, Type::Void) || (ty.is_scalar() && e.ty.is_scalar());
            if !ok {
                return Err(CompileError::at(
                    pos,
                    format!("cannot cast '{}' to '{ty}'", e.ty),
                ));
            }
            return Ok(Expr::new(ExprKind::Cast(Box::new(e)), ty, pos));
        }
        self.unary()
    }

    fn unary(&mut self) -> CResult<Expr> {
        self.enter()?;
        let r = self.unary_inner();
        self.leave();
        r
    }

    fn unary_inner(&mut self) -> CResult<Expr> {
        let pos = self.pos();
        let ops: &[&str] = &["+", "-", "!", "~", "*", "&", "++", "--"];
        let Some(op) = ops.iter().find(|p| self.is(p)).copied() else {
            if self.eat_ident("sizeof") {
                return self.sizeof(pos);
            }
            return self.postfix();
        };
        self.i += 1;
        match op {
            "++" | "--" => {
                let e = self.unary()?;
                self.incdec(e, op == "++", false, pos)
            }
            "&" => {
                let e = self.cast_expr()?;
                if !e.is_lvalue() && !matches!(e.ty, Type::Func(_)) {
                    return Err(CompileError::at(
                        pos,
                        "'&' needs a variable or other object",
                    ));
                }
                let ty = e.ty.ptr_to();
                Ok(Expr::new(ExprKind::Addr(Box::new(e)), ty, pos))
            }
            "*" => {
                let e = decay(self.cast_expr()?);
                self.deref(e, pos)
            }
            _ => {
                let e = decay(self.cast_expr()?);
                if op == "!" {
                    let e = self.scalar(e, "the operand of '!'")?;
                    return Ok(Expr::new(ExprKind::Unary(UnOp::Not, Box::new(e)), INT, pos));
                }
                if !e.ty.is_integer() {
                    return Err(CompileError::at(
                        pos,
                        format!("'{op}' needs a number, not '{}'", e.ty),
                    ));
                }
                let ty = e.ty.promote();
                let e = cast(e, &ty);
                Ok(match op {
                    "+" => e,
                    "-" => Expr::new(ExprKind::Unary(UnOp::Neg, Box::new(e)), ty, pos),
                    _ => Expr::new(ExprKind::Unary(UnOp::BitNot, Box::new(e)), ty, pos),
                })
            }
        }
    }

    pub(super) fn deref(&self, e: Expr, pos: Pos) -> CResult<Expr> {
        let Type::Ptr(base) = &e.ty else {
            return Err(CompileError::at(
                pos,
                format!("'*' needs a pointer, not '{}'", e.ty),
            ));
        };
        if matches!(**base, Type::Void) {
            return Err(CompileError::at(
                pos,
                "cannot dereference a 'void *'; cast it to a pointer type first",
            ));
        }
        let ty = (**base).clone();
        Ok(Expr::new(ExprKind::Deref(Box::new(e)), ty, pos))
    }

    pub(super) fn incdec(&self, e: Expr, inc: bool, post: bool, pos: Pos) -> CResult<Expr> {
        let what = if inc { "'++'" } else { "'--'" };
        self.check_lvalue(&e, what)?;
        let step = match &e.ty {
            Type::Int { .. } => 1,
            Type::Ptr(b) if b.is_complete() => b.size() as i32,
            t => {
                return Err(CompileError::at(
                    pos,
                    format!("{what} cannot be applied to '{t}'"),
                ))
            }
        };
        let ty = e.ty.clone();
        Ok(Expr::new(
            ExprKind::IncDec {
                target: Box::new(e),
                delta: if inc { step } else { -step },
                post,
            },
            ty,
            pos,
        ))
    }

    fn sizeof(&mut self, pos: Pos) -> CResult<Expr> {
        let ty = if self.is("(") && self.starts_type(1) {
            self.i += 1;
            let t = self.type_name()?;
            self.expect(")")?;
            t
        } else {
            self.unary()?.ty
        };
        if !ty.is_complete() {
            return Err(CompileError::at(
                pos,
                format!("sizeof of incomplete type '{ty}'"),
            ));
        }
        Ok(num(ty.size(), UINT, pos))
    }
}

/// True for the comparison operators (their result is an `int`).
pub fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

/// The C spelling of `op`.
pub fn op_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Rem => "%",
        BinOp::Shl => "<<",
        BinOp::Shr => ">>",
        BinOp::And => "&",
        BinOp::Or => "|",
        BinOp::Xor => "^",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
    }
}
