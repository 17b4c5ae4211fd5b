//! PUSH POP PUSHAD POPAD PUSHFD POPFD ENTER LEAVE. ESP changes only after the stack access
//! succeeded, so a push to an unmapped stack faults with ESP untouched.

use crate::cpu::eflags::{RESERVED1, USER_WRITABLE};
use crate::cpu::{EBP, ESP};
use crate::machine::Machine;
use crate::mem::OrFault;
use iced_x86::{Instruction, OpKind};

impl Machine {
    /// Size of the value PUSH/POP moves for operand 0.
    fn stack_size(&self, i: &Instruction) -> u32 {
        match i.op0_kind() {
            OpKind::Register => match super::operand::reg_size(i.op0_register()) {
                0 => 4, // segment register: a 32-bit slot
                s => s,
            },
            OpKind::Memory => i.memory_size().size() as u32,
            OpKind::Immediate16 | OpKind::Immediate8to16 => 2,
            _ => 4,
        }
    }

    /// Push `size` bytes of `v`.
    pub(crate) fn push(&mut self, size: u32, v: u32) -> OrFault<()> {
        let sp = self.regs[ESP].wrapping_sub(size);
        self.wr(sp, size, v)?;
        self.regs[ESP] = sp;
        Ok(())
    }

    /// Pop `size` bytes: read at ESP, then advance ESP (left as it was on a fault).
    pub(crate) fn pop(&mut self, size: u32) -> OrFault<u32> {
        let sp = self.regs[ESP];
        let v = self.rd(sp, size)?;
        self.regs[ESP] = sp.wrapping_add(size);
        Ok(v)
    }

    /// PUSH r/m/imm (PUSH ESP pushes the value before the decrement).
    pub(crate) fn push_op(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.stack_size(i);
        let v = self.read_op(i, 0, size)?;
        self.push(size, v)
    }

    /// POP r/m. A memory destination addressed through ESP uses the incremented ESP.
    pub(crate) fn pop_op(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.stack_size(i);
        let sp = self.regs[ESP];
        let v = self.rd(sp, size)?;
        let new_sp = sp.wrapping_add(size);
        match i.op0_kind() {
            OpKind::Memory => {
                self.regs[ESP] = new_sp;
                let a = self.ea(i);
                self.regs[ESP] = sp;
                self.wr(a, size, v)?;
                self.regs[ESP] = new_sp;
            }
            _ => {
                let r = i.op0_register();
                if super::special_reg(r) {
                    return Err(crate::Exception::gp0()); // no segment loads in the flat model
                }
                self.regs[ESP] = new_sp;
                self.set_reg(r, v); // POP ESP: the popped value wins
            }
        }
        Ok(())
    }

    /// PUSHAD / PUSHA: all eight registers in one store (all or nothing).
    pub(crate) fn pusha(&mut self, dword: bool) -> OrFault<()> {
        let size: u32 = if dword { 4 } else { 2 };
        let sp = self.regs[ESP].wrapping_sub(8 * size);
        let mut buf = [0u8; 32];
        for k in 0..8 {
            // Lowest address holds EDI, highest EAX.
            let v = self.regs[7 - k];
            let at = k * size as usize;
            buf[at..at + size as usize].copy_from_slice(&v.to_le_bytes()[..size as usize]);
        }
        self.write_bytes(sp, &buf[..8 * size as usize])?;
        self.regs[ESP] = sp;
        Ok(())
    }

    /// POPAD / POPA: all but ESP, which is simply advanced.
    pub(crate) fn popa(&mut self, dword: bool) -> OrFault<()> {
        let size = if dword { 4 } else { 2 };
        let sp = self.regs[ESP];
        let mut buf = [0u8; 32];
        self.read_bytes(sp, &mut buf[..8 * size])?;
        for k in 0..8 {
            let r = 7 - k;
            if r == ESP {
                continue;
            }
            let at = k * size;
            let v = if dword {
                u32::from_le_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
            } else {
                (self.regs[r] & 0xffff_0000) | u16::from_le_bytes([buf[at], buf[at + 1]]) as u32
            };
            self.regs[r] = v;
        }
        self.regs[ESP] = sp.wrapping_add(8 * size as u32);
        Ok(())
    }

    /// PUSHFD / PUSHF (VM and RF read as 0).
    pub(crate) fn pushf(&mut self, dword: bool) -> OrFault<()> {
        let f = self.flags.get() & !0x0003_0000;
        self.push(if dword { 4 } else { 2 }, f)
    }

