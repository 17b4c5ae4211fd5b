//! String instructions MOVS STOS LODS CMPS SCAS (byte/word/dword) with REP/REPE/REPNE.
//!
//! Each element is a complete little instruction: its accesses happen first, then ESI/EDI/ECX
//! advance. A fault on element k therefore leaves the registers at element k with EIP at the
//! instruction, exactly like hardware, and the restart continues from there. One `step`
//! performs at most [`REP_CHUNK`] elements and then re-executes the same instruction, so a
//! huge ECX can never stall a run budget.

use crate::cpu::{EAX, ECX, EDI, ESI};
use crate::flags::{size_mask, FlagOp};
use crate::machine::Machine;
use crate::mem::OrFault;
use iced_x86::{Instruction, Mnemonic as M};

/// Elements a REP string instruction performs per step before yielding.
pub(crate) const REP_CHUNK: u32 = 65536;

impl Machine {
    /// Any string instruction, with or without a REP prefix.
    pub(crate) fn string(&mut self, i: &Instruction) -> OrFault<()> {
        let m = i.mnemonic();
        let size: u32 = match m {
            M::Movsb | M::Stosb | M::Lodsb | M::Cmpsb | M::Scasb => 1,
            M::Movsw | M::Stosw | M::Lodsw | M::Cmpsw | M::Scasw => 2,
            _ => 4,
        };
        // 16-bit addressing (SI/DI/CX with a 0x67 prefix) is not supported: #UD.
        let a16 = (0..i.op_count()).any(|n| {
            use iced_x86::OpKind as K;
            matches!(
                i.op_kind(n),
                K::MemorySegSI | K::MemorySegDI | K::MemoryESDI
            )
        });
        if a16 {
            return Err(super::ud());
        }
        let step = if self.flags.df() {
            size.wrapping_neg()
        } else {
            size
        };
        let compares = matches!(
            m,
            M::Cmpsb | M::Cmpsw | M::Cmpsd | M::Scasb | M::Scasw | M::Scasd
        );
        let rep = i.has_rep_prefix() || i.has_repne_prefix();
        if !rep {
            return self.string_once(m, size, step);
        }
        for _ in 0..REP_CHUNK {
            if self.regs[ECX] == 0 {
                return Ok(());
            }
            self.string_once(m, size, step)?;
            self.regs[ECX] = self.regs[ECX].wrapping_sub(1);
            if compares {
                let zf = self.flags.zf();
                if (i.has_repe_prefix() && !zf) || (i.has_repne_prefix() && zf) {
                    return Ok(());
                }
            }
        }
        if self.regs[ECX] != 0 {
            self.next_eip = self.eip; // not finished: the next step continues
        }
        Ok(())
    }

    /// One element.
    fn string_once(&mut self, m: M, size: u32, step: u32) -> OrFault<()> {
        let (esi, edi) = (self.regs[ESI], self.regs[EDI]);
        let mask = size_mask(size);
        match m {
            M::Movsb | M::Movsw | M::Movsd => {
                let v = self.rd(esi, size)?;
                self.wr(edi, size, v)?;
                self.regs[ESI] = esi.wrapping_add(step);
                self.regs[EDI] = edi.wrapping_add(step);
            }
            M::Stosb | M::Stosw | M::Stosd => {
                self.wr(edi, size, self.regs[EAX] & mask)?;
                self.regs[EDI] = edi.wrapping_add(step);
            }
            M::Lodsb | M::Lodsw | M::Lodsd => {
                let v = self.rd(esi, size)?;
                let r = match size {
                    1 => iced_x86::Register::AL,
                    2 => iced_x86::Register::AX,
                    _ => iced_x86::Register::EAX,
                };
                self.set_reg(r, v);
                self.regs[ESI] = esi.wrapping_add(step);
            }
            M::Cmpsb | M::Cmpsw | M::Cmpsd => {
                let a = self.rd(esi, size)?;
                let b = self.rd(edi, size)?;
                self.regs[ESI] = esi.wrapping_add(step);
                self.regs[EDI] = edi.wrapping_add(step);
                self.flags.set(FlagOp::Sub, size, a.wrapping_sub(b), a, b);
            }
            _ => {
                let a = self.regs[EAX] & mask;
                let b = self.rd(edi, size)?;
                self.regs[EDI] = edi.wrapping_add(step);
                self.flags.set(FlagOp::Sub, size, a.wrapping_sub(b), a, b);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{exec, DATA};
    use iced_x86::code_asm::*;

    #[test]
    fn rep_stos_movs_and_scas() {
        let m = exec(|a| {
            a.mov(eax, 0x4141_4141u32)?;
            a.mov(edi, DATA)?;
            a.mov(ecx, 4u32)?;
            a.rep().stosd()?;
            a.mov(byte_ptr(DATA + 9), 0u32)?;
            a.mov(esi, DATA)?;
            a.mov(edi, DATA + 0x100)?;
            a.mov(ecx, 16u32)?;
            a.rep().movsb()?;
            a.mov(edi, DATA + 0x100)?;
            a.xor(eax, eax)?;
            a.mov(ecx, 16u32)?;
            a.repne().scasb()?; // finds the 0 at offset 9
            a.mov(ebx, dword_ptr(DATA + 0x10c))
        });
        let s = m.cpu();
        assert_eq!(s.edi(), DATA + 0x10a);
        assert_eq!(s.ecx(), 6);
        assert_eq!(s.ebx(), 0x4141_4141);
    }

    #[test]
    fn df_counts_down() {
        let m = exec(|a| {
            a.std()?;
            a.mov(esi, DATA + 8)?;
            a.lodsd()?;
            a.cld()
        });
        assert_eq!(m.cpu().esi(), DATA + 4);
    }
}
