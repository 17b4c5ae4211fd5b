//! Address assignment in passes until every label settles, then the bytes.
//!
//! Each pass lays out `.text`, then `.data` (next 4 KiB boundary), then `.bss`, encoding
//! every instruction with the label values of this pass (labels already seen) or the previous
//! pass (forward references). Forward references start optimistic (short jumps, small
//! displacements) and the passes repeat until no label moves, so the shortest stable encodings
//! win, as with NASM's default `-Ox`. If a statement keeps changing size after
//! [`STICKY_AFTER`] passes it is pinned to its long form (rel32, imm32, disp32), which cannot
//! shrink again, so layout always terminates.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::encode::encode;
use super::error::{AsmError, AsmResult};
use super::expr::{eval, Env, Expr};
use super::parser::{DataItem, Parsed, StmtKind};
use super::regs::{looks_like_register, size_name};
use super::{LineSpan, Program, Segment, SegmentKind, TEXT_BASE};

/// Passes after which a statement that changes size is pinned to its long form.
const STICKY_AFTER: usize = 4;
/// Give up after this many passes (cannot happen unless `times`/`align` depend on later labels).
const MAX_PASSES: usize = 40;
/// The most bytes one section may hold; protects against `times 1000000000 db 0`.
const MAX_SECTION: u64 = 16 << 20;
const PAGE: u64 = 4096;

struct PassEnv<'a> {
    cur: &'a BTreeMap<String, i64>,
    prev: &'a BTreeMap<String, i64>,
    parsed: &'a Parsed,
    here: i64,
    start: i64,
    line: u32,
    /// The first symbol used before its value was known: (line, column, name).
    unknown: &'a RefCell<Option<(u32, u32, String)>>,
}

impl Env for PassEnv<'_> {
    fn lookup(&self, name: &str, shown: &str, col: u32) -> AsmResult<Option<i64>> {
        if let Some(v) = self.cur.get(name).or_else(|| self.prev.get(name)) {
            return Ok(Some(*v));
        }
        if self.parsed.declared.contains_key(name) {
            self.unknown
                .borrow_mut()
                .get_or_insert((self.line, col, shown.to_string()));
            return Ok(None);
        }
        let msg = if self.parsed.externs.contains(shown) {
            format!("'{shown}' is extern; a workload is a single file, so define it here")
        } else if looks_like_register(shown) {
            format!("unknown register '{shown}'")
        } else {
            format!("'{shown}' is not defined")
        };
        Err(AsmError::new(self.line, col, msg))
    }
    fn here(&self) -> i64 {
        self.here
    }
    fn section_start(&self) -> i64 {
        self.start
    }
    fn line(&self) -> u32 {
        self.line
    }
}

/// What one pass produced.
struct Pass {
    syms: BTreeMap<String, i64>,
    sizes: Vec<u64>,
    errors: Vec<AsmError>,
    unknown: Option<(u32, u32, String)>,
    segments: Vec<Segment>,
    lines: Vec<LineSpan>,
    text_base: u32,
}

fn fits(v: i64, unit: u32) -> bool {
    match unit {
        1 => (-128..=255).contains(&v),
        2 => (-32768..=65535).contains(&v),
        _ => (-(1i64 << 31)..=u32::MAX as i64).contains(&v),
    }
}

fn le_bytes(v: i64, unit: u32) -> Vec<u8> {
    (v as u32).to_le_bytes()[..unit as usize].to_vec()
}

