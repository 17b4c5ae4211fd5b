//! Reading and writing instruction operands: registers by iced name, effective addresses,
//! memory and immediates.

use crate::flags::size_mask;
use crate::machine::Machine;
use crate::mem::OrFault;
use iced_x86::{Instruction, OpKind, Register};

/// Size in bytes of a general register (0 for anything else).
#[inline(always)]
pub(crate) fn reg_size(r: Register) -> u32 {
    match r as u32 {
        37..=44 => 4,
        21..=28 => 2,
        1..=8 => 1,
        _ => 0,
    }
}

/// Whether `r` is a 16-bit general register (16-bit addressing).
#[inline(always)]
fn is_r16(r: Register) -> bool {
    (21..=28).contains(&(r as u32))
}

impl Machine {
    /// Value of a general register (8, 16 or 32 bits, zero-extended); segment registers read
    /// as the flat selectors Linux uses for 32-bit user code.
    #[inline(always)]
    pub(crate) fn get_reg(&self, r: Register) -> u32 {
        let n = r as u32;
        match n {
            37..=44 => self.regs[(n - 37) as usize],
            21..=28 => self.regs[(n - 21) as usize] & 0xffff,
            1..=4 => self.regs[(n - 1) as usize] & 0xff,
            5..=8 => (self.regs[(n - 5) as usize] >> 8) & 0xff,
            _ => match r {
                Register::CS => 0x23,
                Register::DS | Register::ES | Register::SS => 0x2b,
                _ => 0,
            },
        }
    }

    /// Write a general register; 8- and 16-bit writes keep the other bits.
    #[inline(always)]
    pub(crate) fn set_reg(&mut self, r: Register, v: u32) {
        let n = r as u32;
        match n {
            37..=44 => self.regs[(n - 37) as usize] = v,
            21..=28 => {
                let x = &mut self.regs[(n - 21) as usize];
                *x = (*x & 0xffff_0000) | (v & 0xffff);
            }
            1..=4 => {
                let x = &mut self.regs[(n - 1) as usize];
                *x = (*x & !0xff) | (v & 0xff);
            }
            5..=8 => {
                let x = &mut self.regs[(n - 5) as usize];
                *x = (*x & !0xff00) | ((v & 0xff) << 8);
            }
            _ => {}
        }
    }

    /// Effective (= linear, segments are flat) address of the memory operand.
    #[inline(always)]
    pub(crate) fn ea(&self, i: &Instruction) -> u32 {
        let base = i.memory_base();
        let index = i.memory_index();
        let mut a = i.memory_displacement32();
        if base != Register::None {
            a = a.wrapping_add(self.get_reg(base));
        }
        if index != Register::None {
            a = a.wrapping_add(self.get_reg(index).wrapping_mul(i.memory_index_scale()));
        }
        if i.memory_displ_size() == 2 || is_r16(base) || is_r16(index) {
            a &= 0xffff; // 16-bit addressing (0x67 prefix) wraps at 64 KiB
        }
        a
    }

    /// Size in bytes of operand `n` (register or memory).
    #[inline(always)]
    pub(crate) fn op_size(&self, i: &Instruction, n: u32) -> u32 {
        match i.op_kind(n) {
            OpKind::Register => reg_size(i.op_register(n)),
            OpKind::Memory => i.memory_size().size() as u32,
            OpKind::Immediate8 | OpKind::Immediate8_2nd => 1,
            OpKind::Immediate16 | OpKind::Immediate8to16 => 2,
            _ => 4,
        }
    }

    /// Read operand `n` (register, memory or immediate), masked to `size` bytes.
    #[inline(always)]
    pub(crate) fn read_op(&mut self, i: &Instruction, n: u32, size: u32) -> OrFault<u32> {
        match i.op_kind(n) {
            OpKind::Register => Ok(self.get_reg(i.op_register(n))),
            OpKind::Memory => {
                let a = self.ea(i);
                self.rd(a, size)
            }
            _ => Ok(i.try_immediate(n).unwrap_or(0) as u32 & size_mask(size)),
        }
    }

    /// Write operand `n` (register or memory) with `size` bytes of `v`.
    #[inline(always)]
    pub(crate) fn write_op(&mut self, i: &Instruction, n: u32, size: u32, v: u32) -> OrFault<()> {
        match i.op_kind(n) {
            OpKind::Memory => {
                let a = self.ea(i);
                self.wr(a, size, v)
            }
            _ => {
                self.set_reg(i.op_register(n), v);
                Ok(())
            }
        }
    }

    /// Linear target of a near branch (the decoder ran with IP = offset in the page).
    #[inline(always)]
    pub(crate) fn branch_target(&self, i: &Instruction) -> u32 {
        let page = self.eip & !0xfff;
        match i.op0_kind() {
            OpKind::NearBranch16 => {
                let disp = (i.near_branch16() as u32).wrapping_sub(i.next_ip32()) as u16;
                self.next_eip.wrapping_add(disp as i16 as u32) & 0xffff
            }
            _ => page.wrapping_add(i.near_branch32()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ram::Ram;

    #[test]
    fn partial_registers() {
        let mut m = Machine::new(Ram::new(1).unwrap());
        m.set_reg(Register::EAX, 0x1234_5678);
        assert_eq!(m.get_reg(Register::AH), 0x56);
        assert_eq!(m.get_reg(Register::AX), 0x5678);
        m.set_reg(Register::AH, 0xab);
        m.set_reg(Register::AL, 0xcd);
        assert_eq!(m.get_reg(Register::EAX), 0x1234_abcd);
        m.set_reg(Register::DI, 0xffff_0001);
        assert_eq!(m.regs[7], 0x0001);
        assert_eq!(reg_size(Register::BH), 1);
    }
}
