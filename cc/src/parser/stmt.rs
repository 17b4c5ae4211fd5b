//! Statements and local declarations.

use super::decl::Storage;
use super::expr::cast;
use super::{Parser, SwitchState, Sym, VarRef};
use crate::ast::{Expr, ExprKind, Stmt, StmtKind};
use crate::error::{CResult, CompileError, Pos};
use crate::types::Type;

impl Parser {
    /// `{ ... }` in a new scope.
    pub(super) fn compound_body(&mut self) -> CResult<Vec<Stmt>> {
        self.expect("{")?;
        self.push_scope();
        let mut body = Vec::new();
        while !self.eat("}") {
            if self.peek().is_none() {
                return self.err("missing '}' at the end of the program");
            }
            body.push(self.block_item()?);
        }
        self.pop_scope();
        Ok(body)
    }

    fn block_item(&mut self) -> CResult<Stmt> {
        let is_label = self.peek_at(1).is_some_and(|t| t.is(":"));
        if self.is_typename() && !is_label {
            let pos = self.pos();
            return Ok(Stmt {
                kind: StmtKind::Block(self.local_decl()?),
                pos,
            });
        }
        self.statement()
    }

    fn statement(&mut self) -> CResult<Stmt> {
        self.enter()?;
        let r = self.statement_inner();
        self.leave();
        r
    }

    fn cond_expr(&mut self, what: &str) -> CResult<Expr> {
        self.expect("(")?;
        let e = self.expr()?;
        self.expect(")")?;
        self.scalar(e, what)
    }