    /// POPFD / POPF at CPL 3: only the user-writable bits change (IF and IOPL stay).
    pub(crate) fn popf(&mut self, dword: bool) -> OrFault<()> {
        let size = if dword { 4 } else { 2 };
        let sp = self.regs[ESP];
        let v = self.rd(sp, size)?;
        let writable = if dword {
            USER_WRITABLE
        } else {
            USER_WRITABLE & 0xffff
        };
        let old = self.flags.get();
        self.regs[ESP] = sp.wrapping_add(size);
        // Every status flag comes from the stack: none is undefined any more.
        self.flags.put(
            (old & !writable) | (v & writable) | RESERVED1,
            crate::undefined::UndefinedFlags::NONE,
        );
        Ok(())
    }

    /// ENTER size, level (32-bit operand size).
    pub(crate) fn enter(&mut self, i: &Instruction) -> OrFault<()> {
        let alloc = i.immediate16() as u32;
        let level = i.immediate8_2nd() as u32 % 32;
        let esp = self.regs[ESP];
        let ebp = self.regs[EBP];
        let frame = esp.wrapping_sub(4);
        // Values in push order: old EBP, the enclosing frame pointers, then the new frame.
        // The copies read memory the same instruction may already have pushed: look there first.
        let mut vals = vec![ebp];
        if level > 0 {
            for k in 1..level {
                let at = ebp.wrapping_sub(4 * k);
                let mut b = [0u8; 4];
                for (j, byte) in b.iter_mut().enumerate() {
                    let a = at.wrapping_add(j as u32);
                    let below = esp.wrapping_sub(a); // 1..=4n if inside what we pushed
                    let n = vals.len() as u32;
                    *byte = if below >= 1 && below <= 4 * n {
                        let idx = ((below - 1) / 4) as usize; // 0 = first pushed (highest)
                        let slot_base = esp.wrapping_sub(4 * (idx as u32 + 1));
                        vals[idx].to_le_bytes()[a.wrapping_sub(slot_base) as usize]
                    } else {
                        self.rd(a, 1)? as u8
                    };
                }
                vals.push(u32::from_le_bytes(b));
            }
            vals.push(frame);
        }
        let n = vals.len() as u32;
        let bottom = esp.wrapping_sub(4 * n);
        let bytes: Vec<u8> = vals.iter().rev().flat_map(|v| v.to_le_bytes()).collect();
        self.write_bytes(bottom, &bytes)?;
        self.regs[EBP] = frame;
        self.regs[ESP] = bottom.wrapping_sub(alloc);
        Ok(())
    }

    /// LEAVE: ESP = EBP, then POP EBP.
    pub(crate) fn leave(&mut self, i: &Instruction) -> OrFault<()> {
        let _ = i;
        let ebp = self.regs[EBP];
        let v = self.rd(ebp, 4)?;
        self.regs[ESP] = ebp.wrapping_add(4);
        self.regs[EBP] = v;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{exec, STACK_TOP};
    use iced_x86::code_asm::*;

    #[test]
    fn push_pop_pushad_popad() {
        let m = exec(|a| {
            a.mov(eax, 1u32)?;
            a.mov(ebx, 2u32)?;
            a.pushad()?;
            a.xor(eax, eax)?;
            a.xor(ebx, ebx)?;
            a.popad()?;
            a.push(0x1234)?;
            a.pop(ecx)?;
            a.push(esp)?;
            a.pop(edx)
        });
        let s = m.cpu();
        assert_eq!(
            (s.eax(), s.ebx(), s.ecx(), s.edx()),
            (1, 2, 0x1234, STACK_TOP)
        );
        assert_eq!(s.esp(), STACK_TOP);
    }

    #[test]
    fn enter_leave_and_pushfd() {
        let m = exec(|a| {
            a.mov(ebp, 0x1111u32)?;
            a.enter(16, 0)?;
            a.mov(ecx, ebp)?;
            a.mov(edx, esp)?;
            a.leave()?;
            a.pushfd()?;
            a.pop(eax)
        });
        let s = m.cpu();
        assert_eq!(s.ecx(), STACK_TOP - 4);
        assert_eq!(s.edx(), STACK_TOP - 20);
        assert_eq!((s.ebp(), s.esp()), (0x1111, STACK_TOP));
        assert_eq!(s.eax() & 0x202, 0x202);
    }
}
