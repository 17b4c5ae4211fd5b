//! Which functions, globals and strings the program uses: everything reachable from `main`
//! (the library in `<selfpage.h>` costs nothing unless it is called, and the generated
//! assembly shows only what runs).

use std::collections::{BTreeSet, HashMap};

use crate::ast::{string_label, Expr, ExprKind, Stmt, StmtKind, Unit};

/// The labels reachable from `main` (functions, globals and strings).
pub(super) fn reachable(unit: &Unit) -> BTreeSet<String> {
    let mut edges: HashMap<&str, Vec<String>> = HashMap::new();
    for f in &unit.functions {
        let mut out = Vec::new();
        f.body.iter().for_each(|s| stmt(s, &mut out));
        edges.insert(&f.label, out);
    }
    for g in &unit.globals {
        edges.insert(&g.label, g.relocs.iter().map(|r| r.label.clone()).collect());
    }
    let mut seen = BTreeSet::new();
    let mut work = vec!["_main".to_string()];
    while let Some(l) = work.pop() {
        if !seen.insert(l.clone()) {
            continue;
        }
        if l == "___evict_entry" {
            work.push("___evict_choose".to_string());
        }
        if let Some(next) = edges.get(l.as_str()) {
            work.extend(next.iter().filter(|n| !seen.contains(*n)).cloned());
        }
    }
    seen
}

fn stmt(s: &Stmt, out: &mut Vec<String>) {
    match &s.kind {
        StmtKind::Expr(e) => expr(e, out),
        StmtKind::Block(b) => b.iter().for_each(|s| stmt(s, out)),
        StmtKind::If(c, a, b) => {
            expr(c, out);
            stmt(a, out);
            if let Some(b) = b {
                stmt(b, out);
            }
        }
        StmtKind::Loop { cond, body, step } => {
            cond.iter().chain(step.iter()).for_each(|e| expr(e, out));
            stmt(body, out);
        }
        StmtKind::DoWhile(body, c) => {
            stmt(body, out);
            expr(c, out);
        }
        StmtKind::Switch { cond, body, .. } => {
            expr(cond, out);
            stmt(body, out);
        }
        StmtKind::Label(_, body) => stmt(body, out),
        StmtKind::Return(Some(e)) => expr(e, out),
        _ => {}
    }
}

fn expr(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Global(l) => out.push(l.clone()),
        ExprKind::Str(i) => out.push(string_label(*i)),
        ExprKind::Num(_) | ExprKind::Local(_) => {}
        ExprKind::Addr(a)
        | ExprKind::Deref(a)
        | ExprKind::Member(a, _)
        | ExprKind::Unary(_, a)
        | ExprKind::Cast(a) => expr(a, out),
        ExprKind::IncDec { target, .. } => expr(target, out),
        ExprKind::Binary(_, a, b)
        | ExprKind::LogAnd(a, b)
        | ExprKind::LogOr(a, b)
        | ExprKind::Assign(a, b)
        | ExprKind::OpAssign(_, a, b, _)
        | ExprKind::Comma(a, b) => {
            expr(a, out);
            expr(b, out);
        }
        ExprKind::Cond(c, a, b) => {
            expr(c, out);
            expr(a, out);
            expr(b, out);
        }
        ExprKind::Call { func, args, .. } => {
            expr(func, out);
            args.iter().for_each(|a| expr(a, out));
        }
    }
}
