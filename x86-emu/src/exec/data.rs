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
        let mut v = self.read_op(i, 1, ssize)?;
        if signed {
            v = if ssize == 1 {
                v as u8 as i8 as u32
            } else {
                v as u16 as i16 as u32
            };
        }
        self.set_reg(i.op0_register(), v);
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
        let out = if operand_is_16(r) { 0 } else { v.swap_bytes() };
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

fn operand_is_16(r: Register) -> bool {
    super::operand::reg_size(r) == 2
}
