//! Expressions: each leaves its value in EAX (a struct or array: its address).

use super::Gen;
use crate::ast::{string_label, BinOp, Expr, ExprKind, UnOp};
use crate::types::Type;

/// The memory operand size keyword for a scalar of `size` bytes.
fn width(size: u32) -> &'static str {
    match size {
        1 => "byte",
        2 => "word",
        _ => "dword",
    }
}

/// EAX's low part of `size` bytes.
fn reg_a(size: u32) -> &'static str {
    match size {
        1 => "al",
        2 => "ax",
        _ => "eax",
    }
}

/// True for values that live in memory as an address (no load).
fn by_address(ty: &Type) -> bool {
    matches!(ty, Type::Array(..) | Type::Record(_) | Type::Func(_))
}

impl Gen<'_> {
    /// The memory operand of a variable, if `e` is one (`[ebp-8]`, `[_x]`).
    fn var_operand(e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Local(off) => Some(format!("[ebp{off:+}]")),
            ExprKind::Global(l) => Some(format!("[{l}]")),
            _ => None,
        }
    }

    /// Loads a scalar of type `ty` from memory operand `mem` into EAX.
    fn load_from(&mut self, ty: &Type, mem: &str) {
        let ins = match ty {
            Type::Int {
                size: 1,
                signed: true,
                ..
            } => format!("movsx eax, byte {mem}"),
            Type::Int {
                size: 1,
                signed: false,
                ..
            } => format!("movzx eax, byte {mem}"),
            Type::Int {
                size: 2,
                signed: true,
                ..
            } => format!("movsx eax, word {mem}"),
            Type::Int {
                size: 2,
                signed: false,
                ..
            } => format!("movzx eax, word {mem}"),
            _ => format!("mov eax, dword {mem}"),
        };
        self.emit(&ins);
    }

    /// Stores EAX's low bytes for a scalar of `ty` to memory operand `mem`.
    fn store_to(&mut self, ty: &Type, mem: &str) {
        let size = ty.size();
        self.emit(&format!("mov {} {mem}, {}", width(size), reg_a(size)));
    }

    /// Sign- or zero-extends EAX from `ty`'s width (after arithmetic on a char or short).
    fn extend(&mut self, ty: &Type) {
        match ty {
            Type::Int {
                size: 1,
                signed: true,
                ..
            } => self.emit("movsx eax, al"),
            Type::Int {
                size: 1,
                signed: false,
                ..
            } => self.emit("movzx eax, al"),
            Type::Int {
                size: 2,
                signed: true,
                ..
            } => self.emit("movsx eax, ax"),
            Type::Int {
                size: 2,
                signed: false,
                ..
            } => self.emit("movzx eax, ax"),
            _ => {}
        }
    }

    /// Puts the address of lvalue `e` in EAX.
    pub(super) fn addr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Local(off) => self.emit(&format!("lea eax, [ebp{off:+}]")),
            ExprKind::Global(l) => self.emit(&format!("mov eax, {l}")),
            ExprKind::Str(i) => self.emit(&format!("mov eax, {}", string_label(*i))),
            ExprKind::Deref(p) => self.expr(p),
            ExprKind::Member(inner, off) => {
                self.addr(inner);
                if *off != 0 {
                    self.emit(&format!("add eax, {off}"));
                }
            }
            // Struct-valued calls, assignments, conditionals and commas: their value is
            // already an address.
            _ => self.expr(e),
        }
    }

    /// Evaluates `e` into EAX.
    pub(super) fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Num(v) => self.emit(&format!("mov eax, {}", imm(*v))),
            ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::Str(_)
            | ExprKind::Deref(_)
            | ExprKind::Member(..) => {
                if by_address(&e.ty) {
                    return self.addr(e);
                }
                if let Some(mem) = Self::var_operand(e) {
                    return self.load_from(&e.ty, &mem);
                }
                self.addr(e);
                self.load_from(&e.ty, "[eax]");
            }
            ExprKind::Addr(inner) => self.addr(inner),
            ExprKind::Cast(inner) => {
                self.expr(inner);
                if e.ty.is_integer() && e.ty.size() < 4 {
                    self.extend(&e.ty);
                }
            }
            ExprKind::Unary(op, a) => {
                self.expr(a);
                match op {
                    UnOp::Neg => self.emit("neg eax"),
                    UnOp::BitNot => self.emit("not eax"),
                    UnOp::Not => {
                        self.emit("test eax, eax");
                        self.emit("sete al");
                        self.emit("movzx eax, al");
                    }
                }
            }
            ExprKind::Binary(op, a, b) => {
                let unsigned = a.ty.is_unsigned();
                if let Some(operand) = simple_operand(b) {
                    self.expr(a);
                    if matches!(op, BinOp::Div | BinOp::Rem | BinOp::Shl | BinOp::Shr) {
                        self.emit(&format!("mov ecx, {operand}"));
                        self.op_ecx(*op, unsigned);
                    } else {
                        self.op_with(*op, &operand, unsigned);
                    }
                    return;
                }
                self.expr(b);
                self.emit("push eax");
                self.expr(a);
                self.emit("pop ecx");
                self.op_ecx(*op, unsigned);
            }
            ExprKind::LogAnd(a, b) | ExprKind::LogOr(a, b) => {
                let and = matches!(e.kind, ExprKind::LogAnd(..));
                let (short, end) = (self.new_label(), self.new_label());
                let jump = if and { "je" } else { "jne" };
                self.expr(a);
                self.emit("test eax, eax");
                self.emit(&format!("{jump} {short}"));
                self.expr(b);
                self.emit("test eax, eax");
                self.emit(&format!("{jump} {short}"));
                self.emit(&format!("mov eax, {}", u32::from(and)));
                self.emit(&format!("jmp {end}"));
                self.label(&short);
                self.emit(&format!("mov eax, {}", u32::from(!and)));
                self.label(&end);
            }
            ExprKind::Assign(lhs, rhs) => self.assign(lhs, rhs),
            ExprKind::OpAssign(op, lhs, rhs, op_ty) => {
                self.addr(lhs);
                self.emit("push eax");
                self.expr(rhs);
                self.emit("mov ecx, eax");
                self.emit("mov eax, [esp]");
                self.load_from(&lhs.ty, "[eax]");
                self.op_ecx(*op, op_ty.is_unsigned());
                self.emit("pop ecx");
                self.store_to(&lhs.ty, "[ecx]");
                self.extend(&lhs.ty);
            }
            ExprKind::IncDec {
                target,
                delta,
                post,
            } => {
                let mem = match Self::var_operand(target) {
                    Some(m) => m,
                    None => {
                        self.addr(target);
                        self.emit("mov ecx, eax");
                        "[ecx]".to_string()
                    }
                };
                self.load_from(&target.ty, &mem);
                if *post {
                    self.emit("mov edx, eax");
                }
                self.emit(&format!("add eax, {delta}"));
                self.store_to(&target.ty, &mem);
                if *post {
                    self.emit("mov eax, edx");
                } else {
                    self.extend(&target.ty);
                }
            }
            ExprKind::Cond(c, a, b) => {
                let (l_else, l_end) = (self.new_label(), self.new_label());
                self.expr(c);
                self.jump_if_zero(&l_else);
                self.expr(a);
                self.emit(&format!("jmp {l_end}"));
                self.label(&l_else);
                self.expr(b);
                self.label(&l_end);
            }
            ExprKind::Comma(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Call {
                func,
                args,
                ret_buf,
            } => self.call(func, args, *ret_buf),
        }
    }

    fn assign(&mut self, lhs: &Expr, rhs: &Expr) {
        if lhs.ty.is_record() {
            self.addr(lhs);
            self.emit("push eax");
            self.expr(rhs);
            self.emit("pop ecx");
            self.copy(lhs.ty.size());
            return;
        }
        if let Some(mem) = Self::var_operand(lhs) {
            self.expr(rhs);
            return self.store_to(&lhs.ty, &mem);
        }
        self.addr(lhs);
        self.emit("push eax");
        self.expr(rhs);
        self.emit("pop ecx");
        self.store_to(&lhs.ty, "[ecx]");
    }

    fn call(&mut self, func: &Expr, args: &[Expr], ret_buf: Option<i32>) {
        let mut bytes = 0;
        for a in args.iter().rev() {
            self.expr(a);
            if a.ty.is_record() {
                let size = a.ty.size().div_ceil(4) * 4;
                self.emit(&format!("sub esp, {size}"));
                self.emit("mov ecx, esp");
                self.copy(a.ty.size());
                bytes += size;
            } else {
                self.emit("push eax");
                bytes += 4;
            }
        }
        if let Some(off) = ret_buf {
            self.emit(&format!("lea eax, [ebp{off:+}]"));
            self.emit("push eax");
            bytes += 4;
        }
        match (&func.kind, &func.ty) {
            (ExprKind::Global(l), Type::Func(_)) => self.emit(&format!("call {l}")),
            _ => {
                self.expr(func);
                self.emit("call eax");
            }
        }
        if bytes > 0 {
            self.emit(&format!("add esp, {bytes}"));
        }
    }

    /// EAX = EAX op ECX.
    fn op_ecx(&mut self, op: BinOp, unsigned: bool) {
        match op {
            BinOp::Div | BinOp::Rem => {
                if unsigned {
                    self.emit("mov edx, 0");
                    self.emit("div ecx");
                } else {
                    self.emit("cdq");
                    self.emit("idiv ecx");
                }
                if op == BinOp::Rem {
                    self.emit("mov eax, edx");
                }
            }
            BinOp::Shl => self.emit("shl eax, cl"),
            BinOp::Shr => self.emit(if unsigned {
                "shr eax, cl"
            } else {
                "sar eax, cl"
            }),
            _ => self.op_with(op, "ecx", unsigned),
        }
    }

    /// EAX = EAX op `operand`, for the operators that take any operand.
    fn op_with(&mut self, op: BinOp, operand: &str, unsigned: bool) {
        let simple = match op {
            BinOp::Add => "add",
            BinOp::Sub => "sub",
            BinOp::Mul => "imul",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Xor => "xor",
            _ => "",
        };
        if !simple.is_empty() {
            if op == BinOp::Mul && operand.parse::<i64>().is_ok() {
                return self.emit(&format!("imul eax, eax, {operand}"));
            }
            return self.emit(&format!("{simple} eax, {operand}"));
        }
        let set = match (op, unsigned) {
            (BinOp::Eq, _) => "sete",
            (BinOp::Ne, _) => "setne",
            (BinOp::Lt, false) => "setl",
            (BinOp::Le, false) => "setle",
            (BinOp::Gt, false) => "setg",
            (BinOp::Ge, false) => "setge",
            (BinOp::Lt, true) => "setb",
            (BinOp::Le, true) => "setbe",
            (BinOp::Gt, true) => "seta",
            _ => "setae",
        };
        self.emit(&format!("cmp eax, {operand}"));
        self.emit(&format!("{set} al"));
        self.emit("movzx eax, al");
    }
}

/// A right operand usable directly in an instruction: a constant or a 4-byte variable.
fn simple_operand(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Num(v) => Some(imm(*v)),
        ExprKind::Local(_) | ExprKind::Global(_) if e.ty.size() == 4 && e.ty.is_scalar() => {
            Gen::var_operand(e).map(|m| format!("dword {m}"))
        }
        _ => None,
    }
}

/// A 32-bit constant as the assembler reads it: small negatives in decimal.
fn imm(v: u32) -> String {
    let s = v as i32;
    if (-65536..=65536).contains(&s) {
        s.to_string()
    } else {
        format!("{v:#x}")
    }
}
