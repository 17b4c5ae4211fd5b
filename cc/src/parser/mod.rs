//! The parser: preprocessed tokens to a typed [`Unit`], by recursive descent over C89's
//! grammar (plus `//` comments and declarations anywhere). Names are resolved and types
//! checked while parsing, so errors name the C construct ("'buf' undeclared").

mod consteval;
mod decl;
mod expr;
mod init;
mod postfix;
mod stmt;

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use crate::ast::{Function, Global, Unit};
use crate::error::{CResult, CompileError, Pos};
use crate::lexer::{TokKind, Token};
use crate::types::Type;

/// Deepest nesting of expressions, declarators and statements, so that a pathological source
/// ends in an error instead of overflowing the stack.
const MAX_DEPTH: usize = 256;

/// What a name in scope stands for.
#[derive(Clone, Debug)]
enum Sym {
    /// A variable (or function): how to reach it and its type.
    Var(VarRef, Type),
    /// A `typedef` name.
    Typedef(Type),
    /// An enumeration constant.
    EnumConst(i32),
}

/// Where a variable lives.
#[derive(Clone, Debug)]
enum VarRef {
    /// At this offset from EBP.
    Local(i32),
    /// At this assembly label.
    Global(String),
}

/// What we know about a global name: type, whether it is defined here, and where it was
/// first used (to report one that is used but never defined).
#[derive(Clone, Debug)]
struct GlobalInfo {
    ty: Type,
    defined: bool,
    first_use: Option<Pos>,
}

/// Per-function state.
struct FnState {
    name: String,
    ret: Type,
    /// Bytes of locals allocated so far below EBP.
    frame: u32,
    labels: BTreeMap<String, Pos>,
    gotos: Vec<(String, Pos)>,
}

/// Per-switch state while its body is parsed.
struct SwitchState {
    id: usize,
    ty: Type,
    cases: Vec<(u32, usize)>,
    has_default: bool,
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    scopes: Vec<HashMap<String, Sym>>,
    tags: Vec<HashMap<String, Type>>,
    globals: BTreeMap<String, GlobalInfo>,
    unit: Unit,
    func: Option<FnState>,
    switches: Vec<SwitchState>,
    /// Enclosing loops and switches, to check `break` and `continue`.
    loops: usize,
    breakable: usize,
    next_id: usize,
    depth: usize,
    /// The parameters (names, types, positions) of the last function declarator parsed.
    last_params: Option<Vec<decl::Param>>,
}

/// Parses a preprocessed program.
///
/// # Errors
/// The first syntax or type error, or a function or variable used but never defined.
pub fn parse(toks: Vec<Token>) -> CResult<Unit> {
    let mut p = Parser {
        toks,
        i: 0,
        scopes: vec![HashMap::new()],
        tags: vec![HashMap::new()],
        globals: BTreeMap::new(),
        unit: Unit::default(),
        func: None,
        switches: Vec::new(),
        loops: 0,
        breakable: 0,
        next_id: 0,
        depth: 0,
        last_params: None,
    };
    while p.i < p.toks.len() {
        p.top_level()?;
    }
    for (name, g) in &p.globals {
        if crate::codegen::RUNTIME_FUNCTIONS.contains(&name.as_str()) {
            continue;
        }
        if let (false, Some(pos)) = (g.defined, g.first_use) {
            let what = if matches!(g.ty, Type::Func(_)) {
                "function"
            } else {
                "variable"
            };
            return Err(CompileError::at(
                pos,
                format!("{what} '{name}' is declared but never defined"),
            ));
        }
    }
    if !p.globals.get("main").is_some_and(|g| g.defined) {
        return Err(CompileError::at(
            Pos {
                file: 0,
                line: 1,
                col: 1,
            },
            "the program has no 'main' function",
        ));
    }
    Ok(p.unit)
}

/// The assembly label of a global C name: an underscore in front, so that no C name can
/// collide with a register or an assembler keyword (`start` becomes `_start@c`: the assembler
/// would take `_start` as the entry point). The compiler's own labels contain `@`, which C
/// names cannot.
pub fn label_of(name: &str) -> String {
    if name == "start" {
        "_start@c".to_string()
    } else {
        format!("_{name}")
    }
}

/// The C name of a global's label (the inverse of [`label_of`]).
pub fn name_of(label: &str) -> &str {
    match label.strip_prefix('_') {
        Some(rest) => rest.strip_suffix("@c").unwrap_or(rest),
        None => label.split('@').next().unwrap_or(label), // a static local: `name@function3`
    }
}

