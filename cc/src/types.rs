//! C's types for a 32-bit i386: sizes, alignment, the integer promotions and the usual
//! arithmetic conversions.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// A struct or union: its members, size and alignment (size 0 and `complete == false` until
/// its body is seen).
#[derive(Debug, Default)]
pub struct Record {
    /// The tag, if any (for messages).
    pub tag: Option<String>,
    /// True for a union.
    pub is_union: bool,
    /// Members in declaration order.
    pub members: Vec<Member>,
    /// Size in bytes, a multiple of `align`.
    pub size: u32,
    /// Alignment in bytes.
    pub align: u32,
    /// True once the member list has been seen.
    pub complete: bool,
}

/// One member of a struct or union.
#[derive(Clone, Debug)]
pub struct Member {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Byte offset from the start of the record.
    pub offset: u32,
}

/// A function's type: result, parameters and whether it is variadic.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncType {
    /// Result type.
    pub ret: Type,
    /// Parameter types, `None` for an old-style `f()` that takes anything.
    pub params: Option<Vec<Type>>,
    /// True if the list ends in `...`.
    pub variadic: bool,
}

/// A C type.
#[derive(Clone, Debug)]
pub enum Type {
    /// `void`.
    Void,
    /// An integer of 1, 2 or 4 bytes (`long` is 4 bytes, like `int`); `long` is remembered
    /// for messages only.
    Int {
        /// 1, 2 or 4.
        size: u8,
        /// Signed or unsigned.
        signed: bool,
        /// Spelled `long`.
        long: bool,
    },
    /// A pointer.
    Ptr(Rc<Type>),
    /// An array of a known (`Some`) or not yet known length.
    Array(Rc<Type>, Option<u32>),
    /// A function.
    Func(Rc<FuncType>),
    /// A struct or union (shared so a pointer member can name an incomplete one).
    Record(Rc<RefCell<Record>>),
}

impl PartialEq for Type {
    fn eq(&self, other: &Type) -> bool {
        match (self, other) {
            (Type::Void, Type::Void) => true,
            (
                Type::Int { size, signed, .. },
                Type::Int {
                    size: s2,
                    signed: g2,
                    ..
                },
            ) => size == s2 && signed == g2,
            (Type::Ptr(a), Type::Ptr(b)) => a == b,
            (Type::Array(a, n), Type::Array(b, m)) => a == b && n == m,
            (Type::Func(a), Type::Func(b)) => a == b,
            (Type::Record(a), Type::Record(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// `int`.
pub const INT: Type = Type::Int {
    size: 4,
    signed: true,
    long: false,
};
/// `unsigned int`.
pub const UINT: Type = Type::Int {
    size: 4,
    signed: false,
    long: false,
};
/// `char` (signed, as GCC has it on i386).
pub const CHAR: Type = Type::Int {
    size: 1,
    signed: true,
    long: false,
};

impl Type {
    /// A pointer to `self`.
    pub fn ptr_to(&self) -> Type {
        Type::Ptr(Rc::new(self.clone()))
    }

    /// Size in bytes (0 for void, functions and incomplete types).
    pub fn size(&self) -> u32 {
        match self {
            Type::Void | Type::Func(_) => 0,
            Type::Int { size, .. } => u32::from(*size),
            Type::Ptr(_) => 4,
            Type::Array(t, n) => t.size().saturating_mul(n.unwrap_or(0)),
            Type::Record(r) => r.borrow().size,
        }
    }

    /// Alignment in bytes.
    pub fn align(&self) -> u32 {
        match self {
            Type::Void | Type::Func(_) => 1,
            Type::Int { size, .. } => u32::from(*size),
            Type::Ptr(_) => 4,
            Type::Array(t, _) => t.align(),
            Type::Record(r) => r.borrow().align.max(1),
        }
    }

    /// True for integer types (enums are ints).
    pub fn is_integer(&self) -> bool {
        matches!(self, Type::Int { .. })
    }

    /// True for unsigned integers and pointers (compared and divided unsigned).
    pub fn is_unsigned(&self) -> bool {
        match self {
            Type::Int { signed, .. } => !signed,
            Type::Ptr(_) => true,
            _ => false,
        }
    }

    /// True for integers and pointers.
    pub fn is_scalar(&self) -> bool {
        matches!(self, Type::Int { .. } | Type::Ptr(_))
    }

    /// True for a struct or union.
    pub fn is_record(&self) -> bool {
        matches!(self, Type::Record(_))
    }

    /// What a pointer or array points to.
    pub fn base(&self) -> Option<&Type> {
        match self {
            Type::Ptr(t) | Type::Array(t, _) => Some(t),
            _ => None,
        }
    }

    /// The type after array-to-pointer and function-to-pointer decay.
    pub fn decay(&self) -> Type {
        match self {
            Type::Array(t, _) => t.ptr_to(),
            Type::Func(_) => self.ptr_to(),
            t => t.clone(),
        }
    }

    /// The integer promotions: small integers become `int`.
    pub fn promote(&self) -> Type {
        match self {
            Type::Int { size, .. } if *size < 4 => INT,
            t => t.clone(),
        }
    }

    /// The function type, for a function or a pointer to one.
    pub fn func(&self) -> Option<&Rc<FuncType>> {
        match self {
            Type::Func(f) => Some(f),
            Type::Ptr(t) => match &**t {
                Type::Func(f) => Some(f),
                _ => None,
            },
            _ => None,
        }
    }

    /// True if objects of this type can be created (complete and not void or function).
    pub fn is_complete(&self) -> bool {
        match self {
            Type::Void | Type::Func(_) => false,
            Type::Array(t, n) => n.is_some() && t.is_complete(),
            Type::Record(r) => r.borrow().complete,
            _ => true,
        }
    }
}

/// The usual arithmetic conversions of two integer operands (32-bit `int` and `long`).
pub fn common(a: &Type, b: &Type) -> Type {
    let (a, b) = (a.promote(), b.promote());
    if a.is_unsigned() || b.is_unsigned() {
        UINT
    } else {
        INT
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Void => write!(f, "void"),
            Type::Int { size, signed, long } => {
                let name = match (size, long) {
                    (1, _) => "char",
                    (2, _) => "short",
                    (_, true) => "long",
                    _ => "int",
                };
                if *signed {
                    write!(f, "{name}")
                } else {
                    write!(f, "unsigned {name}")
                }
            }
            Type::Ptr(t) => write!(f, "{t} *"),
            Type::Array(t, Some(n)) => write!(f, "{t} [{n}]"),
            Type::Array(t, None) => write!(f, "{t} []"),
            Type::Func(func) => write!(f, "{} (function)", func.ret),
            Type::Record(r) => {
                let r = r.borrow();
                let kw = if r.is_union { "union" } else { "struct" };
                match &r.tag {
                    Some(t) => write!(f, "{kw} {t}"),
                    None => write!(f, "{kw} (anonymous)"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_conversions() {
        let a = Type::Array(Rc::new(Type::Array(Rc::new(CHAR), Some(3))), Some(5));
        assert_eq!((a.size(), a.align()), (15, 1));
        assert_eq!(common(&CHAR, &UINT), UINT);
        assert_eq!(common(&CHAR, &CHAR), INT);
        assert_eq!(CHAR.ptr_to().to_string(), "char *");
    }
}
