//! Building an iced `Instruction` from a matched `Code` and the evaluated operands.

use iced_x86::{Code, Instruction, OpCodeOperandKind as K, OpKind, Register};

use super::candidates::implicit;
use super::error::{AsmError, AsmResult};
use super::operand::{Mem, Op, Val};
use super::parser::{Instr, Prefix};
use super::regs::size_name;

/// Why a candidate was rejected after its shape matched.
pub(super) enum Reject {
    /// Silently: a shorter form that does not fit (imm8 sign-extended, `shl eax, 1`).
    Quiet,
    /// The value does not fit: column and message, reported if no other form fits either.
    Range(u32, String),
}

/// Fills operand `i` of `ins` for the implicit kinds of string instructions; false otherwise.
fn set_implicit(ins: &mut Instruction, i: u32, k: K, string_op: bool) -> bool {
    let fixed = match k {
        K::al => Register::AL,
        K::ax => Register::AX,
        K::eax => Register::EAX,
        _ => Register::None,
    };
    match k {
        K::seg_rSI => ins.set_op_kind(i, OpKind::MemorySegESI),
        K::es_rDI => ins.set_op_kind(i, OpKind::MemoryESEDI),
        _ if string_op && fixed != Register::None => {
            ins.set_op_kind(i, OpKind::Register);
            ins.set_op_register(i, fixed);
        }
        _ => return false,
    }
    true
}

/// Memory operand `i`: unknown displacements (forward references) take the 32-bit form.
fn set_mem(ins: &mut Instruction, i: u32, m: &Mem, force_long: bool) {
    ins.set_op_kind(i, OpKind::Memory);
    ins.set_memory_base(m.base);
    ins.set_memory_index(m.index);
    ins.set_memory_index_scale(m.scale);
    let d = m.disp.unwrap_or(0x7fff_0000);
    ins.set_memory_displacement32(d as u32);
    // iced: 0 = none, 1 = disp8 if it fits (else disp32), 4 = disp32.
    let displ_size = if m.base == Register::None || m.disp.is_none() || force_long {
        4
    } else if d == 0 {
        0
    } else {
        1
    };
    ins.set_memory_displ_size(displ_size);
}

/// Immediate or branch operand `i` of kind `k` (value `v`, written at column `col`).
fn set_imm(
    ins: &mut Instruction,
    i: u32,
    k: K,
    v: Option<i64>,
    col: u32,
    addr: u32,
    force_long: bool,
) -> Result<(), Reject> {
    // `enter 16, 0`: the second immediate has its own slot in iced.
    let second = (0..i).any(|j| {
        matches!(
            ins.op_kind(j),
            OpKind::Immediate8 | OpKind::Immediate16 | OpKind::Immediate32
        )
    });
    match k {
        K::br32_1 | K::br32_4 => {
            // An unknown target starts optimistic: here, so the short form is tried first.
            let target = v.unwrap_or(addr as i64);
            if !(0..=u32::MAX as i64).contains(&target) {
                let msg = format!("jump target {target} is not an address");
                return Err(Reject::Range(col, msg));
            }
            ins.set_op_kind(i, OpKind::NearBranch32);
            ins.set_near_branch32(target as u32);
        }
        K::imm8_const_1 => {
            if v != Some(1) {
                return Err(Reject::Quiet);
            }
            ins.set_op_kind(i, OpKind::Immediate8);
            ins.set_immediate8(1);
        }
        K::imm8sex16 | K::imm8sex32 => {
            let Some(v) = v else {
                return Err(Reject::Quiet);
            };
            let top = if k == K::imm8sex16 {
                0xFFFF
            } else {
                u32::MAX as i64
            };
            let fits = (-128..=127).contains(&v) || (top - 127..=top).contains(&v);
            if !fits || force_long {
                return Err(Reject::Quiet);
            }
            if k == K::imm8sex16 {
                ins.set_op_kind(i, OpKind::Immediate8to16);
                ins.set_immediate8to16(v as i8 as i16);
            } else {
                ins.set_op_kind(i, OpKind::Immediate8to32);
                ins.set_immediate8to32(v as i8 as i32);
            }
        }
        K::imm8 | K::imm16 | K::imm32 => {
            let (lo, hi, bytes) = match k {
                K::imm8 => (-128, 255, 1),
                K::imm16 => (-32768, 65535, 2),
                _ => (-(1i64 << 31), u32::MAX as i64, 4),
            };
            // An unknown value is a placeholder that fits; the next pass knows it.
            let value = v.unwrap_or(0);
            if !(lo..=hi).contains(&value) {
                let msg = format!("value {value} does not fit in a {}", size_name(bytes));
                return Err(Reject::Range(col, msg));
            }
            match k {
                K::imm8 if second => {
                    ins.set_op_kind(i, OpKind::Immediate8_2nd);
                    ins.set_immediate8_2nd(value as u8);
                }
                K::imm8 => {
                    ins.set_op_kind(i, OpKind::Immediate8);
                    ins.set_immediate8(value as u8);
                }
                K::imm16 => {
                    ins.set_op_kind(i, OpKind::Immediate16);
                    ins.set_immediate16(value as u16);
                }
                _ => {
                    ins.set_op_kind(i, OpKind::Immediate32);
                    ins.set_immediate32(value as u32);
                }
            }
        }
        _ => return Err(Reject::Quiet),
    }
    Ok(())
}

