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

impl Alu {
    /// `a op b` (not yet masked to the operand size) and the flags operation that records
    /// it; `cin` is the carry ADC and SBB take in (the other operations ignore it).
    #[inline(always)]
    pub(crate) fn apply(self, a: u32, b: u32, cin: bool) -> (u32, FlagOp) {
        match self {
            Alu::Add => (a.wrapping_add(b), FlagOp::Add),
            Alu::Adc => (a.wrapping_add(b).wrapping_add(cin as u32), FlagOp::Adc),
            Alu::Sub | Alu::Cmp => (a.wrapping_sub(b), FlagOp::Sub),
            Alu::Sbb => (a.wrapping_sub(b).wrapping_sub(cin as u32), FlagOp::Sbb),
            Alu::And | Alu::Test => (a & b, FlagOp::Logic),
            Alu::Or => (a | b, FlagOp::Logic),
            Alu::Xor => (a ^ b, FlagOp::Logic),
        }
    }

    /// Whether the result goes to the destination (CMP and TEST only set flags).
    #[inline(always)]
    pub(crate) fn writes(self) -> bool {
        !matches!(self, Alu::Cmp | Alu::Test)
    }
}

/// INC (or DEC) of `a`, masked to `size` bytes, and the flags operation that records it.
#[inline(always)]
pub(crate) fn inc_dec(a: u32, inc: bool, size: u32) -> (u32, FlagOp) {
    if inc {
        (a.wrapping_add(1) & size_mask(size), FlagOp::Inc)
    } else {
        (a.wrapping_sub(1) & size_mask(size), FlagOp::Dec)
    }
}

impl Machine {
    /// `op dst, src`; CMP and TEST only set flags.
    #[inline(always)]
    pub(crate) fn alu(&mut self, i: &Instruction, op: Alu) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let a = self.read_op(i, 0, size)?;
        let b = if i.op1_kind() == OpKind::Register {
            self.get_reg(i.op1_register())
        } else {
            self.read_op(i, 1, size)?
        };
        let cin = self.flags.cf();
        let (res, fop) = op.apply(a, b, cin);
        let res = res & size_mask(size);
        if op.writes() {
            self.write_op(i, 0, size, res)?;
        }
        match op {
            Alu::Adc | Alu::Sbb => self.flags.set_carry(fop, size, res, a, b, cin),
            _ => self.flags.set(fop, size, res, a, b),
        }
        Ok(())
    }

    /// INC / DEC (CF unchanged).
    pub(crate) fn inc_dec(&mut self, i: &Instruction, inc: bool) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let a = self.read_op(i, 0, size)?;
        let (res, op) = inc_dec(a, inc, size);
        self.write_op(i, 0, size, res)?;
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

#[cfg(test)]
mod tests {
    use crate::cpu::eflags::*;
    use crate::testutil::exec;
    use iced_x86::code_asm::*;

    fn arith(f: u32) -> u32 {
        f & ARITH
    }

    #[test]
    fn add_sets_cf_of_af_zf_pf() {
        let m = exec(|a| {
            a.mov(eax, 0xffff_ffffu32)?;
            a.add(eax, 1)
        });
        let s = m.cpu();
        assert_eq!(s.eax(), 0);
        assert_eq!(arith(s.eflags), CF | PF | AF | ZF);
        let m = exec(|a| {
            a.mov(al, 0x7f)?;
            a.add(al, 1)
        });
        assert_eq!(arith(m.cpu().eflags), AF | SF | OF);
    }

    #[test]
    fn adc_sbb_use_carry() {
        let m = exec(|a| {
            a.stc()?;
            a.mov(eax, 1u32)?;
            a.adc(eax, 1)?;
            a.stc()?;
            a.mov(ebx, 0u32)?;
            a.sbb(ebx, 0)
        });
        let s = m.cpu();
        assert_eq!((s.eax(), s.ebx()), (3, 0xffff_ffff));
        assert_eq!(arith(s.eflags), CF | PF | AF | SF);
    }

    #[test]
    fn sub_cmp_logic_inc_dec_neg_not() {
        let m = exec(|a| {
            a.mov(eax, 5u32)?;
            a.cmp(eax, 7)?; // 5 - 7: borrow, negative
            a.setb(bl)?;
            a.setl(bh)?;
            a.xor(ecx, ecx)?; // ZF PF, CF OF AF clear
            a.setz(cl)?;
            a.stc()?;
            a.inc(edx)?; // keeps CF
            a.setc(dl)?;
            a.mov(esi, 0x8000_0000u32)?;
            a.neg(esi)?; // CF=1 OF=1
            a.seto(ch)?;
            a.not(edi)
        });
        let s = m.cpu();
        assert_eq!(s.ebx() & 0xffff, 0x0101);
        assert_eq!(s.ecx() & 0xffff, 0x0101);
        assert_eq!(s.edx() & 0xff, 1);
        assert_eq!(s.esi(), 0x8000_0000);
        assert_eq!(s.edi(), 0xffff_ffff);
    }

    #[test]
    fn lahf_sahf_cmc() {
        let m = exec(|a| {
            a.mov(ah, 0xd5u32)?;
            a.sahf()?;
            a.cmc()?;
            a.lahf()
        });
        assert_eq!((m.cpu().eax() >> 8) & 0xff, 0xd6);
    }
}
