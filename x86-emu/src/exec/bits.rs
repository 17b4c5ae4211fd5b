//! BT BTS BTR BTC (register and bit-string memory forms) and BSF BSR.

use crate::cpu::eflags::*;
use crate::machine::Machine;
use crate::mem::OrFault;
use crate::undefined::Undef;
use iced_x86::{Instruction, Mnemonic, OpKind};

impl Machine {
    /// BT/BTS/BTR/BTC: CF = the selected bit; with a register offset and a memory operand the
    /// offset is signed and may select a bit outside the addressed word (a bit string).
    pub(crate) fn bit_test(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let bits = size * 8;
        let imm = i.op1_kind() != OpKind::Register;
        let off = self.read_op(i, 1, size)?;
        let bit = off & (bits - 1);
        let mem_addr = if i.op0_kind() == OpKind::Memory {
            let mut a = self.ea(i);
            if !imm {
                let words = if size == 4 {
                    (off as i32) >> 5
                } else {
                    (off as u16 as i16 as i32) >> 4
                };
                a = a.wrapping_add((words * size as i32) as u32);
            }
            Some(a)
        } else {
            None
        };
        let v = match mem_addr {
            Some(a) => self.rd(a, size)?,
            None => self.get_reg(i.op0_register()),
        };
        let cf = (v >> bit) & 1 != 0;
        let new = match i.mnemonic() {
            Mnemonic::Bts => Some(v | (1 << bit)),
            Mnemonic::Btr => Some(v & !(1 << bit)),
            Mnemonic::Btc => Some(v ^ (1 << bit)),
            _ => None,
        };
        if let Some(n) = new {
            match mem_addr {
                Some(a) => self.wr(a, size, n)?,
                None => self.set_reg(i.op0_register(), n),
            }
        }
        self.flags.set_eager(CF, if cf { CF } else { 0 });
        self.flags.set_undefined(ARITH, Undef::BitTest);
        Ok(())
    }

    /// BSF/BSR: ZF=1 and the destination unchanged if the source is 0.
    pub(crate) fn bit_scan(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let src = self.read_op(i, 1, size)?;
        // Undefined: CF OF SF AF (given cleared) and PF (given from the index, as if it were 0
        // for a zero source), and the destination for a zero source (given unchanged).
        if src == 0 {
            self.flags.set_eager(ARITH, ZF | PF);
            self.flags.set_undefined(ARITH, Undef::BitScan);
            self.note_undefined_result(Undef::BitScanZero);
            return Ok(());
        }
        let idx = if i.mnemonic() == Mnemonic::Bsf {
            src.trailing_zeros()
        } else {
            31 - src.leading_zeros()
        };
        self.set_reg(i.op0_register(), idx);
        let pf = if crate::flags::parity(idx) { PF } else { 0 };
        self.flags.set_eager(ARITH, pf);
        self.flags.set_undefined(ARITH, Undef::BitScan);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::cpu::eflags::*;
    use crate::testutil::{exec, DATA};
    use iced_x86::code_asm::*;

    #[test]
    fn bt_family_and_bit_strings() {
        let m = exec(|a| {
            a.mov(eax, 0x10u32)?;
            a.bts(eax, 0)?;
            a.btr(eax, 4)?; // CF = 1
            a.mov(ecx, 35u32)?;
            a.bts(dword_ptr(DATA), ecx)?; // bit 3 of the next dword
            a.mov(ebx, dword_ptr(DATA + 4))
        });
        let s = m.cpu();
        assert_eq!(s.eax(), 1);
        assert_eq!(s.ebx(), 8);
        assert_eq!(s.eflags & CF, 0, "the last BTS found the bit clear");
    }

    #[test]
    fn bsf_bsr() {
        let m = exec(|a| {
            a.mov(eax, 0x0000_0f00u32)?;
            a.bsf(ebx, eax)?;
            a.bsr(ecx, eax)?;
            a.mov(edx, 77u32)?;
            a.xor(eax, eax)?;
            a.bsf(edx, eax)
        });
        let s = m.cpu();
        assert_eq!((s.ebx(), s.ecx(), s.edx()), (8, 11, 77));
        assert_eq!(s.eflags & (ZF | PF | CF), ZF | PF);
    }
}