fn run_pass(
    p: &Parsed,
    prev: &BTreeMap<String, i64>,
    prev_sizes: &[u64],
    force_long: &[bool],
    text_base: u32,
) -> Pass {
    let mut cur = BTreeMap::new();
    let unknown = RefCell::new(None);
    let mut sizes = vec![0u64; p.stmts.len()];
    let mut errors = Vec::new();
    let mut segments = Vec::new();
    let mut lines = Vec::new();
    let mut base = text_base as u64;
    for kind in [SegmentKind::Text, SegmentKind::Data, SegmentKind::Bss] {
        let mut bytes: Vec<u8> = Vec::new();
        let mut addr = base;
        for (i, st) in p
            .stmts
            .iter()
            .enumerate()
            .filter(|(_, s)| s.section == kind)
        {
            let env = PassEnv {
                cur: &cur,
                prev,
                parsed: p,
                here: addr as i64,
                start: base as i64,
                line: st.line,
                unknown: &unknown,
            };
            let out = statement(
                &st.kind,
                st.times.as_ref(),
                &env,
                addr,
                kind,
                force_long[i],
                st.col,
            );
            let (emitted, len) = match out {
                Ok(Out::Define(name, v)) => {
                    cur.insert(name, v);
                    (None, 0)
                }
                Ok(Out::Bytes(b)) => {
                    let len = b.len() as u64;
                    (Some(b), len)
                }
                Ok(Out::Space(n)) => (None, n),
                Err(e) => {
                    errors.push(e);
                    (None, prev_sizes.get(i).copied().unwrap_or(0))
                }
            };
            sizes[i] = len;
            if addr + len > u32::MAX as u64 + 1
                || (kind != SegmentKind::Bss && addr + len - base > MAX_SECTION)
            {
                errors.push(AsmError::new(
                    st.line,
                    st.col,
                    "the program is too large (16 MiB per section at most)",
                ));
                break;
            }
            if kind != SegmentKind::Bss {
                match emitted {
                    Some(b) => bytes.extend_from_slice(&b),
                    None if !matches!(st.kind, StmtKind::Label(_) | StmtKind::Equ(..)) => {
                        let fill =
                            if kind == SegmentKind::Text && matches!(st.kind, StmtKind::Align(_)) {
                                0x90
                            } else {
                                0
                            };
                        bytes.resize(bytes.len() + len as usize, fill);
                    }
                    None => {}
                }
            }
            if len > 0 && !matches!(st.kind, StmtKind::Align(_)) {
                lines.push(LineSpan {
                    addr: addr as u32,
                    len: len as u32,
                    line: st.line,
                });
            }
            addr += len;
        }
        let size = (addr - base) as u32;
        if kind == SegmentKind::Text || size > 0 {
            segments.push(Segment {
                kind,
                addr: base as u32,
                bytes,
                size,
            });
        }
        // Text is always present, so even an empty one keeps its page to itself.
        let end = if kind == SegmentKind::Text {
            addr.max(base + 1)
        } else {
            addr
        };
        base = end.div_ceil(PAGE) * PAGE;
    }
    Pass {
        syms: cur,
        sizes,
        errors,
        unknown: unknown.into_inner(),
        segments,
        lines,
        text_base,
    }
}

enum Out {
    Define(String, i64),
    Bytes(Vec<u8>),
    Space(u64),
}

fn count(e: Option<&Expr>, env: &PassEnv<'_>, col: u32) -> AsmResult<u64> {
    let Some(e) = e else { return Ok(1) };
    match eval(e, env)? {
        None => Ok(0),
        Some(n) if n < 0 => Err(AsmError::new(
            env.line,
            col,
            format!("times count {n} is negative"),
        )),
        Some(n) if n as u64 > MAX_SECTION => Err(AsmError::new(
            env.line,
            col,
            format!("times count {n} is too large"),
        )),
        Some(n) => Ok(n as u64),
    }
}

/// `times n` copies of `one`, refusing sizes no workload needs (they would only eat memory).
/// `$` inside a `times` line is the address of the first copy.
fn repeat(one: &[u8], n: u64, env: &PassEnv<'_>, col: u32) -> AsmResult<Out> {
    if (one.len() as u64).saturating_mul(n) > MAX_SECTION {
        return Err(AsmError::new(
            env.line,
            col,
            "the program is too large (16 MiB per section at most)",
        ));
    }
    Ok(Out::Bytes(one.repeat(n as usize)))
}

fn statement(
    kind: &StmtKind,
    times: Option<&Expr>,
    env: &PassEnv<'_>,
    addr: u64,
    section: SegmentKind,
    force_long: bool,
    col: u32,
) -> AsmResult<Out> {
    let in_bss = section == SegmentKind::Bss;
    match kind {
        StmtKind::Label(name) => Ok(Out::Define(name.clone(), addr as i64)),
        StmtKind::Equ(name, e) => match eval(e, env)? {
            Some(v) => Ok(Out::Define(name.clone(), v)),
            None => Ok(Out::Space(0)),
        },
        StmtKind::Instr(instr) => {
            if in_bss {
                return Err(AsmError::new(
                    env.line,
                    col,
                    "instructions cannot go in .bss; use section .text",
                ));
            }
            let n = count(times, env, col)?;
            let one = encode(instr, env, addr as u32, force_long)?;
            repeat(&one, n, env, col)
        }
        StmtKind::Data { unit, items } => {
            if in_bss {
                return Err(AsmError::new(
                    env.line,
                    col,
                    "data in .bss must be reserved with resb, resw or resd",
                ));
            }
            let n = count(times, env, col)?;
            let mut one = Vec::new();
            for item in items {
                match item {
                    DataItem::Bytes(b) => {
                        one.extend_from_slice(b);
                        let rem = b.len() % *unit as usize;
                        if rem != 0 {
                            one.resize(one.len() + *unit as usize - rem, 0);
                        }
                    }
                    DataItem::Value(e, icol) => {
                        let v = eval(e, env)?.unwrap_or(0);
                        if !fits(v, *unit) {
                            return Err(AsmError::new(
                                env.line,
                                *icol,
                                format!("value {v} does not fit in a {}", size_name(*unit)),
                            ));
                        }
                        one.extend(le_bytes(v, *unit));
                    }
                }
            }
            repeat(&one, n, env, col)
        }
        StmtKind::Reserve { unit, count: c } => {
            let reps = count(times, env, col)?;
            let n = count(Some(c), env, col)?;
            Ok(Out::Space(n * reps * *unit as u64))
        }
        StmtKind::Align(e) => {
            let n = eval(e, env)?.unwrap_or(1);
            if n <= 0 || (n & (n - 1)) != 0 || n > PAGE as i64 {
                return Err(AsmError::new(
                    env.line,
                    col,
                    format!("align needs a power of two up to 4096, not {n}"),
                ));
            }
            let n = n as u64;
            Ok(Out::Space((n - addr % n) % n))
        }
    }
}

