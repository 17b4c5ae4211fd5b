//! Does a parsed operand list fit an iced `Code`? Shapes (register class, memory, immediate)
//! and the sizes the programmer wrote.

use iced_x86::{Code, OpCodeOperandKind as K, Register};

use super::candidates::user_kinds;
use super::operand::{Op, Val};
use super::parser::JumpKind;
use super::regs::reg_size;

pub(super) fn is_imm8_kind(k: K) -> bool {
    matches!(k, K::imm8 | K::imm8sex16 | K::imm8sex32 | K::imm8_const_1)
}

/// Does operand `op` fit operand kind `k` by shape (ignoring the immediate's value)?
pub(super) fn shape_ok(k: K, op: &Op<'_>) -> bool {
    match &op.1 {
        Val::Reg(r) => {
            let r = *r;
            let size_ok = op.0.size.is_none_or(|s| s == reg_size(r));
            size_ok
                && match k {
                    K::r8_or_mem | K::r8_reg | K::r8_opcode => r.is_gpr8(),
                    K::r16_or_mem | K::r16_reg | K::r16_rm | K::r16_opcode => r.is_gpr16(),
                    K::r32_or_mem | K::r32_reg | K::r32_rm | K::r32_opcode => r.is_gpr32(),
                    K::al => r == Register::AL,
                    K::cl => r == Register::CL,
                    K::ax => r == Register::AX,
                    K::dx => r == Register::DX,
                    K::eax => r == Register::EAX,
                    _ => false,
                }
        }
        Val::Mem(m) => match k {
            K::r8_or_mem | K::r16_or_mem | K::r32_or_mem | K::mem => true,
            K::mem_offs => m.base == Register::None && m.index == Register::None,
            _ => false,
        },
        Val::Imm(_) => match k {
            K::br32_1 => op.0.jump != Some(JumpKind::Near),
            K::br32_4 => op.0.jump != Some(JumpKind::Short),
            K::imm8 | K::imm8_const_1 | K::imm8sex16 | K::imm8sex32 | K::imm16 | K::imm32 => {
                let strict_ok =
                    !op.0.strict || !is_imm8_kind(k) || op.0.size.is_none_or(|s| s == 1);
                op.0.jump.is_none() && strict_ok
            }
            _ => false,
        },
    }
}

/// The size in bytes of the operation a candidate performs (from its register or memory operand).
pub(super) fn op_size(code: Code, ops: &[Op<'_>]) -> u32 {
    let info = code.op_code();
    for (k, op) in user_kinds(code).iter().zip(ops) {
        match (&op.1, k) {
            (
                Val::Reg(r),
                K::r8_or_mem | K::r16_or_mem | K::r32_or_mem | K::r8_reg | K::r16_reg | K::r32_reg,
            ) => return reg_size(*r),
            (Val::Mem(_), _) => {
                let s = info.memory_size().size() as u32;
                if s != 0 {
                    return s;
                }
            }
            _ => {}
        }
    }
    match info.operand_size() {
        16 => 2,
        _ => 4,
    }
}

/// Checks sizes written as keywords against a candidate.
pub(super) fn sizes_ok(code: Code, ops: &[Op<'_>]) -> bool {
    let info = code.op_code();
    let mem_size = info.memory_size().size() as u32;
    let imm_hint = ops.iter().find_map(|o| match o.1 {
        Val::Imm(_) => o.0.size,
        _ => None,
    });
    for (k, op) in user_kinds(code).iter().zip(ops) {
        match &op.1 {
            Val::Mem(_) => {
                if let Some(s) = op.0.size.or(imm_hint) {
                    if mem_size != 0 && s != mem_size && !(op.0.size.is_none() && is_imm8_kind(*k))
                    {
                        return false;
                    }
                }
            }
            Val::Imm(_) => {
                if let Some(s) = op.0.size {
                    if !(s == op_size(code, ops) || (s == 1 && is_imm8_kind(*k))) {
                        return false;
                    }
                }
            }
            Val::Reg(_) => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::expr::Expr;
    use super::super::operand::Mem;
    use super::super::parser::{OpArg, Operand};
    use super::*;

    fn operand(size: Option<u32>, arg: OpArg) -> Operand {
        Operand {
            col: 1,
            size,
            strict: false,
            jump: None,
            arg,
        }
    }

    #[test]
    fn registers_fit_their_class_only() {
        let al = operand(None, OpArg::Reg(Register::AL));
        let op = (&al, Val::Reg(Register::AL));
        assert!(shape_ok(K::r8_or_mem, &op));
        assert!(shape_ok(K::al, &op));
        assert!(!shape_ok(K::r32_reg, &op));
        let sized = operand(Some(4), OpArg::Reg(Register::AL));
        assert!(!shape_ok(K::r8_reg, &(&sized, Val::Reg(Register::AL))));
    }

    #[test]
    fn absolute_memory_fits_moffs() {
        let m = operand(None, OpArg::Mem(Expr::Num(0x1000)));
        let abs = Mem {
            base: Register::None,
            index: Register::None,
            scale: 1,
            disp: Some(0x1000),
        };
        assert!(shape_ok(K::mem_offs, &(&m, Val::Mem(abs))));
        let based = Mem {
            base: Register::EBX,
            ..abs
        };
        assert!(!shape_ok(K::mem_offs, &(&m, Val::Mem(based))));
        assert!(shape_ok(K::r32_or_mem, &(&m, Val::Mem(based))));
    }

    #[test]
    fn size_keywords_pick_the_form() {
        let m = operand(Some(1), OpArg::Mem(Expr::Num(0)));
        let imm = operand(None, OpArg::Imm(Expr::Num(1)));
        let mem = Mem {
            base: Register::EAX,
            index: Register::None,
            scale: 1,
            disp: Some(0),
        };
        let ops = [(&m, Val::Mem(mem)), (&imm, Val::Imm(Some(1)))];
        assert!(sizes_ok(Code::Mov_rm8_imm8, &ops));
        assert!(!sizes_ok(Code::Mov_rm32_imm32, &ops));
    }
}
