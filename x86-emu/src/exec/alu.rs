//! ADD ADC SUB SBB AND OR XOR CMP TEST, INC DEC NEG NOT, and the flag instructions.

use crate::cpu::eflags::*;
use crate::flags::{size_mask, FlagOp};
use crate::machine::Machine;
use crate::mem::OrFault;
use iced_x86::{Instruction, Mnemonic, OpKind};

/// The two-operand ALU operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alu {
    Add,
    Or,
    Adc,
    Sbb,
    And,
    Sub,
    Xor,
    Cmp,
    Test,
}

impl Machine {
    /// `op dst, src`; CMP and TEST only set flags.
    #[inline(always)]
    pub(crate) fn alu(&mut self, i: &Instruction, op: Alu) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let mask = size_mask(size);
        let a = self.read_op(i, 0, size)?;
        let b = if i.op1_kind() == OpKind::Register {
            self.get_reg(i.op1_register())
        } else {
            self.read_op(i, 1, size)?
        };
        let (res, fop) = match op {
            Alu::Add => (a.wrapping_add(b), FlagOp::Add),
            Alu::Adc => (
                a.wrapping_add(b).wrapping_add(self.flags.cf() as u32),
                FlagOp::Adc,
            ),
            Alu::Sub | Alu::Cmp => (a.wrapping_sub(b), FlagOp::Sub),
            Alu::Sbb => (
                a.wrapping_sub(b).wrapping_sub(self.flags.cf() as u32),
                FlagOp::Sbb,
            ),
            Alu::And | Alu::Test => (a & b, FlagOp::Logic),
            Alu::Or => (a | b, FlagOp::Logic),
            Alu::Xor => (a ^ b, FlagOp::Logic),
        };
        let res = res & mask;
        if !matches!(op, Alu::Cmp | Alu::Test) {
            self.write_op(i, 0, size, res)?;
        }
        match op {
            Alu::Adc | Alu::Sbb => {
                let cin = self.flags.cf();
                self.flags.set_carry(fop, size, res, a, b, cin);
            }
            _ => self.flags.set(fop, size, res, a, b),
        }
        Ok(())
    }

    /// INC / DEC (CF unchanged).
    pub(crate) fn inc_dec(&mut self, i: &Instruction, inc: bool) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let a = self.read_op(i, 0, size)?;
        let res = if inc {
            a.wrapping_add(1)
        } else {
            a.wrapping_sub(1)
        } & size_mask(size);
        self.write_op(i, 0, size, res)?;
        let op = if inc { FlagOp::Inc } else { FlagOp::Dec };
        self.flags.set(op, size, res, a, 1);
        Ok(())
    }

    /// NEG: `0 - dst`, CF = (dst != 0).
    pub(crate) fn neg(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let b = self.read_op(i, 0, size)?;
        let res = 0u32.wrapping_sub(b) & size_mask(size);
        self.write_op(i, 0, size, res)?;
        self.flags.set(FlagOp::Sub, size, res, 0, b);
        Ok(())
    }

    /// NOT: no flags.
    pub(crate) fn not(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let a = self.read_op(i, 0, size)?;
        self.write_op(i, 0, size, !a & size_mask(size))
    }

    /// CLC STC CMC CLD STD.
    pub(crate) fn flag_op(&mut self, m: Mnemonic) {
        match m {
            Mnemonic::Clc => self.flags.set_eager(CF, 0),
            Mnemonic::Stc => self.flags.set_eager(CF, CF),
            Mnemonic::Cmc => {
                let cf = self.flags.cf();
                self.flags.set_eager(CF, if cf { 0 } else { CF });
            }
            Mnemonic::Cld => self.flags.bits &= !DF,
            _ => self.flags.bits |= DF,
        }
    }

    /// LAHF: AH = SF:ZF:0:AF:0:PF:1:CF.
    pub(crate) fn lahf(&mut self) {
        let f = self.flags.get() & (SF | ZF | AF | PF | CF);
        self.set_reg(iced_x86::Register::AH, f | RESERVED1);
    }

    /// SAHF: SF ZF AF PF CF from AH.
    pub(crate) fn sahf(&mut self) {
        let ah = self.get_reg(iced_x86::Register::AH);
        self.flags.set_eager(SF | ZF | AF | PF | CF, ah);
    }
}
