//! Declarations: specifiers (`static unsigned long`, `struct s {...}`, `enum`, typedef
//! names), declarators (`*p`, `a[3][4]`, `(*f)(int)`), struct/union layout and enums.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Parser, Sym};
use crate::error::{CResult, CompileError, Pos};
use crate::types::{FuncType, Member, Record, Type, INT};

/// A parameter: its name if given, its type (after array and function decay) and position.
pub type Param = (Option<String>, Type, Pos);

/// Where a declared object lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// No storage class (or `auto`/`register`).
    Default,
    /// `static`.
    Static,
    /// `extern`.
    Extern,
    /// `typedef`.
    Typedef,
}

const KEYWORDS: &[&str] = &[
    "auto", "break", "case", "char", "const", "continue", "default", "do", "else", "enum",
    "extern", "for", "goto", "if", "int", "long", "register", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile",
    "while", "float", "double", "inline",
];

/// True for C's reserved words.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

const TYPE_WORDS: &[&str] = &[
    "void", "char", "short", "int", "long", "signed", "unsigned", "struct", "union", "enum",
    "const", "volatile", "static", "extern", "typedef", "auto", "register", "inline", "float",
    "double",
];

impl Parser {
    /// True if the next token starts a declaration (a type word or a typedef name).
    pub(super) fn is_typename(&self) -> bool {
        self.starts_type(0)
    }

    /// True if the token `k` ahead starts a type name.
    pub(super) fn starts_type(&self, k: usize) -> bool {
        match self.peek_at(k).and_then(|t| t.ident()) {
            Some(s) if TYPE_WORDS.contains(&s) => true,
            Some(s) => matches!(self.lookup(s), Some(Sym::Typedef(_))),
            None => false,
        }
    }

    /// Declaration specifiers: storage class and base type.
    pub(super) fn declspec(&mut self) -> CResult<(Type, Storage)> {
        let start = self.pos();
        let mut storage = Storage::Default;
        let (mut signed, mut unsigned, mut char_, mut short, mut int, mut long, mut void) =
            (false, false, false, false, false, 0u8, false);
        let mut other: Option<Type> = None;
        while let Some(word) = self.peek().and_then(|t| t.ident()).map(str::to_string) {
            let pos = self.pos();
            let set_storage = |s: Storage, storage: &mut Storage| -> CResult<()> {
                if *storage != Storage::Default {
                    return Err(CompileError::at(pos, "only one storage class is allowed"));
                }
                *storage = s;
                Ok(())
            };
            match word.as_str() {
                "const" | "volatile" | "auto" | "register" | "inline" => {}
                "static" => set_storage(Storage::Static, &mut storage)?,
                "extern" => set_storage(Storage::Extern, &mut storage)?,
                "typedef" => set_storage(Storage::Typedef, &mut storage)?,
                "signed" => signed = true,
                "unsigned" => unsigned = true,
                "char" => char_ = true,
                "short" => short = true,
                "int" => int = true,
                "long" => long += 1,
                "void" => void = true,
                "float" | "double" => {
                    return Err(CompileError::at(
                        pos,
                        format!("'{word}': this compiler has no floating point"),
                    ))
                }
                "struct" | "union" => {
                    if other.is_some() {
                        return Err(CompileError::at(pos, "two types in one declaration"));
                    }
                    self.i += 1;
                    other = Some(self.record(word == "union")?);
                    continue;
                }
                "enum" => {
                    if other.is_some() {
                        return Err(CompileError::at(pos, "two types in one declaration"));
                    }
                    self.i += 1;
                    other = Some(self.enum_spec()?);
                    continue;
                }
                _ => {
                    let any_type = signed
                        || unsigned
                        || char_
                        || short
                        || int
                        || long > 0
                        || void
                        || other.is_some();
                    match self.lookup(&word) {
                        Some(Sym::Typedef(t)) if !any_type => other = Some(t.clone()),
                        _ => break,
                    }
                }
            }
            self.i += 1;
        }
        let basic = signed || unsigned || char_ || short || int || long > 0;
        let bad = |m: &str| Err(CompileError::at(start, m.to_string()));
        let ty = match (other, void, basic) {
            (Some(t), false, false) => t,
            (Some(_), _, _) => return bad("two types in one declaration"),
            (None, true, false) => Type::Void,
            (None, true, true) => return bad("'void' cannot be combined with other type words"),
            (None, false, _) => {
                if signed && unsigned {
                    return bad("'signed' and 'unsigned' together");
                }
                if long > 2 || (char_ && (short || long > 0)) || (short && long > 0) {
                    return bad("this combination of type words is not a type");
                }
                if long == 2 {
                    return bad("'long long' (64-bit) is not supported; use long (32-bit)");
                }
                if !basic && storage == Storage::Default {
                    return match self.peek() {
                        Some(t) => match t.ident() {
                            Some(n) if !is_keyword(n) => {
                                self.err(format!("unknown type name '{n}'"))
                            }
                            _ => self.err(format!("expected a type, found '{}'", t.text())),
                        },
                        None => self.err("expected a type at the end of the program"),
                    };
                }
                let size = if char_ {
                    1
                } else if short {
                    2
                } else {
                    4
                };
                Type::Int {
                    size,
                    signed: !unsigned,
                    long: long > 0,
                }
            }
        };
        Ok((ty, storage))
    }

