//! Data movement: MOV MOVZX MOVSX LEA XCHG CMPXCHG CMPXCHG8B XADD, CBW/CWDE/CWD/CDQ, BSWAP, CMOVcc.

use super::special_reg;
use crate::cpu::{EAX, EDX};
use crate::exception::Exception;
use crate::flags::{size_mask, FlagOp};
use crate::machine::Machine;
use crate::mem::OrFault;
use iced_x86::{Instruction, Mnemonic, OpKind, Register};

impl Machine {
    /// MOV (general registers and memory; segment registers read as flat selectors, writing
    /// one or touching a control/debug register raises #GP(0)).
    #[inline(always)]
    pub(crate) fn mov(&mut self, i: &Instruction) -> OrFault<()> {
        if i.op0_kind() == OpKind::Register && special_reg(i.op0_register()) {
            return Err(Exception::gp0());
        }
        if i.op1_kind() == OpKind::Register {
            let r = i.op1_register();
            if special_reg(r) && !r.is_segment_register() {
                return Err(Exception::gp0());
            }
        }
        let size = self.op_size(i, 0);
        let v = self.read_op(i, 1, size)?;
        self.write_op(i, 0, size, v)
    }

    /// MOVZX / MOVSX.
    pub(crate) fn movx(&mut self, i: &Instruction, signed: bool) -> OrFault<()> {
        let ssize = self.op_size(i, 1);
        let v = self.read_op(i, 1, ssize)?;
        self.set_reg(i.op0_register(), extend(v, ssize, signed));
        Ok(())
    }

    /// LEA: the address, no memory access.
    pub(crate) fn lea(&mut self, i: &Instruction) -> OrFault<()> {
        let a = self.ea(i);
        self.set_reg(i.op0_register(), a);
        Ok(())
    }

    /// XCHG: the memory operand (if any) is written first.
    pub(crate) fn xchg(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let a = self.read_op(i, 0, size)?;
        let b = self.read_op(i, 1, size)?;
        if i.op1_kind() == OpKind::Memory {
            self.write_op(i, 1, size, a)?;
            self.write_op(i, 0, size, b)
        } else {
            self.write_op(i, 0, size, b)?;
            self.write_op(i, 1, size, a)
        }
    }

    /// CMPXCHG: compare the accumulator with dst; equal: dst = src, else acc = dst. The
    /// destination is always written (as on the i486 and later), so a read-only page faults.
    pub(crate) fn cmpxchg(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let mask = size_mask(size);
        let dst = self.read_op(i, 0, size)?;
        let src = self.get_reg(i.op1_register());
        let acc = self.regs[EAX] & mask;
        let res = acc.wrapping_sub(dst) & mask;
        if acc == dst {
            self.write_op(i, 0, size, src)?;
        } else {
            if i.op0_kind() == OpKind::Memory {
                self.write_op(i, 0, size, dst)?;
            }
            let acc_reg = match size {
                1 => Register::AL,
                2 => Register::AX,
                _ => Register::EAX,
            };
            self.set_reg(acc_reg, dst);
        }
        self.flags.set(FlagOp::Sub, size, res, acc, dst);
        Ok(())
    }