    fn statement_inner(&mut self) -> CResult<Stmt> {
        let pos = self.pos();
        let stmt = |kind| Ok(Stmt { kind, pos });
        if self.is("{") {
            return stmt(StmtKind::Block(self.compound_body()?));
        }
        if self.eat(";") {
            return stmt(StmtKind::Block(Vec::new()));
        }
        let word = self.peek().and_then(|t| t.ident()).map(str::to_string);
        let Some(word) = word else {
            return self.expr_statement(pos);
        };
        if self.peek_at(1).is_some_and(|t| t.is(":")) && !super::decl::is_keyword(&word) {
            self.i += 2;
            let f = self
                .func
                .as_mut()
                .map(|f| f.labels.insert(word.clone(), pos));
            if let Some(Some(_)) = f {
                return Err(CompileError::at(
                    pos,
                    format!("label '{word}' is defined twice"),
                ));
            }
            let body = if self.is("}") {
                Stmt {
                    kind: StmtKind::Block(Vec::new()),
                    pos,
                }
            } else {
                self.statement()?
            };
            return stmt(StmtKind::Label(word, Box::new(body)));
        }
        match word.as_str() {
            "if" => {
                self.i += 1;
                let c = self.cond_expr("the condition of 'if'")?;
                let then = self.statement()?;
                let els = if self.eat_ident("else") {
                    Some(Box::new(self.statement()?))
                } else {
                    None
                };
                stmt(StmtKind::If(c, Box::new(then), els))
            }
            "while" => {
                self.i += 1;
                let c = self.cond_expr("the condition of 'while'")?;
                let body = self.loop_body()?;
                stmt(StmtKind::Loop {
                    cond: Some(c),
                    body: Box::new(body),
                    step: None,
                })
            }
            "do" => {
                self.i += 1;
                let body = self.loop_body()?;
                if !self.eat_ident("while") {
                    return self.err("expected 'while' after the body of 'do'");
                }
                let c = self.cond_expr("the condition of 'do ... while'")?;
                self.expect(";")?;
                stmt(StmtKind::DoWhile(Box::new(body), c))
            }
            "for" => {
                self.i += 1;
                self.expect("(")?;
                self.push_scope();
                let init = if self.is_typename() {
                    self.local_decl()?
                } else if self.eat(";") {
                    Vec::new()
                } else {
                    let ipos = self.pos();
                    let e = self.expr()?;
                    self.expect(";")?;
                    vec![Stmt {
                        kind: StmtKind::Expr(e),
                        pos: ipos,
                    }]
                };
                let cond = if self.is(";") {
                    None
                } else {
                    let e = self.expr()?;
                    Some(self.scalar(e, "the condition of 'for'")?)
                };
                self.expect(";")?;
                let step = if self.is(")") {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect(")")?;
                let body = self.loop_body()?;
                self.pop_scope();
                let mut block = init;
                block.push(Stmt {
                    kind: StmtKind::Loop {
                        cond,
                        body: Box::new(body),
                        step,
                    },
                    pos,
                });
                stmt(StmtKind::Block(block))
            }
            "switch" => {
                self.i += 1;
                self.expect("(")?;
                let e = self.expr()?;
                self.expect(")")?;
                let e = super::expr::decay(e);
                if !e.ty.is_integer() {
                    return Err(CompileError::at(
                        e.pos,
                        format!("'switch' needs an integer, not '{}'", e.ty),
                    ));
                }
                let ty = e.ty.promote();
                let cond = cast(e, &ty);
                let id = self.fresh_id();
                self.switches.push(SwitchState {
                    id,
                    ty,
                    cases: Vec::new(),
                    has_default: false,
                });
                self.breakable += 1;
                let body = self.statement();
                self.breakable -= 1;
                let Some(sw) = self.switches.pop() else {
                    return self.err("internal: switch state lost");
                };
                stmt(StmtKind::Switch {
                    cond,
                    body: Box::new(body?),
                    cases: sw.cases,
                    has_default: sw.has_default,
                    id,
                })
            }
            "case" => {
                self.i += 1;
                let e = self.conditional()?;
                self.expect(":")?;
                let v = self.const_int(&e)?;
                let case_id = self.fresh_id();
                let Some(sw) = self.switches.last_mut() else {
                    return Err(CompileError::at(pos, "'case' outside of a switch"));
                };
                let v = super::consteval::fit(v, &sw.ty);
                if sw.cases.iter().any(|(x, _)| *x == v) {
                    return Err(CompileError::at(
                        pos,
                        format!("duplicate case value {}", v as i32),
                    ));
                }
                sw.cases.push((v, case_id));
                let body = self.case_body(pos)?;
                stmt(StmtKind::Block(vec![
                    Stmt {
                        kind: StmtKind::Case(case_id),
                        pos,
                    },
                    body,
                ]))
            }
            "default" => {
                self.i += 1;
                self.expect(":")?;
                let Some(sw) = self.switches.last_mut() else {
                    return Err(CompileError::at(pos, "'default' outside of a switch"));
                };
                if sw.has_default {
                    return Err(CompileError::at(pos, "two 'default' labels in one switch"));
                }
                sw.has_default = true;
                let id = sw.id;
                let body = self.case_body(pos)?;
                stmt(StmtKind::Block(vec![
                    Stmt {
                        kind: StmtKind::Default(id),
                        pos,
                    },
                    body,
                ]))
            }
            "break" => {
                self.i += 1;
                self.expect(";")?;
                if self.breakable == 0 {
                    return Err(CompileError::at(pos, "'break' outside of a loop or switch"));
                }
                stmt(StmtKind::Break)
            }
            "continue" => {
                self.i += 1;
                self.expect(";")?;
                if self.loops == 0 {
                    return Err(CompileError::at(pos, "'continue' outside of a loop"));
                }
                stmt(StmtKind::Continue)
            }
            "goto" => {
                self.i += 1;
                let (label, lpos) = self.ident()?;
                self.expect(";")?;
                if let Some(f) = self.func.as_mut() {
                    f.gotos.push((label.clone(), lpos));
                }
                stmt(StmtKind::Goto(label))
            }
            "return" => {
                self.i += 1;
                let (fname, ret) = match &self.func {
                    Some(f) => (f.name.clone(), f.ret.clone()),
                    None => return self.err("'return' outside of a function"),
                };
                if self.eat(";") {
                    return stmt(StmtKind::Return(None));
                }
                let e = self.expr()?;
                self.expect(";")?;
                if matches!(ret, Type::Void) {
                    if matches!(e.ty, Type::Void) {
                        return stmt(StmtKind::Block(vec![
                            Stmt {
                                kind: StmtKind::Expr(e),
                                pos,
                            },
                            Stmt {
                                kind: StmtKind::Return(None),
                                pos,
                            },
                        ]));
                    }
                    return Err(CompileError::at(
                        pos,
                        format!("'{fname}' returns void, so 'return' takes no value"),
                    ));
                }
                let e = self.convert(e, &ret, &format!("the value returned by '{fname}'"))?;
                stmt(StmtKind::Return(Some(e)))
            }
            _ => self.expr_statement(pos),
        }
    }

    /// The statements after a `case`/`default` label, up to the next label or `}`: one
    /// statement (C's grammar), so `case 1: case 2: x;` nests.
    fn case_body(&mut self, pos: Pos) -> CResult<Stmt> {
        if self.is("}") {
            return Ok(Stmt {
                kind: StmtKind::Block(Vec::new()),
                pos,
            });
        }
        self.block_item()
    }

    fn loop_body(&mut self) -> CResult<Stmt> {
        self.loops += 1;
        self.breakable += 1;
        let r = self.statement();
        self.loops -= 1;
        self.breakable -= 1;
        r
    }

    fn expr_statement(&mut self, pos: Pos) -> CResult<Stmt> {
        let e = self.expr()?;
        self.expect(";")?;
        Ok(Stmt {
            kind: StmtKind::Expr(e),
            pos,
        })
    }

    /// A declaration inside a function; returns the statements that initialize its variables.
    fn local_decl(&mut self) -> CResult<Vec<Stmt>> {
        let (base, storage) = self.declspec()?;
        let mut out = Vec::new();
        if self.eat(";") {
            return Ok(out);
        }
        loop {
            let (name, ty, pos) = self.declarator(&base)?;
            let Some(name) = name else {
                return Err(CompileError::at(pos, "this declaration needs a name"));
            };
            match (storage, &ty) {
                (Storage::Typedef, _) => self.declare(&name, Sym::Typedef(ty)),
                (_, Type::Func(_)) | (Storage::Extern, _) => {
                    self.declare_global(&name, &ty, false, pos)?;
                    let ty = self.globals.get(&name).map_or(ty.clone(), |g| g.ty.clone());
                    self.declare(&name, Sym::Var(VarRef::Global(super::label_of(&name)), ty));
                }
                (Storage::Static, _) => {
                    let fname = self
                        .func
                        .as_ref()
                        .map(|f| f.name.clone())
                        .unwrap_or_default();
                    let id = self.fresh_id();
                    let label = format!("{name}@{fname}{id}");
                    let (ty, global) = self.global_object(label.clone(), ty, pos)?;
                    self.unit.globals.push(global);
                    self.declare(&name, Sym::Var(VarRef::Global(label), ty));
                }
                _ => out.extend(self.local_var(name, ty, pos)?),
            }
            if !self.eat(",") {
                break;
            }
        }
        self.expect(";")?;
        Ok(out)
    }

    fn local_var(&mut self, name: String, ty: Type, pos: Pos) -> CResult<Vec<Stmt>> {
        // The name is in scope from the end of its declarator (`p = malloc(sizeof *p)`),
        // unless the initializer decides its size (`int a[] = {...}`).
        let mut off = None;
        if ty.is_complete() {
            let o = self.alloc_local(&ty);
            self.declare(&name, Sym::Var(VarRef::Local(o), ty.clone()));
            off = Some(o);
        }
        let (ty, leaves) = if self.eat("=") {
            let (t, l) = self.initializer(ty)?;
            (t, Some(l))
        } else {
            (ty, None)
        };
        if !ty.is_complete() {
            return Err(CompileError::at(
                pos,
                format!("'{name}' has incomplete type '{ty}'"),
            ));
        }
        let off = match off {
            Some(o) => o,
            None => {
                let o = self.alloc_local(&ty);
                self.declare(&name, Sym::Var(VarRef::Local(o), ty.clone()));
                o
            }
        };
        let mut out = Vec::new();
        let Some(leaves) = leaves else {
            return Ok(out);
        };
        if !ty.is_scalar() {
            out.push(Stmt {
                kind: StmtKind::Zero(off, ty.size()),
                pos,
            });
        }
        for leaf in leaves {
            let target = Expr::new(
                ExprKind::Local(off + leaf.offset as i32),
                leaf.ty.clone(),
                pos,
            );
            let e = Expr::new(
                ExprKind::Assign(Box::new(target), Box::new(leaf.expr)),
                leaf.ty,
                pos,
            );
            out.push(Stmt {
                kind: StmtKind::Expr(e),
                pos,
            });
        }
        Ok(out)
    }
}