impl Parser {
    // ---- tokens ----

    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.i)
    }

    fn peek_at(&self, k: usize) -> Option<&Token> {
        self.toks.get(self.i + k)
    }

    fn pos(&self) -> Pos {
        match self.peek() {
            Some(t) => t.pos,
            None => self.toks.last().map(|t| t.pos).unwrap_or(Pos {
                file: 0,
                line: 1,
                col: 1,
            }),
        }
    }

    fn is(&self, p: &str) -> bool {
        self.peek().is_some_and(|t| t.is(p))
    }

    fn is_ident(&self, name: &str) -> bool {
        self.peek().and_then(Token::ident) == Some(name)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_ident(&mut self, name: &str) -> bool {
        if self.is_ident(name) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn err<T>(&self, msg: impl Into<String>) -> CResult<T> {
        Err(CompileError::at(self.pos(), msg))
    }

    fn expect(&mut self, p: &str) -> CResult<()> {
        if self.eat(p) {
            return Ok(());
        }
        match self.peek() {
            Some(t) => self.err(format!("expected '{p}' before '{}'", t.text())),
            None => self.err(format!("expected '{p}' at the end of the program")),
        }
    }

    /// A name that is not a keyword.
    fn ident(&mut self) -> CResult<(String, Pos)> {
        match self.peek() {
            Some(t) => match &t.kind {
                TokKind::Ident(s) if !decl::is_keyword(s) => {
                    let r = (s.clone(), t.pos);
                    self.i += 1;
                    Ok(r)
                }
                _ => self.err(format!("expected a name, found '{}'", t.text())),
            },
            None => self.err("expected a name at the end of the program"),
        }
    }

    fn enter(&mut self) -> CResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(format!(
                "the program nests more than {MAX_DEPTH} levels deep here"
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Runs `f`, which may [`enter`](Self::enter) once per link of a chain it builds
    /// (`a + b + c` is a tree as deep as it is long), and restores the depth after.
    fn chain<T>(&mut self, f: impl FnOnce(&mut Self) -> CResult<T>) -> CResult<T> {
        let depth = self.depth;
        let r = f(self);
        self.depth = depth;
        r
    }

    fn fresh_id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    // ---- scopes ----

    fn push_scope(&mut self) {
        self.scopes.push(HashMap::new());
        self.tags.push(HashMap::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
        self.tags.pop();
    }

    fn lookup(&self, name: &str) -> Option<&Sym> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn declare(&mut self, name: &str, sym: Sym) {
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name.to_string(), sym);
        }
    }

    fn lookup_tag(&self, name: &str) -> Option<&Type> {
        self.tags.iter().rev().find_map(|s| s.get(name))
    }

    /// Allocates a local of `ty` in the current function's frame; returns its EBP offset.
    fn alloc_local(&mut self, ty: &Type) -> i32 {
        let Some(f) = self.func.as_mut() else {
            return 0;
        };
        let align = ty.align().max(1);
        let size = ty.size().max(1);
        f.frame = (f.frame.saturating_add(size)).div_ceil(align) * align;
        -(f.frame as i32)
    }

    /// Records a global declaration, checking it agrees with earlier ones.
    fn declare_global(&mut self, name: &str, ty: &Type, defined: bool, pos: Pos) -> CResult<()> {
        if let Some(g) = self.globals.get_mut(name) {
            let same = match (&g.ty, ty) {
                (Type::Func(a), Type::Func(b)) => {
                    a.ret == b.ret
                        && (a.params.is_none() || b.params.is_none() || a.params == b.params)
                }
                (Type::Array(a, _), Type::Array(b, _)) => a == b,
                (a, b) => a == b,
            };
            if !same {
                return Err(CompileError::at(
                    pos,
                    format!("'{name}' was declared before with a different type"),
                ));
            }
            if defined && g.defined {
                return Err(CompileError::at(pos, format!("'{name}' is defined twice")));
            }
            g.defined |= defined;
            if defined || matches!(ty, Type::Array(_, Some(_))) {
                g.ty = ty.clone();
            }
            if let (Type::Func(new), Type::Func(old)) = (ty, &g.ty) {
                if new.params.is_some() && old.params.is_none() {
                    g.ty = ty.clone();
                }
            }
        } else {
            self.globals.insert(
                name.to_string(),
                GlobalInfo {
                    ty: ty.clone(),
                    defined,
                    first_use: None,
                },
            );
        }
        let ty = self.globals.get(name).map_or(ty.clone(), |g| g.ty.clone());
        self.scopes[0].insert(
            name.to_string(),
            Sym::Var(VarRef::Global(label_of(name)), ty),
        );
        Ok(())
    }

    fn note_use(&mut self, name: &str, pos: Pos) {
        if let Some(g) = self.globals.get_mut(name) {
            g.first_use.get_or_insert(pos);
        }
    }

    // ---- top level ----

    fn top_level(&mut self) -> CResult<()> {
        if self.eat(";") {
            return Ok(());
        }
        let (base, storage) = self.declspec()?;
        if self.eat(";") {
            return Ok(()); // `struct s { ... };`
        }
        loop {
            let (name, ty, pos) = self.declarator(&base)?;
            let Some(name) = name else {
                return Err(CompileError::at(pos, "this declaration needs a name"));
            };
            if storage == decl::Storage::Typedef {
                self.declare(&name, Sym::Typedef(ty));
            } else if let Type::Func(f) = &ty {
                if self.is("{") {
                    return self.function(name, f.clone(), pos, storage);
                }
                self.declare_global(&name, &ty, false, pos)?;
            } else {
                self.global_var(&name, ty, storage, pos)?;
            }
            if !self.eat(",") {
                break;
            }
        }
        self.expect(";")
    }

    fn global_var(
        &mut self,
        name: &str,
        ty: Type,
        storage: decl::Storage,
        pos: Pos,
    ) -> CResult<()> {
        if storage == decl::Storage::Extern {
            return self.declare_global(name, &ty, false, pos);
        }
        let label = label_of(name);
        let (ty, global) = self.global_object(label, ty, pos)?;
        if self.globals.get(name).is_some_and(|g| g.defined) && global.init.is_none() {
            return Ok(()); // a tentative definition after the real one
        }
        if let Some(g) = self.globals.get_mut(name) {
            if g.defined {
                // `int x; int x = 1;` — the initialized one wins.
                if global.init.is_some() {
                    if let Some(old) = self
                        .unit
                        .globals
                        .iter_mut()
                        .find(|o| o.label == global.label)
                    {
                        if old.init.is_some() {
                            return Err(CompileError::at(
                                pos,
                                format!("'{name}' is defined twice"),
                            ));
                        }
                        *old = global;
                    }
                }
                return Ok(());
            }
        }
        self.declare_global(name, &ty, true, pos)?;
        self.unit.globals.push(global);
        Ok(())
    }

    /// A global or static object of `ty` with its optional initializer (after the declarator).
    fn global_object(&mut self, label: String, ty: Type, pos: Pos) -> CResult<(Type, Global)> {
        let (ty, init) = if self.eat("=") {
            let (ty, leaves) = self.initializer(ty)?;
            let (bytes, relocs) = self.const_image(&ty, &leaves)?;
            (ty, Some((bytes, relocs)))
        } else {
            (ty, None)
        };
        if !ty.is_complete() {
            return Err(CompileError::at(
                pos,
                format!("'{}' has incomplete type '{ty}'", name_of(&label)),
            ));
        }
        let (init, relocs) = match init {
            Some((b, r)) => (Some(b), r),
            None => (None, Vec::new()),
        };
        Ok((
            ty.clone(),
            Global {
                label,
                size: ty.size(),
                align: ty.align(),
                init,
                relocs,
            },
        ))
    }

    fn function(
        &mut self,
        name: String,
        f: Rc<crate::types::FuncType>,
        pos: Pos,
        _storage: decl::Storage,
    ) -> CResult<()> {
        let ty = Type::Func(f.clone());
        self.declare_global(&name, &ty, true, pos)?;
        let params = self.last_params.take().unwrap_or_default();
        let returns_record = f.ret.is_record();
        if !matches!(f.ret, Type::Void) && !f.ret.is_complete() {
            return Err(CompileError::at(
                pos,
                format!("'{name}' returns incomplete type '{}'", f.ret),
            ));
        }
        self.func = Some(FnState {
            name: name.clone(),
            ret: f.ret.clone(),
            frame: 0,
            labels: BTreeMap::new(),
            gotos: Vec::new(),
        });
        self.push_scope();
        let mut offset: i32 = if returns_record { 12 } else { 8 };
        for (pname, pty, ppos) in params {
            let Some(pname) = pname else {
                return Err(CompileError::at(
                    ppos,
                    format!("a parameter of '{name}' has no name"),
                ));
            };
            if !pty.is_complete() {
                return Err(CompileError::at(
                    ppos,
                    format!("parameter '{pname}' has incomplete type '{pty}'"),
                ));
            }
            self.declare(&pname, Sym::Var(VarRef::Local(offset), pty.clone()));
            offset += (pty.size().div_ceil(4) * 4) as i32;
        }
        let body = self.compound_body()?;
        self.pop_scope();
        let Some(state) = self.func.take() else {
            return Ok(());
        };
        for (label, at) in &state.gotos {
            if !state.labels.contains_key(label) {
                return Err(CompileError::at(
                    *at,
                    format!("label '{label}' used but not defined"),
                ));
            }
        }
        self.unit.functions.push(Function {
            label: label_of(&name),
            name,
            returns_record,
            frame: state.frame.div_ceil(4) * 4,
            body,
            pos,
        });
        Ok(())
    }
}