    /// CMPXCHG8B m64: compare EDX:EAX with m64; equal: m64 = ECX:EBX, ZF=1; else EDX:EAX = m64, ZF=0.
    pub(crate) fn cmpxchg8b(&mut self, i: &Instruction) -> OrFault<()> {
        if i.op0_kind() != OpKind::Memory {
            return Err(super::ud());
        }
        let a = self.ea(i);
        let mut buf = [0u8; 8];
        self.read_bytes(a, &mut buf)?;
        let lo = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]);
        let hi = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
        let equal = lo == self.regs[EAX] && hi == self.regs[EDX];
        let mut out = [0u8; 8];
        let (wlo, whi) = if equal {
            (self.regs[3], self.regs[1])
        } else {
            (lo, hi)
        };
        out[..4].copy_from_slice(&wlo.to_le_bytes());
        out[4..].copy_from_slice(&whi.to_le_bytes());
        self.write_bytes(a, &out)?;
        if !equal {
            self.regs[EAX] = lo;
            self.regs[EDX] = hi;
        }
        let zf = if equal { crate::cpu::eflags::ZF } else { 0 };
        self.flags.set_eager(crate::cpu::eflags::ZF, zf);
        Ok(())
    }

    /// XADD: dst = dst + src, src = old dst, flags as ADD.
    pub(crate) fn xadd(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let a = self.read_op(i, 0, size)?;
        let b = self.get_reg(i.op1_register());
        let res = a.wrapping_add(b) & size_mask(size);
        self.write_op(i, 0, size, res)?;
        self.set_reg(i.op1_register(), a);
        if i.op0_kind() == OpKind::Register {
            self.set_reg(i.op0_register(), res); // xadd r, r with the same register: dst wins
        }
        self.flags.set(FlagOp::Add, size, res, a, b);
        Ok(())
    }

    /// CBW CWDE CWD CDQ.
    pub(crate) fn convert(&mut self, m: Mnemonic) {
        let eax = self.regs[EAX];
        match m {
            Mnemonic::Cbw => self.set_reg(Register::AX, eax as u8 as i8 as u32),
            Mnemonic::Cwde => self.regs[EAX] = eax as u16 as i16 as u32,
            Mnemonic::Cwd => {
                let dx = if eax & 0x8000 != 0 { 0xffff } else { 0 };
                self.set_reg(Register::DX, dx);
            }
            _ => self.regs[EDX] = ((eax as i32) >> 31) as u32,
        }
    }

    /// BSWAP r32 (the 16-bit form clears the register's low word, as Intel CPUs do).
    pub(crate) fn bswap(&mut self, i: &Instruction) -> OrFault<()> {
        let r = i.op0_register();
        let v = self.get_reg(r);
        let out = if operand_is_16(r) {
            self.note_undefined_result(crate::undefined::Undef::Bswap16);
            0
        } else {
            v.swap_bytes()
        };
        self.set_reg(r, out);
        Ok(())
    }

    /// CMOVcc: the source is read (and may fault) even when the condition is false.
    pub(crate) fn cmov(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let v = self.read_op(i, 1, size)?;
        if self.flags.cond(i.condition_code() as u8 - 1) {
            self.set_reg(i.op0_register(), v);
        }
        Ok(())
    }
}

/// `v`, a value of `size` (1 or 2) bytes, zero- or sign-extended to 32 bits (MOVZX, MOVSX).
#[inline(always)]
pub(crate) fn extend(v: u32, size: u32, signed: bool) -> u32 {
    match (signed, size) {
        (false, _) => v & size_mask(size),
        (true, 1) => v as u8 as i8 as u32,
        (true, _) => v as u16 as i16 as u32,
    }
}

fn operand_is_16(r: Register) -> bool {
    super::operand::reg_size(r) == 2
}

#[cfg(test)]
mod tests {
    use crate::cpu::eflags::*;
    use crate::testutil::{exec, DATA};
    use iced_x86::code_asm::*;

    #[test]
    fn movzx_movsx_lea_xchg_bswap() {
        let m = exec(|a| {
            a.mov(eax, 0x1234_56f0u32)?;
            a.movzx(ebx, al)?;
            a.movsx(ecx, al)?;
            a.lea(edx, ptr(eax + ebx * 4 + 8))?;
            a.xchg(eax, ebx)?;
            a.bswap(ecx)
        });
        let s = m.cpu();
        assert_eq!((s.eax(), s.ebx()), (0xf0, 0x1234_56f0));
        assert_eq!(s.ecx(), 0xf0ff_ffff);
        assert_eq!(s.edx(), 0x1234_56f0 + 0x3c0 + 8);
    }

    #[test]
    fn cmpxchg_xadd_cmov() {
        let m = exec(|a| {
            a.mov(dword_ptr(DATA), 5u32)?;
            a.mov(eax, 5u32)?;
            a.mov(ecx, 9u32)?;
            a.cmpxchg(dword_ptr(DATA), ecx)?; // equal: [DATA] = 9, ZF = 1
            a.setz(bl)?;
            a.cmpxchg(dword_ptr(DATA), ecx)?; // 5 != 9: EAX = 9
            a.mov(edx, 1u32)?;
            a.xadd(dword_ptr(DATA), edx)?; // [DATA] = 10, EDX = 9
            a.mov(esi, 3u32)?;
            a.cmp(esi, 4)?;
            a.cmovb(edi, esi)
        });
        let s = m.cpu();
        assert_eq!(s.ebx() & 0xff, 1);
        assert_eq!((s.eax(), s.edx(), s.edi()), (9, 9, 3));
        assert_eq!(s.eflags & CF, CF);
    }

    #[test]
    fn cbw_cwde_cdq() {
        let m = exec(|a| {
            a.mov(eax, 0x80u32)?;
            a.cbw()?;
            a.cwde()?;
            a.cdq()
        });
        assert_eq!((m.cpu().eax(), m.cpu().edx()), (0xffff_ff80, 0xffff_ffff));
    }
}