    /// A declarator over `base`: the declared name (if any), its type and position.
    pub(super) fn declarator(&mut self, base: &Type) -> CResult<(Option<String>, Type, Pos)> {
        self.enter()?;
        let r = self.declarator_inner(base);
        self.leave();
        r
    }

    fn declarator_inner(&mut self, base: &Type) -> CResult<(Option<String>, Type, Pos)> {
        let mut ty = base.clone();
        while self.eat("*") {
            ty = ty.ptr_to();
            while self.eat_ident("const") || self.eat_ident("volatile") {}
        }
        // A parenthesized declarator such as `(*f)(int)`: skip it, read the suffixes that
        // follow, then come back and read it over the suffixed type.
        if self.is("(") && !self.paren_starts_params() {
            let start = self.i;
            self.i += 1;
            let mut depth = 1;
            while depth > 0 {
                if self.eat("(") {
                    depth += 1;
                } else if self.eat(")") {
                    depth -= 1;
                } else if self.peek().is_none() {
                    return self.err("missing ')' in a declarator");
                } else {
                    self.i += 1;
                }
            }
            let outer = self.suffixes(ty)?;
            let end = self.i;
            self.i = start + 1;
            let r = self.declarator(&outer)?;
            self.expect(")")?;
            self.i = end;
            return Ok(r);
        }
        let pos = self.pos();
        let name = self.optional_name();
        let ty = self.suffixes(ty)?;
        Ok((name, ty, pos))
    }

    /// True if the `(` at the cursor opens a parameter list rather than a nested declarator.
    fn paren_starts_params(&self) -> bool {
        match self.peek_at(1) {
            Some(t) if t.is(")") || t.is("...") => true,
            Some(t) => match t.ident() {
                Some(s) if TYPE_WORDS.contains(&s) => true,
                Some(s) => matches!(self.lookup(s), Some(Sym::Typedef(_))),
                None => false,
            },
            None => false,
        }
    }

    /// Array and function suffixes: `[N]...` and `(params)`.
    fn suffixes(&mut self, ty: Type) -> CResult<Type> {
        if self.eat("[") {
            let pos = self.pos();
            let len = if self.is("]") {
                None
            } else {
                let e = self.conditional()?;
                let n = self.const_int(&e)? as i32;
                if n < 0 {
                    return Err(CompileError::at(pos, "an array's size cannot be negative"));
                }
                Some(n as u32)
            };
            self.expect("]")?;
            let elem = self.suffixes(ty)?;
            if !elem.is_complete() {
                return Err(CompileError::at(
                    pos,
                    format!("array of incomplete type '{elem}'"),
                ));
            }
            if elem
                .size()
                .checked_mul(len.unwrap_or(0))
                .is_none_or(|s| s > 0x1000_0000)
            {
                return Err(CompileError::at(pos, "this array is larger than 256 MiB"));
            }
            return Ok(Type::Array(Rc::new(elem), len));
        }
        if self.is("(") {
            let pos = self.pos();
            self.i += 1;
            let (params, variadic) = self.params()?;
            if matches!(ty, Type::Func(_) | Type::Array(..)) {
                return Err(CompileError::at(
                    pos,
                    format!("a function cannot return '{ty}'"),
                ));
            }
            let types = params
                .as_ref()
                .map(|ps| ps.iter().map(|p| p.1.clone()).collect());
            self.last_params = Some(params.unwrap_or_default());
            return Ok(Type::Func(Rc::new(FuncType {
                ret: ty,
                params: types,
                variadic,
            })));
        }
        Ok(ty)
    }

    /// A parameter list after `(`, through `)`. `None` for `()`.
    fn params(&mut self) -> CResult<(Option<Vec<Param>>, bool)> {
        if self.eat(")") {
            return Ok((None, false));
        }
        if self.is_ident("void") && self.peek_at(1).is_some_and(|t| t.is(")")) {
            self.i += 2;
            return Ok((Some(Vec::new()), false));
        }
        let mut params = Vec::new();
        let mut variadic = false;
        loop {
            if self.eat("...") {
                variadic = true;
                self.expect(")")?;
                break;
            }
            let (base, _) = self.declspec()?;
            let saved = self.last_params.take();
            let (name, ty, pos) = self.declarator(&base)?;
            self.last_params = saved;
            let ty = match ty {
                Type::Array(t, _) => t.ptr_to(),
                t @ Type::Func(_) => t.ptr_to(),
                Type::Void => return Err(CompileError::at(pos, "a parameter cannot be 'void'")),
                t => t,
            };
            params.push((name, ty, pos));
            if self.eat(")") {
                break;
            }
            self.expect(",")?;
        }
        Ok((Some(params), variadic))
    }

