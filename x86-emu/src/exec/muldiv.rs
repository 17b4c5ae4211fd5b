//! MUL, IMUL (one, two and three operands), DIV and IDIV (#DE on zero or overflow).

use super::shift::szp;
use crate::cpu::eflags::*;
use crate::cpu::{EAX, EDX};
use crate::exception::{Exception, Vector};
use crate::flags::size_mask;
use crate::machine::Machine;
use crate::mem::OrFault;
use crate::undefined::Undef;
use iced_x86::{Instruction, Register};

fn sext(v: u32, size: u32) -> i64 {
    match size {
        1 => v as u8 as i8 as i64,
        2 => v as u16 as i16 as i64,
        _ => v as i32 as i64,
    }
}

impl Machine {
    /// The accumulator (AL, AX or EAX) and its high partner (AH, DX or EDX).
    fn acc_pair(&self, size: u32) -> (u32, u32) {
        match size {
            1 => (self.regs[EAX] & 0xff, (self.regs[EAX] >> 8) & 0xff),
            2 => (self.regs[EAX] & 0xffff, self.regs[EDX] & 0xffff),
            _ => (self.regs[EAX], self.regs[EDX]),
        }
    }

    fn set_acc_pair(&mut self, size: u32, lo: u32, hi: u32) {
        match size {
            1 => self.set_reg(Register::AX, (lo & 0xff) | ((hi & 0xff) << 8)),
            2 => {
                self.set_reg(Register::AX, lo);
                self.set_reg(Register::DX, hi);
            }
            _ => {
                self.regs[EAX] = lo;
                self.regs[EDX] = hi;
            }
        }
    }

    /// Flags after a multiply: CF = OF = `overflow`; SF ZF AF PF are undefined (given as SF
    /// and PF from the low half, ZF and AF clear: see [`crate::undefined`]).
    fn mul_flags(&mut self, lo: u32, size: u32, overflow: bool) {
        let mut f = szp(lo, size) & !ZF;
        if overflow {
            f |= CF | OF;
        }
        self.flags.set_eager(ARITH, f);
        self.flags.set_undefined(ARITH, Undef::Multiply);
    }

    /// MUL r/m: unsigned accumulator × source into the accumulator pair.
    pub(crate) fn mul(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let b = self.read_op(i, 0, size)?;
        let (a, _) = self.acc_pair(size);
        let p = a as u64 * b as u64;
        let bits = size * 8;
        let lo = p as u32 & size_mask(size);
        let hi = (p >> bits) as u32 & size_mask(size);
        self.set_acc_pair(size, lo, hi);
        self.mul_flags(lo, size, hi != 0);
        Ok(())
    }

    /// IMUL in its three forms.
    pub(crate) fn imul(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let mask = size_mask(size);
        if i.op_count() == 1 {
            let b = self.read_op(i, 0, size)?;
            let (a, _) = self.acc_pair(size);
            let p = sext(a, size) * sext(b, size);
            let lo = p as u32 & mask;
            let hi = (p >> (size * 8)) as u32 & mask;
            self.set_acc_pair(size, lo, hi);
            self.mul_flags(lo, size, p != sext(lo, size));
            return Ok(());
        }
        let (a, b) = if i.op_count() == 2 {
            (self.get_reg(i.op0_register()), self.read_op(i, 1, size)?)
        } else {
            (self.read_op(i, 1, size)?, self.read_op(i, 2, size)?)
        };
        let p = sext(a, size) * sext(b, size);
        let lo = p as u32 & mask;
        self.set_reg(i.op0_register(), lo);
        self.mul_flags(lo, size, p != sext(lo, size));
        Ok(())
    }

    /// DIV / IDIV: #DE if the divisor is 0 or the quotient does not fit; the status flags are
    /// undefined (given unchanged).
    pub(crate) fn div(&mut self, i: &Instruction, signed: bool) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let bits = size * 8;
        let mask = size_mask(size) as u64;
        let b = self.read_op(i, 0, size)?;
        let de = Exception::new(Vector::DivideError);
        if b == 0 {
            return Err(de);
        }
        let (lo, hi) = self.acc_pair(size);
        let dividend = ((hi as u64) << bits) | lo as u64;
        let (q, r) = if signed {
            let n = ((dividend << (64 - 2 * bits)) as i64) >> (64 - 2 * bits);
            let d = sext(b, size);
            let Some(q) = n.checked_div(d) else {
                return Err(de);
            };
            let r = n.wrapping_rem(d);
            let lim = 1i64 << (bits - 1);
            if q >= lim || q < -lim {
                return Err(de);
            }
            (q as u64 & mask, r as u64 & mask)
        } else {
            let q = dividend / b as u64;
            if q > mask {
                return Err(de);
            }
            (q, dividend % b as u64)
        };
        self.set_acc_pair(size, q as u32, r as u32);
        self.flags.set_eager(0, 0);
        self.flags.set_undefined(ARITH, Undef::Divide);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::cpu::eflags::*;
    use crate::testutil::{asm, exec, machine};
    use crate::{Stop, Vector};
    use iced_x86::code_asm::*;

    #[test]
    fn mul_imul_forms() {
        let m = exec(|a| {
            a.mov(eax, 0x8000_0000u32)?;
            a.mov(ecx, 4u32)?;
            a.mul(ecx)
        });
        let s = m.cpu();
        assert_eq!((s.edx(), s.eax()), (2, 0));
        assert_eq!(s.eflags & (CF | OF), CF | OF);
        let m = exec(|a| {
            a.mov(ebx, -3i32)?;
            a.imul_3(ecx, ebx, 7)?;
            a.mov(eax, 100u32)?;
            a.imul_2(eax, ebx)
        });
        let s = m.cpu();
        assert_eq!((s.ecx() as i32, s.eax() as i32), (-21, -300));
        assert_eq!(s.eflags & (CF | OF), 0);
    }

    #[test]
    fn div_idiv_and_divide_error() {
        let m = exec(|a| {
            a.mov(eax, -7i32)?;
            a.cdq()?;
            a.mov(ecx, 2u32)?;
            a.idiv(ecx)
        });
        assert_eq!((m.cpu().eax() as i32, m.cpu().edx() as i32), (-3, -1));
        let (mut m, _) = machine(&asm(|a| {
            a.mov(edx, 1u32)?;
            a.mov(ecx, 1u32)?;
            a.div(ecx) // quotient 2^32 does not fit
        }));
        let r = m.run(10);
        assert!(matches!(r.stop, Stop::Exception(e) if e.vector == Vector::DivideError));
        assert_eq!(m.cpu().edx(), 1, "nothing changed");
    }
}