/// The instruction `code` with operands `ops`, to be encoded at `addr`.
pub(super) fn build(
    code: Code,
    ops: &[Op<'_>],
    addr: u32,
    force_long: bool,
) -> Result<Instruction, Reject> {
    let info = code.op_code();
    let mut ins = Instruction::default();
    ins.set_code(code);
    let mut user = ops.iter();
    let string_op = info.op_kinds().iter().any(|k| implicit(*k));
    for (i, &k) in info.op_kinds().iter().enumerate() {
        let i = i as u32;
        if set_implicit(&mut ins, i, k, string_op) {
            continue;
        }
        let Some((operand, val)) = user.next() else {
            return Err(Reject::Quiet);
        };
        match val {
            Val::Reg(r) => {
                ins.set_op_kind(i, OpKind::Register);
                ins.set_op_register(i, *r);
            }
            Val::Mem(m) => set_mem(&mut ins, i, m, force_long),
            Val::Imm(v) => set_imm(&mut ins, i, k, *v, operand.col, addr, force_long)?,
        }
    }
    Ok(ins)
}

pub(super) fn apply_prefix(
    ins: &mut Instruction,
    instr: &Instr,
    ops: &[Op<'_>],
    line: u32,
) -> AsmResult<()> {
    let Some((p, col)) = instr.prefix else {
        return Ok(());
    };
    let info = ins.code().op_code();
    match p {
        Prefix::Rep | Prefix::Repe | Prefix::Repne => {
            if !(info.can_use_rep_prefix() || info.can_use_repne_prefix()) {
                return Err(AsmError::new(
                    line,
                    col,
                    "rep prefixes only go with string instructions (movsb, stosd, ...)",
                ));
            }
            if p == Prefix::Repne {
                ins.set_has_repne_prefix(true);
            } else {
                ins.set_has_repe_prefix(true);
            }
        }
        Prefix::Lock => {
            let has_mem = ops.iter().any(|o| matches!(o.1, Val::Mem(_)));
            if !info.can_use_lock_prefix() || !has_mem {
                return Err(AsmError::new(
                    line,
                    col,
                    "lock needs an instruction that writes memory (add, xchg, cmpxchg, ...)",
                ));
            }
            ins.set_has_lock_prefix(true);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_x86::Encoder;

    fn bytes(ins: &Instruction) -> Vec<u8> {
        let mut e = Encoder::new(32);
        e.encode(ins, 0x1000).unwrap();
        e.take_buffer()
    }

    fn mov_eax_mem(base: Register, disp: Option<i64>, force_long: bool) -> Vec<u8> {
        let mut ins = Instruction::default();
        ins.set_code(Code::Mov_r32_rm32);
        ins.set_op_kind(0, OpKind::Register);
        ins.set_op_register(0, Register::EAX);
        let m = Mem {
            base,
            index: Register::None,
            scale: 1,
            disp,
        };
        set_mem(&mut ins, 1, &m, force_long);
        bytes(&ins)
    }

    #[test]
    fn displacement_sizes() {
        assert_eq!(mov_eax_mem(Register::EBX, Some(0), false), [0x8B, 0x03]);
        assert_eq!(mov_eax_mem(Register::EBX, Some(4), false), [0x8B, 0x43, 4]);
        assert_eq!(mov_eax_mem(Register::EBP, Some(0), false), [0x8B, 0x45, 0]);
        assert_eq!(mov_eax_mem(Register::EBX, Some(4), true).len(), 6);
        // Unknown (forward) displacement: 32 bits until it is known.
        assert_eq!(mov_eax_mem(Register::EBX, None, false).len(), 6);
    }

    #[test]
    fn immediates_check_their_range() {
        let mut ins = Instruction::default();
        ins.set_code(Code::Add_rm32_imm8);
        let quiet = set_imm(&mut ins, 1, K::imm8sex32, Some(200), 1, 0, false);
        assert!(matches!(quiet, Err(Reject::Quiet)));
        assert!(set_imm(&mut ins, 1, K::imm8sex32, Some(0xFFFF_FFFF), 1, 0, false).is_ok());
        let loud = set_imm(&mut ins, 1, K::imm8, Some(300), 7, 0, false);
        assert!(
            matches!(loud, Err(Reject::Range(7, ref m)) if m == "value 300 does not fit in a byte")
        );
    }
}
