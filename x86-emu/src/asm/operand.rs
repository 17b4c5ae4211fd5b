//! Operands after evaluation: registers, memory operands split into base, index, scale and
//! displacement (NASM's rules), and immediates (unknown in early passes).

use iced_x86::Register;

use super::error::{AsmError, AsmResult};
use super::expr::{eval, eval_linear, Env, Expr};
use super::parser::{OpArg, Operand};

/// A memory operand after evaluation.
#[derive(Clone, Copy, Debug)]
pub(super) struct Mem {
    pub(super) base: Register,
    pub(super) index: Register,
    pub(super) scale: u32,
    pub(super) disp: Option<i64>,
}

/// An operand after evaluation; unknown values (forward references) are `None`.
#[derive(Clone, Debug)]
pub(super) enum Val {
    Reg(Register),
    Mem(Mem),
    Imm(Option<i64>),
}

/// Operand and its evaluated value.
pub(super) type Op<'a> = (&'a Operand, Val);

/// Splits a memory operand (written at column `col`) into base, index, scale and displacement.
///
/// # Errors
/// Registers that cannot address memory, scales other than 1, 2, 4, 8 (3, 5, 9 with no
/// other register become base + index, as in NASM), more than two registers.
pub(super) fn resolve_mem(e: &Expr, env: &dyn Env, col: u32) -> AsmResult<Mem> {
    let lin = eval_linear(e, env)?;
    let line = env.line();
    let mut regs: Vec<(Register, i64, u32)> = Vec::new();
    for (r, k, col) in lin.regs {
        if !r.is_gpr32() {
            return Err(AsmError::new(
                line,
                col,
                "only 32-bit registers (eax, ebx, ...) can address memory",
            ));
        }
        match regs.iter_mut().find(|x| x.0 == r) {
            Some(x) => x.1 += k,
            None => regs.push((r, k, col)),
        }
    }
    regs.retain(|x| x.1 != 0);
    let bad_scale = |col: u32| {
        AsmError::new(
            line,
            col,
            "invalid memory operand: scale must be 1, 2, 4 or 8",
        )
    };
    let no_esp =
        |col: u32| AsmError::new(line, col, "invalid memory operand: esp cannot be scaled");
    let mut m = Mem {
        base: Register::None,
        index: Register::None,
        scale: 1,
        disp: lin.constant,
    };
    match regs.as_slice() {
        [] => {}
        [(r, k, col)] => match k {
            1 => m.base = *r,
            // NASM splits [eax*2] into [eax+eax] (shorter: no 32-bit displacement).
            2 | 3 | 5 | 9 if *r != Register::ESP => {
                m.base = *r;
                m.index = *r;
                m.scale = (*k - 1) as u32;
            }
            4 | 8 if *r != Register::ESP => {
                m.index = *r;
                m.scale = *k as u32;
            }
            2 | 3 | 4 | 5 | 8 | 9 => return Err(no_esp(*col)),
            _ => return Err(bad_scale(*col)),
        },
        [(r1, k1, c1), (r2, k2, c2)] => {
            let (base, (index, k, col)) = if *k1 == 1 && (*k2 != 1 || *r2 != Register::ESP) {
                (*r1, (*r2, *k2, *c2))
            } else if *k2 == 1 {
                (*r2, (*r1, *k1, *c1))
            } else {
                return Err(bad_scale(*c2));
            };
            if !matches!(k, 1 | 2 | 4 | 8) {
                return Err(bad_scale(col));
            }
            if index == Register::ESP {
                return Err(no_esp(col));
            }
            m.base = base;
            m.index = index;
            m.scale = k as u32;
        }
        [_, _, (_, _, col), ..] => {
            return Err(AsmError::new(
                line,
                *col,
                "invalid memory operand: at most two registers",
            ));
        }
    }
    if let Some(d) = m.disp {
        if !(-(1i64 << 31)..=u32::MAX as i64).contains(&d) {
            return Err(AsmError::new(
                line,
                col,
                format!("address {d} does not fit in 32 bits"),
            ));
        }
    }
    Ok(m)
}

/// Evaluates an operand in the current pass.
///
/// # Errors
/// Undefined symbols, bad memory operands, division by zero.
pub(super) fn evaluate(op: &Operand, env: &dyn Env) -> AsmResult<Val> {
    Ok(match &op.arg {
        OpArg::Reg(r) => Val::Reg(*r),
        OpArg::Mem(e) => Val::Mem(resolve_mem(e, env, op.col)?),
        OpArg::Imm(e) => Val::Imm(eval(e, env)?),
    })
}

#[cfg(test)]
mod tests {
    use super::super::expr::parse_all;
    use super::*;

    struct NoSyms;
    impl Env for NoSyms {
        fn lookup(&self, _: &str, shown: &str, col: u32) -> AsmResult<Option<i64>> {
            Err(AsmError::new(1, col, format!("'{shown}' is not defined")))
        }
        fn here(&self) -> i64 {
            0
        }
        fn section_start(&self) -> i64 {
            0
        }
        fn line(&self) -> u32 {
            1
        }
    }

    fn mem(s: &str) -> AsmResult<(Register, Register, u32, Option<i64>)> {
        let m = resolve_mem(&parse_all(s)?, &NoSyms, 1)?;
        Ok((m.base, m.index, m.scale, m.disp))
    }

    #[test]
    fn nasm_splitting_rules() {
        use Register::*;
        assert_eq!(mem("eax*2").unwrap(), (EAX, EAX, 1, Some(0)));
        assert_eq!(mem("eax*9+4").unwrap(), (EAX, EAX, 8, Some(4)));
        assert_eq!(mem("ecx*4").unwrap(), (None, ECX, 4, Some(0)));
        assert_eq!(mem("4*ecx+ebx-1").unwrap(), (EBX, ECX, 4, Some(-1)));
        assert_eq!(mem("eax+esp").unwrap(), (ESP, EAX, 1, Some(0)));
        assert_eq!(mem("ebx+ebx").unwrap(), (EBX, EBX, 1, Some(0)));
        assert_eq!(mem("ebx+ecx-ecx").unwrap_err().column, 9);
    }

    #[test]
    fn bad_forms() {
        assert!(mem("eax*6").unwrap_err().message.contains("scale"));
        assert!(mem("esp*2").unwrap_err().message.contains("esp"));
        assert!(mem("ax").unwrap_err().message.contains("32-bit"));
        assert!(mem("eax*ebx").is_err());
        assert!(mem("0x100000000").unwrap_err().message.contains("32 bits"));
    }
}
