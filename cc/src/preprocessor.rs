//! The preprocessor: `#define` (object- and function-like, with `#` and `##`), `#undef`,
//! `#if/#ifdef/#ifndef/#elif/#else/#endif` and `#include` of the built-in headers, over
//! tokens. Expansion follows C's rule that a macro is not expanded again inside its own
//! expansion (each token carries the set of macros it came out of).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::error::{CResult, CompileError, Pos};
use crate::headers;
use crate::lexer::{tokenize, TokKind, Token};

/// Most tokens expansion may produce, so that a macro bomb ends with an error, not a hang.
const MAX_TOKENS: usize = 1 << 20;
/// Deepest nesting of macro arguments expanded inside arguments.
const MAX_DEPTH: usize = 64;

#[derive(Clone)]
struct Macro {
    /// `None` for object-like macros.
    params: Option<Vec<String>>,
    body: Vec<Token>,
}

/// A token with the macros it was expanded from.
#[derive(Clone)]
struct PTok {
    tok: Token,
    hide: Rc<Vec<String>>,
}

enum Cond {
    /// In a taken branch.
    Active,
    /// Before the taken branch: a later `#elif`/`#else` may still be taken.
    Waiting,
    /// After the taken branch, or inside a skipped region.
    Done,
}

struct Pre {
    macros: HashMap<String, Macro>,
    included: HashSet<&'static str>,
    conds: Vec<(Cond, Pos)>,
    produced: usize,
}

/// Runs the preprocessor over the program's tokens.
///
/// # Errors
/// A malformed directive, an unknown header, an unterminated `#if` or macro call, or an
/// expansion past the size bound.
pub fn preprocess(tokens: Vec<Token>) -> CResult<Vec<Token>> {
    let mut pre = Pre {
        macros: HashMap::new(),
        included: HashSet::new(),
        conds: Vec::new(),
        produced: 0,
    };
    let mut stack: Vec<PTok> = wrap(tokens);
    stack.reverse();
    let out = pre.run(&mut stack, true, 0)?;
    if let Some((_, pos)) = pre.conds.last() {
        return Err(CompileError::at(*pos, "#if without a matching #endif"));
    }
    Ok(out.into_iter().map(|p| p.tok).collect())
}

fn wrap(tokens: Vec<Token>) -> Vec<PTok> {
    let hide = Rc::new(Vec::new());
    tokens
        .into_iter()
        .map(|tok| PTok {
            tok,
            hide: hide.clone(),
        })
        .collect()
}

impl Pre {
    fn skipping(&self) -> bool {
        self.conds.iter().any(|(c, _)| !matches!(c, Cond::Active))
    }