    /// A type name, as in casts and `sizeof(type)`.
    pub(super) fn type_name(&mut self) -> CResult<Type> {
        let (base, storage) = self.declspec()?;
        if storage != Storage::Default {
            return self.err("a storage class is not allowed in a type name");
        }
        let (name, ty, pos) = self.declarator(&base)?;
        if let Some(n) = name {
            return Err(CompileError::at(
                pos,
                format!("unexpected name '{n}' in a type"),
            ));
        }
        Ok(ty)
    }

    /// The name (not a keyword) at the cursor, consumed; `None`, consuming nothing, if
    /// there is none.
    fn optional_name(&mut self) -> Option<String> {
        let name = self
            .peek()
            .and_then(|t| t.ident())
            .filter(|n| !is_keyword(n))?
            .to_string();
        self.i += 1;
        Some(name)
    }

    /// `struct`/`union` after the keyword: a tag, a body, or both.
    fn record(&mut self, is_union: bool) -> CResult<Type> {
        let pos = self.pos();
        let tag = self.optional_name();
        let kw = if is_union { "union" } else { "struct" };
        if !self.is("{") {
            let Some(tag) = tag else {
                return self.err(format!("expected a tag or '{{' after '{kw}'"));
            };
            if let Some(t) = self.lookup_tag(&tag) {
                return Ok(t.clone());
            }
            // A forward reference: an incomplete type completed later in this scope.
            let t = Type::Record(Rc::new(RefCell::new(Record {
                tag: Some(tag.clone()),
                is_union,
                ..Record::default()
            })));
            if let Some(s) = self.tags.last_mut() {
                s.insert(tag, t.clone());
            }
            return Ok(t);
        }
        self.i += 1;
        let rc = match tag
            .as_ref()
            .and_then(|t| self.tags.last().and_then(|s| s.get(t)))
        {
            Some(Type::Record(r)) if !r.borrow().complete => r.clone(),
            Some(_) => {
                return Err(CompileError::at(
                    pos,
                    format!("'{kw} {}' is defined twice", tag.unwrap_or_default()),
                ))
            }
            None => Rc::new(RefCell::new(Record {
                tag: tag.clone(),
                is_union,
                ..Record::default()
            })),
        };
        if let Some(tag) = &tag {
            if let Some(s) = self.tags.last_mut() {
                s.insert(tag.clone(), Type::Record(rc.clone()));
            }
        }
        let mut members: Vec<Member> = Vec::new();
        let (mut size, mut align) = (0u32, 1u32);
        while !self.eat("}") {
            if self.peek().is_none() {
                return self.err(format!("missing '}}' at the end of this {kw}"));
            }
            let (base, _) = self.declspec()?;
            loop {
                let (name, ty, mpos) = self.declarator(&base)?;
                if !ty.is_complete() {
                    return Err(CompileError::at(
                        mpos,
                        format!("member has incomplete type '{ty}'"),
                    ));
                }
                let name = name.unwrap_or_default();
                if !name.is_empty() && members.iter().any(|m| m.name == name) {
                    return Err(CompileError::at(mpos, format!("duplicate member '{name}'")));
                }
                let a = ty.align();
                let offset = if is_union { 0 } else { size.div_ceil(a) * a };
                size = if is_union {
                    size.max(ty.size())
                } else {
                    offset + ty.size()
                };
                align = align.max(a);
                members.push(Member { name, ty, offset });
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(";")?;
        }
        let mut r = rc.borrow_mut();
        r.members = members;
        r.size = size.div_ceil(align) * align;
        r.align = align;
        r.complete = true;
        drop(r);
        Ok(Type::Record(rc))
    }

    /// `enum` after the keyword: declares its constants, returns `int`.
    fn enum_spec(&mut self) -> CResult<Type> {
        let tag = self.optional_name();
        if !self.eat("{") {
            return match tag {
                Some(_) => Ok(INT),
                None => self.err("expected a tag or '{' after 'enum'"),
            };
        }
        let mut next: i32 = 0;
        while !self.eat("}") {
            let (name, _) = self.ident()?;
            if self.eat("=") {
                let e = self.conditional()?;
                next = self.const_int(&e)? as i32;
            }
            self.declare(&name, Sym::EnumConst(next));
            next = next.wrapping_add(1);
            if !self.eat(",") {
                self.expect("}")?;
                break;
            }
        }
        Ok(INT)
    }
}
