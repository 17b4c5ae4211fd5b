//! The typed syntax tree the parser builds and the code generator walks. Implicit
//! conversions are explicit here: operands are already cast to their common type and
//! pointer arithmetic is already scaled.

use crate::error::Pos;
use crate::types::Type;

/// A binary arithmetic, bitwise or comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A unary operator on a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-`
    Neg,
    /// `~`
    BitNot,
    /// `!`
    Not,
}

/// An expression with its type and position.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type (before decay: arrays and functions stay what they are).
    pub ty: Type,
    /// Where it starts.
    pub pos: Pos,
}

/// The kinds of expression.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// An integer constant.
    Num(u32),
    /// A local variable or parameter at this offset from EBP.
    Local(i32),
    /// A global variable or function, by assembly label.
    Global(String),
    /// A string literal, by its index in the program's string table.
    Str(usize),
    /// `&e`.
    Addr(Box<Expr>),
    /// `*e`.
    Deref(Box<Expr>),
    /// A member of a struct or union lvalue, at this byte offset.
    Member(Box<Expr>, u32),
    /// `-e`, `~e`, `!e`.
    Unary(UnOp, Box<Expr>),
    /// `a op b`, both operands already of the operation's type.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a && b`.
    LogAnd(Box<Expr>, Box<Expr>),
    /// `a || b`.
    LogOr(Box<Expr>, Box<Expr>),
    /// `a = b` (b already converted to a's type).
    Assign(Box<Expr>, Box<Expr>),
    /// `a op= b`: a is read, converted to `op_ty`, combined with b (already `op_ty`, and
    /// scaled for pointers), and stored back.
    OpAssign(BinOp, Box<Expr>, Box<Expr>, Type),
    /// `++a`, `a--` and friends: add `delta` (scaled) to the lvalue; `post` returns the old value.
    IncDec {
        /// The lvalue.
        target: Box<Expr>,
        /// What to add (1, -1, or ± the pointed-to size).
        delta: i32,
        /// True for `a++`/`a--`.
        post: bool,
    },
    /// `c ? a : b`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `a, b`.
    Comma(Box<Expr>, Box<Expr>),
    /// A call: the function (or pointer), the converted arguments, and for a struct result
    /// the EBP offset of the temporary that receives it.
    Call {
        /// The function or function pointer.
        func: Box<Expr>,
        /// Arguments, already converted.
        args: Vec<Expr>,
        /// Where a struct result goes.
        ret_buf: Option<i32>,
    },
    /// A conversion to `ty`.
    Cast(Box<Expr>),
}

impl Expr {
    /// An expression of `kind` and `ty` at `pos`.
    pub fn new(kind: ExprKind, ty: Type, pos: Pos) -> Expr {
        Expr { kind, ty, pos }
    }

    /// True for expressions that name an object (may be assigned or have their address taken).
    pub fn is_lvalue(&self) -> bool {
        matches!(
            self.kind,
            ExprKind::Local(_)
                | ExprKind::Global(_)
                | ExprKind::Deref(_)
                | ExprKind::Member(..)
                | ExprKind::Str(_)
        )
    }
}

/// A statement.
#[derive(Clone, Debug)]
pub struct Stmt {
    /// What it does.
    pub kind: StmtKind,
    /// Where it starts (its line goes in the line table).
    pub pos: Pos,
}

/// The kinds of statement.
#[derive(Clone, Debug)]
pub enum StmtKind {
    /// An expression evaluated for its effects.
    Expr(Expr),
    /// `{ ... }`.
    Block(Vec<Stmt>),
    /// Fills `size` bytes at EBP offset with zero (the start of a local initializer).
    Zero(i32, u32),
    /// `if (c) a else b`.
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    /// `while`, `for` (with init as a separate statement before it): condition, body, step.
    Loop {
        /// Tested before each iteration (`None`: forever).
        cond: Option<Expr>,
        /// The body.
        body: Box<Stmt>,
        /// Run after the body and on `continue` (the `for` step).
        step: Option<Expr>,
    },
    /// `do body while (c);`.
    DoWhile(Box<Stmt>, Expr),
    /// `switch (e) body` with the case values (in order) and whether there is a default.
    Switch {
        /// The controlling expression (promoted).
        cond: Expr,
        /// The body, holding `Case` and `Default` statements.
        body: Box<Stmt>,
        /// Each case: its value and the id of its `Case` statement.
        cases: Vec<(u32, usize)>,
        /// True if the body has `default:`.
        has_default: bool,
        /// Id for the switch's labels.
        id: usize,
    },
    /// `case v:` (id from the switch's list).
    Case(usize),
    /// `default:` of the switch with this id.
    Default(usize),
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `goto label`.
    Goto(String),
    /// `label: stmt`.
    Label(String, Box<Stmt>),
    /// `return e;` (e converted to the result type).
    Return(Option<Expr>),
}

/// A function definition.
#[derive(Clone, Debug)]
pub struct Function {
    /// Its C name.
    pub name: String,
    /// Its assembly label.
    pub label: String,
    /// True if it returns a struct or union (through a hidden pointer at EBP+8).
    pub returns_record: bool,
    /// Bytes of locals below EBP.
    pub frame: u32,
    /// The body.
    pub body: Vec<Stmt>,
    /// Where it is defined.
    pub pos: Pos,
}

/// One piece of a global's initial bytes: the address of a label (plus an offset) at this
/// byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reloc {
    /// Byte offset in the object.
    pub offset: u32,
    /// The label whose address goes there.
    pub label: String,
    /// Added to the label's address.
    pub addend: i32,
}

/// A global or static object.
#[derive(Clone, Debug)]
pub struct Global {
    /// Its assembly label.
    pub label: String,
    /// Size in bytes.
    pub size: u32,
    /// Alignment.
    pub align: u32,
    /// Initial bytes (`None`: zero, goes in .bss).
    pub init: Option<Vec<u8>>,
    /// Addresses within the initial bytes.
    pub relocs: Vec<Reloc>,
}

/// A parsed program.
#[derive(Clone, Debug, Default)]
pub struct Unit {
    /// Function definitions in order.
    pub functions: Vec<Function>,
    /// Globals and statics in order.
    pub globals: Vec<Global>,
    /// String literals (their bytes, terminating zero included).
    pub strings: Vec<Vec<u8>>,
}

/// The assembly label of string literal number `i`.
pub fn string_label(i: usize) -> String {
    format!("@str{i}")
}