    /// Processes `stack` (next token last) to the end. `directives` is false inside macro
    /// arguments.
    fn run(&mut self, stack: &mut Vec<PTok>, directives: bool, depth: usize) -> CResult<Vec<PTok>> {
        let mut out = Vec::new();
        while let Some(t) = stack.pop() {
            if directives && t.tok.bol && t.tok.is("#") {
                let line = take_line(stack);
                self.directive(t.tok.pos, line, stack)?;
                continue;
            }
            if directives && self.skipping() {
                continue;
            }
            if !self.expand(&t, stack, depth)? {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// If `t` names a macro to expand here, pushes its expansion and returns true.
    fn expand(&mut self, t: &PTok, stack: &mut Vec<PTok>, depth: usize) -> CResult<bool> {
        let Some(name) = t.tok.ident() else {
            return Ok(false);
        };
        if t.hide.iter().any(|h| h == name) {
            return Ok(false);
        }
        let Some(m) = self.macros.get(name).cloned() else {
            return Ok(false);
        };
        let mut hide = (*t.hide).clone();
        hide.push(name.to_string());
        let hide = Rc::new(hide);
        let body: Vec<PTok> = match &m.params {
            None => m
                .body
                .iter()
                .map(|b| PTok {
                    tok: b.clone(),
                    hide: hide.clone(),
                })
                .collect(),
            Some(params) => {
                if !stack.last().is_some_and(|n| n.tok.is("(")) {
                    return Ok(false);
                }
                stack.pop();
                let args = read_args(stack, t.tok.pos, name)?;
                let args = if params.is_empty() && args.len() == 1 && args[0].is_empty() {
                    Vec::new()
                } else {
                    args
                };
                let variadic = params.last().is_some_and(|p| p == "__VA_ARGS__");
                if args.len() != params.len() && !(variadic && args.len() >= params.len() - 1) {
                    return Err(CompileError::at(
                        t.tok.pos,
                        format!(
                            "macro '{name}' takes {} arguments, given {}",
                            params.len(),
                            args.len()
                        ),
                    ));
                }
                self.substitute(&m.body, params, args, &hide, depth)?
            }
        };
        self.produced += body.len();
        if self.produced > MAX_TOKENS {
            return Err(CompileError::at(
                t.tok.pos,
                format!("macro '{name}' expands to more than {MAX_TOKENS} tokens"),
            ));
        }
        // Expanded tokens report the position of the macro's use.
        for mut b in body.into_iter().rev() {
            b.tok.pos = t.tok.pos;
            b.tok.bol = false;
            stack.push(b);
        }
        Ok(true)
    }

    /// A function-like macro's body with its parameters replaced.
    fn substitute(
        &mut self,
        body: &[Token],
        params: &[String],
        mut args: Vec<Vec<PTok>>,
        hide: &Rc<Vec<String>>,
        depth: usize,
    ) -> CResult<Vec<PTok>> {
        if params.last().is_some_and(|p| p == "__VA_ARGS__") && args.len() > params.len() {
            let rest = args.split_off(params.len() - 1);
            let mut joined = Vec::new();
            for (i, a) in rest.into_iter().enumerate() {
                if i > 0 {
                    joined.push(PTok {
                        tok: punct(",", a.first().map(|p| p.tok.pos).unwrap_or_default()),
                        hide: hide.clone(),
                    });
                }
                joined.extend(a);
            }
            args.push(joined);
        }
        while args.len() < params.len() {
            args.push(Vec::new());
        }
        let param = |t: &Token| t.ident().and_then(|n| params.iter().position(|p| p == n));
        let mut out: Vec<PTok> = Vec::new();
        let mut i = 0;
        while i < body.len() {
            let t = &body[i];
            if t.is("#") {
                if let Some(k) = body.get(i + 1).and_then(param) {
                    let text: Vec<String> = args[k].iter().map(|p| p.tok.text()).collect();
                    out.push(PTok {
                        tok: Token {
                            kind: TokKind::Str(text.join(" ").into_bytes()),
                            ..t.clone()
                        },
                        hide: hide.clone(),
                    });
                    i += 2;
                    continue;
                }
            }
            if t.is("##") {
                let Some(next) = body.get(i + 1) else {
                    return Err(CompileError::at(t.pos, "'##' cannot end a macro"));
                };
                let rhs: Vec<PTok> = match param(next) {
                    Some(k) => args[k].clone(),
                    None => vec![PTok {
                        tok: next.clone(),
                        hide: hide.clone(),
                    }],
                };
                paste(&mut out, rhs, t.pos)?;
                i += 2;
                continue;
            }
            if let Some(k) = param(t) {
                let pasted = body.get(i + 1).is_some_and(|n| n.is("##"));
                if pasted {
                    out.extend(args[k].iter().cloned());
                } else {
                    if depth >= MAX_DEPTH {
                        return Err(CompileError::at(t.pos, "macro arguments nest too deeply"));
                    }
                    let mut s: Vec<PTok> = args[k].iter().rev().cloned().collect();
                    out.extend(self.run(&mut s, false, depth + 1)?);
                }
                i += 1;
                continue;
            }
            out.push(PTok {
                tok: t.clone(),
                hide: hide.clone(),
            });
            i += 1;
        }
        for p in &mut out {
            if hide.iter().any(|n| !p.hide.contains(n)) {
                let mut h = (*p.hide).clone();
                h.extend(hide.iter().filter(|n| !p.hide.contains(n)).cloned());
                p.hide = Rc::new(h);
            }
        }
        Ok(out)
    }

    fn directive(&mut self, pos: Pos, line: Vec<PTok>, stack: &mut Vec<PTok>) -> CResult<()> {
        let Some(first) = line.first() else {
            return Ok(()); // the null directive
        };
        let name = first.tok.ident().unwrap_or("").to_string();
        let rest: Vec<Token> = line[1..].iter().map(|p| p.tok.clone()).collect();
        match name.as_str() {
            "if" | "ifdef" | "ifndef" => {
                if self.skipping() {
                    self.conds.push((Cond::Done, pos));
                    return Ok(());
                }
                let taken = match name.as_str() {
                    "if" => self.eval_if(pos, &line[1..])?,
                    _ => {
                        let id = one_ident(&rest, pos, &name)?;
                        self.macros.contains_key(&id) == (name == "ifdef")
                    }
                };
                self.conds
                    .push((if taken { Cond::Active } else { Cond::Waiting }, pos));
            }
            "elif" => {
                let outer_skipping = self.conds.len() > 1
                    && self.conds[..self.conds.len() - 1]
                        .iter()
                        .any(|(c, _)| !matches!(c, Cond::Active));
                let state = match self.conds.last() {
                    None => return Err(CompileError::at(pos, "#elif without #if")),
                    Some((c, _)) => match c {
                        Cond::Active => Cond::Done,
                        Cond::Done => Cond::Done,
                        Cond::Waiting if outer_skipping => Cond::Done,
                        Cond::Waiting => {
                            if self.eval_if(pos, &line[1..])? {
                                Cond::Active
                            } else {
                                Cond::Waiting
                            }
                        }
                    },
                };
                if let Some(last) = self.conds.last_mut() {
                    last.0 = state;
                }
            }
            "else" => match self.conds.last_mut() {
                None => return Err(CompileError::at(pos, "#else without #if")),
                Some((c, _)) => {
                    *c = match c {
                        Cond::Waiting => Cond::Active,
                        _ => Cond::Done,
                    }
                }
            },
            "endif" => {
                if self.conds.pop().is_none() {
                    return Err(CompileError::at(pos, "#endif without #if"));
                }
            }
            _ if self.skipping() => {}
            "define" => self.define(pos, rest)?,
            "undef" => {
                let id = one_ident(&rest, pos, "undef")?;
                self.macros.remove(&id);
            }
            "include" => self.include(pos, &rest, stack)?,
            "error" => {
                let text: Vec<String> = rest.iter().map(Token::text).collect();
                return Err(CompileError::at(pos, format!("#error {}", text.join(" "))));
            }
            "pragma" | "line" => {}
            _ => {
                return Err(CompileError::at(
                    first.tok.pos,
                    format!("unknown directive '#{}'", first.tok.text()),
                ))
            }
        }
        Ok(())
    }

    fn define(&mut self, pos: Pos, rest: Vec<Token>) -> CResult<()> {
        let Some(name) = rest.first().and_then(|t| t.ident()).map(str::to_string) else {
            return Err(CompileError::at(pos, "#define needs a macro name"));
        };
        let function_like = rest.get(1).is_some_and(|t| t.is("(") && !t.space);
        if !function_like {
            self.macros.insert(
                name,
                Macro {
                    params: None,
                    body: rest[1..].to_vec(),
                },
            );
            return Ok(());
        }
        let mut params = Vec::new();
        let mut i = 2;
        loop {
            let Some(t) = rest.get(i) else {
                return Err(CompileError::at(
                    pos,
                    format!("macro '{name}': missing ')'"),
                ));
            };
            i += 1;
            if t.is(")") && params.is_empty() {
                break;
            }
            if t.is("...") {
                params.push("__VA_ARGS__".to_string());
            } else if let Some(p) = t.ident() {
                params.push(p.to_string());
            } else {
                return Err(CompileError::at(
                    t.pos,
                    format!(
                        "macro '{name}': expected a parameter name, found '{}'",
                        t.text()
                    ),
                ));
            }
            match rest.get(i) {
                Some(t) if t.is(",") => i += 1,
                Some(t) if t.is(")") => {
                    i += 1;
                    break;
                }
                _ => {
                    return Err(CompileError::at(
                        pos,
                        format!("macro '{name}': missing ')'"),
                    ))
                }
            }
        }
        self.macros.insert(
            name,
            Macro {
                params: Some(params),
                body: rest[i..].to_vec(),
            },
        );
        Ok(())
    }

    fn include(&mut self, pos: Pos, rest: &[Token], stack: &mut Vec<PTok>) -> CResult<()> {
        let name = match rest {
            [t] => match &t.kind {
                TokKind::Str(s) => String::from_utf8_lossy(s).into_owned(),
                _ => String::new(),
            },
            [lt, .., gt] if lt.is("<") && gt.is(">") => {
                rest[1..rest.len() - 1].iter().map(Token::text).collect()
            }
            _ => String::new(),
        };
        let Some((id, hname, text)) = headers::find(&name) else {
            return Err(CompileError::at(
                pos,
                format!(
                    "no built-in header '{name}' (there are: {})",
                    headers::names().join(", ")
                ),
            ));
        };
        if !self.included.insert(hname) {
            return Ok(());
        }
        let toks = tokenize(text, id)?;
        for t in wrap(toks).into_iter().rev() {
            stack.push(t);
        }
        Ok(())
    }

    fn eval_if(&mut self, pos: Pos, line: &[PTok]) -> CResult<bool> {
        // `defined X` and `defined(X)` first, before macro expansion.
        let mut toks: Vec<PTok> = Vec::new();
        let mut i = 0;
        while i < line.len() {
            let t = &line[i];
            if t.tok.ident() == Some("defined") {
                let (id, used) = match (line.get(i + 1), line.get(i + 2), line.get(i + 3)) {
                    (Some(p), Some(id), Some(q)) if p.tok.is("(") && q.tok.is(")") => {
                        (id.tok.ident(), 4)
                    }
                    (Some(id), _, _) => (id.tok.ident(), 2),
                    _ => (None, 1),
                };
                let Some(id) = id else {
                    return Err(CompileError::at(t.tok.pos, "'defined' needs a macro name"));
                };
                let v = u32::from(self.macros.contains_key(id));
                toks.push(PTok {
                    tok: Token {
                        kind: TokKind::Num(v, false),
                        ..t.tok.clone()
                    },
                    hide: t.hide.clone(),
                });
                i += used;
                continue;
            }
            toks.push(t.clone());
            i += 1;
        }
        toks.reverse();
        let expanded: Vec<Token> = self
            .run(&mut toks, false, 1)?
            .into_iter()
            .map(|p| p.tok)
            .collect();
        if expanded.is_empty() {
            return Err(CompileError::at(pos, "#if needs an expression"));
        }
        let mut e = crate::ppexpr::PpExpr::new(&expanded, pos);
        Ok(e.eval()? != 0)
    }
}

fn punct(p: &'static str, pos: Pos) -> Token {
    Token {
        kind: TokKind::Punct(p),
        pos,
        bol: false,
        space: false,
    }
}

/// Pastes the last token of `out` with the first of `rhs` (`a ## b`).
fn paste(out: &mut Vec<PTok>, mut rhs: Vec<PTok>, pos: Pos) -> CResult<()> {
    let Some(left) = out.pop() else {
        out.extend(rhs);
        return Ok(());
    };
    if rhs.is_empty() {
        out.push(left);
        return Ok(());
    }
    let right = rhs.remove(0);
    let text = format!("{}{}", left.tok.text(), right.tok.text());
    let toks = tokenize(&text, pos.file)?;
    if toks.len() != 1 {
        return Err(CompileError::at(
            pos,
            format!("'##' makes '{text}', which is not one token"),
        ));
    }
    let mut tok = toks[0].clone();
    tok.pos = left.tok.pos;
    tok.space = left.tok.space;
    out.push(PTok {
        tok,
        hide: left.hide,
    });
    out.extend(rhs);
    Ok(())
}

/// Removes and returns the rest of the directive's line from `stack`.
fn take_line(stack: &mut Vec<PTok>) -> Vec<PTok> {
    let mut line = Vec::new();
    while stack.last().is_some_and(|t| !t.tok.bol) {
        if let Some(t) = stack.pop() {
            line.push(t);
        }
    }
    line
}

/// The arguments of a function-like macro call, after its `(`, up to the matching `)`.
fn read_args(stack: &mut Vec<PTok>, pos: Pos, name: &str) -> CResult<Vec<Vec<PTok>>> {
    let mut args = vec![Vec::new()];
    let mut depth = 0usize;
    loop {
        let Some(t) = stack.pop() else {
            return Err(CompileError::at(
                pos,
                format!("the call of macro '{name}' is missing its ')'"),
            ));
        };
        if t.tok.is("(") {
            depth += 1;
        } else if t.tok.is(")") {
            if depth == 0 {
                return Ok(args);
            }
            depth -= 1;
        } else if t.tok.is(",") && depth == 0 {
            args.push(Vec::new());
            continue;
        }
        if let Some(a) = args.last_mut() {
            a.push(t);
        }
    }
}

fn one_ident(rest: &[Token], pos: Pos, directive: &str) -> CResult<String> {
    match rest {
        [t] if t.ident().is_some() => Ok(t.text()),
        _ => Err(CompileError::at(
            pos,
            format!("#{directive} needs exactly one macro name"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pp(s: &str) -> String {
        let toks = preprocess(tokenize(s, 0).unwrap()).unwrap();
        toks.iter().map(Token::text).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn object_and_function_macros() {
        assert_eq!(
            pp("#define N 4\n#define SQ(x) ((x)*(x))\nSQ(N+1)"),
            "( ( 4 + 1 ) * ( 4 + 1 ) )"
        );
        assert_eq!(pp("#define f(a,b) a##b\nf(x,1)"), "x1");
        assert_eq!(pp("#define s(a) #a\ns(hi there)"), "\"hi there\"");
        assert_eq!(pp("#define x x+1\nx"), "x + 1");
        assert_eq!(pp("#define f (1)\nf"), "( 1 )");
    }

    #[test]
    fn conditionals() {
        let src = "#define A 2\n#if A > 1 && defined(A)\nyes\n#elif 1\nno\n#else\nno\n#endif\n#ifndef B\nb\n#endif\n#undef A\n#ifdef A\nno\n#endif";
        assert_eq!(pp(src), "yes b");
        assert_eq!(pp("#if 0\n#if 1\nno\n#endif\n#elif 1\nyes\n#endif"), "yes");
    }

    #[test]
    fn errors() {
        let e = |s: &str| preprocess(tokenize(s, 0).unwrap()).unwrap_err().message;
        assert!(e("#if 1\nx").contains("#endif"));
        assert!(e("#include <stdio.h>").contains("no built-in header 'stdio.h'"));
        assert!(e("#define f(a) a\nf(1,2)").contains("takes 1 arguments, given 2"));
        assert!(e("#define a a a a a a a a a a a a a\n#define b a a a a a a a a a a a\n#define c b b b b b b b b b b b b b b b b b b\n#define d c c c c c c c c c c c c c c c c c c c c c\n#define e d d d d d d d d d d d d d d d d d d d d d d d\ne").contains("expands to more than"));
    }
}
