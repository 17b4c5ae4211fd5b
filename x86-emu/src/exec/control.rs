//! JMP, CALL, RET (incl. RET imm16), JECXZ/JCXZ and LOOP/LOOPE/LOOPNE. Jcc sits in the
//! dispatcher: it is one line.

use crate::cpu::{ECX, ESP};
use crate::machine::Machine;
use crate::mem::OrFault;
use iced_x86::{Instruction, Mnemonic, OpKind, Register};

impl Machine {
    /// Where a JMP/CALL goes: a relative target or an r/m operand (read before anything changes).
    fn jump_target(&mut self, i: &Instruction) -> OrFault<u32> {
        match i.op0_kind() {
            OpKind::NearBranch32 | OpKind::NearBranch16 => Ok(self.branch_target(i)),
            _ => {
                let size = self.op_size(i, 0);
                self.read_op(i, 0, size)
            }
        }
    }

    /// JMP/CALL far through memory (m16:16 or m16:32): the pointer is read (so an unmapped
    /// one faults first, as on the CPU), then #GP: the flat model has no segments to load.
    pub(crate) fn far_indirect(&mut self, i: &Instruction) -> OrFault<()> {
        let a = self.ea(i);
        let offset = i.memory_size().size() as u32 - 2;
        self.rd(a, offset)?;
        self.rd(a.wrapping_add(offset), 2)?;
        Err(crate::Exception::gp0())
    }

    /// JMP near.
    pub(crate) fn jmp(&mut self, i: &Instruction) -> OrFault<()> {
        self.next_eip = self.jump_target(i)?;
        Ok(())
    }

    /// CALL near: push the return address, then jump.
    pub(crate) fn call(&mut self, i: &Instruction) -> OrFault<()> {
        let target = self.jump_target(i)?;
        let size = match i.op0_kind() {
            OpKind::NearBranch16 => 2,
            OpKind::Memory => i.memory_size().size() as u32,
            OpKind::Register => super::operand::reg_size(i.op0_register()),
            _ => 4,
        };
        self.push(size, self.next_eip)?;
        self.next_eip = target;
        Ok(())
    }

    /// RET near, optionally releasing imm16 more bytes of arguments.
    pub(crate) fn ret(&mut self, i: &Instruction) -> OrFault<()> {
        let size = if i.code() == iced_x86::Code::Retnw || i.code() == iced_x86::Code::Retnw_imm16 {
            2
        } else {
            4
        };
        let target = self.pop(size)?;
        if i.op_count() > 0 {
            self.regs[ESP] = self.regs[ESP].wrapping_add(i.immediate16() as u32);
        }
        self.next_eip = target;
        Ok(())
    }

    /// JECXZ/JCXZ, LOOP, LOOPE, LOOPNE (the count register is CX with a 0x67 prefix).
    pub(crate) fn loop_jump(&mut self, i: &Instruction) -> OrFault<()> {
        use iced_x86::Code as C;
        let cx16 = i.mnemonic() == Mnemonic::Jcxz
            || matches!(
                i.code(),
                C::Loop_rel8_16_CX
                    | C::Loop_rel8_32_CX
                    | C::Loope_rel8_16_CX
                    | C::Loope_rel8_32_CX
                    | C::Loopne_rel8_16_CX
                    | C::Loopne_rel8_32_CX
            );
        let count_reg = if cx16 { Register::CX } else { Register::ECX };
        let take = match i.mnemonic() {
            Mnemonic::Jecxz | Mnemonic::Jcxz => self.get_reg(count_reg) == 0,
            m => {
                let c = self.get_reg(count_reg).wrapping_sub(1);
                self.set_reg(count_reg, c);
                let nz = if cx16 {
                    c & 0xffff != 0
                } else {
                    self.regs[ECX] != 0
                };
                match m {
                    Mnemonic::Loope => nz && self.flags.zf(),
                    Mnemonic::Loopne => nz && !self.flags.zf(),
                    _ => nz,
                }
            }
        };
        if take {
            self.next_eip = self.branch_target(i);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{exec, STACK_TOP};
    use iced_x86::code_asm::*;

    #[test]
    fn call_ret_loop_jecxz() {
        let m = exec(|a| {
            let mut f = a.create_label();
            let mut done = a.create_label();
            let mut top = a.create_label();
            let mut skip = a.create_label();
            a.push(7)?;
            a.call(f)?;
            a.mov(ecx, 4u32)?;
            a.set_label(&mut top)?;
            a.add(ebx, 2)?;
            a.loop_(top)?;
            a.jecxz(skip)?;
            a.mov(ebx, 0u32)?;
            a.set_label(&mut skip)?;
            a.jmp(done)?;
            a.set_label(&mut f)?;
            a.mov(eax, dword_ptr(esp + 4))?;
            a.ret_1(4)?;
            a.set_label(&mut done)?;
            a.nop()
        });
        let s = m.cpu();
        assert_eq!((s.eax(), s.ebx(), s.ecx()), (7, 8, 0));
        assert_eq!(s.esp(), STACK_TOP);
    }
}