/// Lays out and encodes a parsed program.
pub(crate) fn link(p: &Parsed) -> Result<Program, Vec<AsmError>> {
    let text_base = match &p.org {
        None => TEXT_BASE,
        Some((e, line, col)) => {
            let none = BTreeMap::new();
            let empty = Parsed::default();
            let unknown = RefCell::new(None);
            let env = PassEnv {
                cur: &none,
                prev: &none,
                parsed: &empty,
                here: 0,
                start: 0,
                line: *line,
                unknown: &unknown,
            };
            match eval(e, &env) {
                Ok(Some(v)) if (0..=u32::MAX as i64).contains(&v) => v as u32,
                Ok(_) => {
                    return Err(vec![AsmError::new(
                        *line,
                        *col,
                        "org needs an address from 0 to 0xFFFFFFFF",
                    )])
                }
                Err(_) => return Err(vec![AsmError::new(*line, *col, "org needs a plain number")]),
            }
        }
    };
    let mut prev = BTreeMap::new();
    let mut prev_sizes: Vec<u64> = Vec::new();
    let mut force_long = vec![false; p.stmts.len()];
    for n in 0..MAX_PASSES {
        let pass = run_pass(p, &prev, &prev_sizes, &force_long, text_base);
        let settled = pass.syms == prev && pass.unknown.is_none();
        if settled || n + 1 == MAX_PASSES {
            return finish(pass, settled);
        }
        if n >= STICKY_AFTER {
            for (i, s) in pass.sizes.iter().enumerate() {
                if prev_sizes.get(i).is_some_and(|p| p != s) {
                    force_long[i] = true;
                }
            }
        }
        // A pass that could not resolve something and changed nothing will not improve.
        if pass.syms == prev && pass.sizes == prev_sizes {
            return finish(pass, false);
        }
        prev = pass.syms;
        prev_sizes = pass.sizes;
    }
    Err(vec![AsmError::new(
        1,
        1,
        "the program layout does not settle",
    )])
}

fn finish(pass: Pass, settled: bool) -> Result<Program, Vec<AsmError>> {
    if !pass.errors.is_empty() {
        return Err(pass.errors);
    }
    if !settled {
        let e = match pass.unknown {
            Some((line, col, name)) => AsmError::new(
                line,
                col,
                format!("'{name}' cannot be computed (is its definition circular?)"),
            ),
            None => AsmError::new(1, 1, "the program layout does not settle"),
        };
        return Err(vec![e]);
    }
    let symbols: BTreeMap<String, u32> = pass
        .syms
        .iter()
        .map(|(k, v)| (k.clone(), *v as u32))
        .collect();
    let entry = symbols.get("_start").copied().unwrap_or(pass.text_base);
    Ok(Program {
        segments: pass.segments,
        entry,
        symbols,
        lines: pass.lines,
    })
}

#[cfg(test)]
mod tests {
    use super::super::parser::parse;
    use super::*;

    fn link_src(src: &str) -> Result<Program, Vec<AsmError>> {
        link(&parse(src)?)
    }

    #[test]
    fn data_ranges() {
        assert!(fits(255, 1) && fits(-128, 1) && !fits(256, 1) && !fits(-129, 1));
        assert!(fits(65535, 2) && !fits(65536, 2));
        assert!(fits(u32::MAX as i64, 4) && !fits(1 << 32, 4));
        assert_eq!(le_bytes(-2, 2), vec![0xFE, 0xFF]);
    }

    #[test]
    fn empty_text_still_owns_its_page() {
        let p = link_src("section .data\ndb 1").unwrap();
        assert_eq!(p.segments[0].size, 0);
        assert_eq!(p.segments[1].addr, TEXT_BASE + 0x1000);
    }

    #[test]
    fn self_referential_layout_terminates() {
        // The count depends on a later label that moves with the count: either a fixpoint
        // is found or a clear error comes back, never a hang.
        let r = link_src("jz e\ntimes (e - $$) & 0x7f nop\ne: ret");
        assert!(r.is_ok() || r.is_err());
        let r = link_src("a equ b + 1\nb equ a + 1");
        assert!(r.unwrap_err()[0].message.contains("circular"));
    }

    #[test]
    fn huge_times_is_refused() {
        let e = link_src("times 100000000 db 0").unwrap_err();
        assert!(e[0].message.contains("too large"));
        let e = link_src("times 20000000 dd 1, 2").unwrap_err();
        assert!(e[0].message.contains("too large"));
    }
}
