//! The predecoded forms that touch memory: loads, stores, read-modify-write ALU operations,
//! PUSH, POP, CALL and RET with their operands resolved at decode time (32-bit operands and
//! addresses, flat segments).
//!
//! Each one does what the general path does for the same instruction, through the same
//! helpers: [`Machine::rd`] and [`Machine::wr`] for memory (so TLB lookups, A and D bits,
//! page faults, watchpoints and decode-cache coherence are the same, access by access),
//! [`Machine::push`] and [`Machine::pop`] for the stack, `Alu::apply` and the lazy flags
//! for results. A read-modify-write reads, then writes, then sets the flags: a fault on
//! either access leaves registers, flags and memory as they were, so the instruction
//! restarts cleanly. All are out of line: the TLB paths they bring in would make the block
//! loop big enough to spill its registers (measured slower for loads and stores).

use super::alu::inc_dec;
use super::data::extend;
use super::fast::{Op, NO_REG};
use crate::machine::Machine;
use crate::mem::OrFault;

impl Machine {
    /// Effective address of a resolved 32-bit memory operand.
    #[inline(always)]
    fn ea_fast(&self, op: &Op) -> u32 {
        let mut a = op.imm;
        if op.s != NO_REG {
            a = a.wrapping_add(self.regs[op.s as usize & 7]);
        }
        if op.index != NO_REG {
            a = a.wrapping_add(self.regs[op.index as usize & 7] << (op.shift & 3));
        }
        a
    }

    /// MOV r32, [mem].
    #[inline(never)]
    pub(super) fn load_fast(&mut self, op: &Op) -> OrFault<()> {
        self.regs[op.d as usize & 7] = self.rd(self.ea_fast(op), 4)?;
        Ok(())
    }

    /// MOV [mem], r32.
    #[inline(never)]
    pub(super) fn store_fast(&mut self, op: &Op) -> OrFault<()> {
        self.wr(self.ea_fast(op), 4, self.regs[op.d as usize & 7])
    }

    /// MOV dword [mem], imm32.
    #[inline(never)]
    pub(super) fn store_imm(&mut self, op: &Op) -> OrFault<()> {
        self.wr(self.ea_fast(op), 4, op.val)
    }

    /// `alu dword [mem], b`: read, then (unless CMP or TEST) write, then the flags.
    #[inline(never)]
    pub(super) fn alu_mem(&mut self, op: &Op, b: u32) -> OrFault<()> {
        let alu = op.alu;
        let va = self.ea_fast(op);
        let a = self.rd(va, 4)?;
        let (res, fop) = alu.apply(a, b, false); // never ADC or SBB: no carry in
        if alu.writes() {
            self.wr(va, 4, res)?;
        }
        self.flags.set(fop, 4, res, a, b);
        Ok(())
    }

    /// `alu r32, dword [mem]`.
    #[inline(never)]
    pub(super) fn alu_from_mem(&mut self, op: &Op) -> OrFault<()> {
        let alu = op.alu;
        let b = self.rd(self.ea_fast(op), 4)?;
        let d = op.d as usize & 7;
        let a = self.regs[d];
        let (res, fop) = alu.apply(a, b, false);
        if alu.writes() {
            self.regs[d] = res;
        }
        self.flags.set(fop, 4, res, a, b);
        Ok(())
    }

    /// INC / DEC dword [mem] (CF unchanged).
    #[inline(never)]
    pub(super) fn inc_dec_mem(&mut self, op: &Op, inc: bool) -> OrFault<()> {
        let va = self.ea_fast(op);
        let a = self.rd(va, 4)?;
        let (res, fop) = inc_dec(a, inc, 4);
        self.wr(va, 4, res)?;
        self.flags.set(fop, 4, res, a, 1);
        Ok(())
    }

    /// MOVZX / MOVSX r32, `op.val` bytes at [mem].
    #[inline(never)]
    pub(super) fn load_ext(&mut self, op: &Op, signed: bool) -> OrFault<()> {
        let size = op.val;
        let v = self.rd(self.ea_fast(op), size)?;
        self.regs[op.d as usize & 7] = extend(v, size, signed);
        Ok(())
    }

    /// PUSH of a 32-bit value (PUSH ESP pushes the value before the decrement).
    #[inline(never)]
    pub(super) fn push_fast(&mut self, v: u32) -> OrFault<()> {
        self.push(4, v)
    }

    /// POP r32 (POP ESP: the popped value wins over the increment).
    #[inline(never)]
    pub(super) fn pop_fast(&mut self, op: &Op) -> OrFault<()> {
        let v = self.pop(4)?;
        self.regs[op.d as usize & 7] = v;
        Ok(())
    }

    /// CALL rel32: push `ret`, the address of the next instruction, and go to `target`.
    #[inline(never)]
    pub(super) fn call_fast(&mut self, ret: u32, target: u32) -> OrFault<()> {
        self.push(4, ret)?;
        self.next_eip = target;
        Ok(())
    }

    /// RET.
    #[inline(never)]
    pub(super) fn ret_fast(&mut self) -> OrFault<()> {
        self.next_eip = self.pop(4)?;
        Ok(())
    }
}
