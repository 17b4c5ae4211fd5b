//! Shifts and rotates (SHL SHR SAR ROL ROR RCL RCR, by 1, CL or an immediate) and SHLD/SHRD.
//! The count is masked to 5 bits; a masked count of 0 changes no flag.

use crate::cpu::eflags::*;
use crate::flags::{parity, size_mask};
use crate::machine::Machine;
use crate::mem::OrFault;
use crate::undefined::Undef;
use iced_x86::{Instruction, Mnemonic};

/// SF, ZF and PF of a result as EFLAGS bits.
pub(crate) fn szp(res: u32, size: u32) -> u32 {
    let mask = size_mask(size);
    let sign = mask ^ (mask >> 1);
    let mut f = 0;
    if res & mask == 0 {
        f |= ZF;
    }
    if res & sign != 0 {
        f |= SF;
    }
    if parity(res) {
        f |= PF;
    }
    f
}

/// Flags ROL/ROR write. Measured on this machine's CPU: a register rotated by an immediate
/// count other than 1 keeps OF; every other form computes OF as for a one-bit rotate of the
/// original operand (as do the other shifts).
fn rot_mask(i: &Instruction, count: u32) -> u32 {
    let reg_by_imm = i.op0_kind() == iced_x86::OpKind::Register
        && i.op_count() > 1
        && i.op1_kind() == iced_x86::OpKind::Immediate8;
    if reg_by_imm && count != 1 {
        CF
    } else {
        CF | OF
    }
}

fn bit(v: bool, flag: u32) -> u32 {
    if v {
        flag
    } else {
        0
    }
}

impl Machine {
    /// The shift count operand (1, CL or imm8), masked to 5 bits.
    fn shift_count(&mut self, i: &Instruction, n: u32) -> u32 {
        if i.op_count() <= n {
            return 1;
        }
        match i.op_kind(n) {
            iced_x86::OpKind::Register => self.get_reg(i.op_register(n)) & 31,
            _ => i.try_immediate(n).unwrap_or(1) as u32 & 31,
        }
    }

    /// SHL SAL SHR SAR ROL ROR RCL RCR.
    pub(crate) fn shift(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let bits = size * 8;
        let mask = size_mask(size);
        let msb = |v: u32| (v >> (bits - 1)) & 1 != 0;
        let a = self.read_op(i, 0, size)?;
        let c = self.shift_count(i, 1);
        if c == 0 {
            // Still a read-modify-write access: a read-only page faults even for count 0.
            return self.write_op(i, 0, size, a);
        }
        let cf_in = self.flags.cf();
        let (res, flags, which) = match i.mnemonic() {
            Mnemonic::Shl | Mnemonic::Sal => {
                let wide = (a as u64) << c;
                let res = wide as u32 & mask;
                let cf = (wide >> bits) & 1 != 0;
                let f = szp(res, size) | bit(cf, CF) | bit(msb(a) ^ msb(a << 1), OF);
                (res, f, ARITH)
            }
            Mnemonic::Shr => {
                let res = ((a as u64) >> c) as u32;
                let cf = ((a as u64) >> (c - 1)) & 1 != 0;
                let f = szp(res, size) | bit(cf, CF) | bit(msb(a), OF);
                (res, f, ARITH)
            }
            Mnemonic::Sar => {
                let s = ((a << (32 - bits)) as i32 >> (32 - bits)) as i64;
                let res = (s >> c) as u32 & mask;
                let cf = (s >> (c - 1)) & 1 != 0;
                (res, szp(res, size) | bit(cf, CF), ARITH)
            }
            Mnemonic::Rol => {
                let r = c % bits;
                let res = if r == 0 {
                    a
                } else {
                    ((a << r) | (a >> (bits - r))) & mask
                };
                let cf = res & 1 != 0;
                (
                    res,
                    bit(cf, CF) | bit(msb(a) ^ msb(a << 1), OF),
                    rot_mask(i, c),
                )
            }
            Mnemonic::Ror => {
                let r = c % bits;
                let res = if r == 0 {
                    a
                } else {
                    ((a >> r) | (a << (bits - r))) & mask
                };
                let cf = msb(res);
                let of = msb(a) ^ (a & 1 != 0);
                (res, bit(cf, CF) | bit(of, OF), rot_mask(i, c))
            }
            Mnemonic::Rcl | Mnemonic::Rcr if c % (bits + 1) == 0 => {
                // A 9- or 17-bit rotate by a multiple of its width: nothing changes (measured),
                // but OF is undefined all the same (the masked count is above 1).
                self.write_op(i, 0, size, a)?;
                self.flags.set_eager(0, 0);
                self.flags.set_undefined(OF, Undef::RotateOf);
                return Ok(());
            }
            Mnemonic::Rcl => {
                let r = c % (bits + 1);
                let v = ((cf_in as u64) << bits) | a as u64;
                let w = bits as u64 + 1;
                let rot = if r == 0 {
                    v
                } else {
                    ((v << r) | (v >> (w - r as u64))) & ((1u64 << w) - 1)
                };
                let res = rot as u32 & mask;
                let cf = (rot >> bits) & 1 != 0;
                (res, bit(cf, CF) | bit(msb(a) ^ msb(a << 1), OF), CF | OF)
            }
            _ => {
                // RCR
                let r = c % (bits + 1);
                let v = ((cf_in as u64) << bits) | a as u64;
                let w = bits as u64 + 1;
                let rot = if r == 0 {
                    v
                } else {
                    ((v >> r) | (v << (w - r as u64))) & ((1u64 << w) - 1)
                };
                let res = rot as u32 & mask;
                let cf = (rot >> bits) & 1 != 0;
                (res, bit(cf, CF) | bit(msb(a) ^ cf_in, OF), CF | OF)
            }
        };
        self.write_op(i, 0, size, res)?;
        self.flags.set_eager(which, flags);
        let rotate = matches!(
            i.mnemonic(),
            Mnemonic::Rol | Mnemonic::Ror | Mnemonic::Rcl | Mnemonic::Rcr
        );
        if c > 1 {
            let rule = if rotate {
                Undef::RotateOf
            } else {
                Undef::ShiftOf
            };
            self.flags.set_undefined(OF, rule);
        }
        if !rotate {
            self.flags.set_undefined(AF, Undef::ShiftAf);
            if c >= bits && i.mnemonic() != Mnemonic::Sar {
                self.flags.set_undefined(CF, Undef::ShiftCf);
            }
        }
        Ok(())
    }

    /// SHLD / SHRD dst, src, count (16-bit counts above 16 shift through dst:src:dst).
    pub(crate) fn shift_double(&mut self, i: &Instruction) -> OrFault<()> {
        let size = self.op_size(i, 0);
        let bits = size * 8;
        let mask = size_mask(size);
        let a = self.read_op(i, 0, size)?;
        let b = self.get_reg(i.op1_register());
        let c = self.shift_count(i, 2);
        if c == 0 {
            return self.write_op(i, 0, size, a);
        }
        let left = i.mnemonic() == Mnemonic::Shld;
        let (res, cf) = if size == 4 {
            let t = ((a as u64) << 32) | b as u64;
            if left {
                ((t << c >> 32) as u32, (a >> (32 - c)) & 1 != 0)
            } else {
                let t = ((b as u64) << 32) | a as u64;
                ((t >> c) as u32, (a >> (c - 1)) & 1 != 0)
            }
        } else {
            // 48 bits: dst:src:dst (left) or dst:src:dst read from the right (right).
            let t = ((a as u64) << 32) | ((b as u64) << 16) | a as u64;
            if left {
                let res = (t << c >> 32) as u32 & mask;
                (res, (t << (c - 1) >> 47) & 1 != 0)
            } else {
                let t = ((a as u64) << 32) | ((b as u64) << 16) | a as u64;
                let res = (t >> c) as u32 & mask;
                (res, (t >> (c - 1)) & 1 != 0)
            }
        };
        let msb = |v: u32| (v >> (bits - 1)) & 1 != 0;
        // OF as for a one-bit shift (what this machine's CPU does for every count).
        let of = if left {
            msb(a) ^ msb(a << 1)
        } else {
            msb(a) ^ (b & 1 != 0)
        };
        let f = szp(res, size) | bit(cf, CF) | bit(of, OF);
        self.write_op(i, 0, size, res)?;
        self.flags.set_eager(ARITH, f);
        if c > bits {
            self.flags.set_undefined(ARITH, Undef::DoubleShiftCount);
            self.note_undefined_result(Undef::DoubleShiftCount);
        } else {
            self.flags.set_undefined(AF, Undef::DoubleShiftAf);
            if c > 1 {
                self.flags.set_undefined(OF, Undef::DoubleShiftOf);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::cpu::eflags::*;
    use crate::testutil::exec;
    use iced_x86::code_asm::*;

    #[test]
    fn shl_shr_sar_flags() {
        let m = exec(|a| {
            a.mov(eax, 0xc000_0001u32)?;
            a.shl(eax, 1) // CF=1, result 0x80000002, OF = 1^1 = 0
        });
        assert_eq!(m.cpu().eax(), 0x8000_0002);
        assert_eq!(m.cpu().eflags & (CF | OF | SF | ZF), CF | SF);
        let m = exec(|a| {
            a.mov(eax, 0x8000_0001u32)?;
            a.shr(eax, 1) // CF=1, OF=old msb
        });
        assert_eq!(m.cpu().eax(), 0x4000_0000);
        assert_eq!(m.cpu().eflags & (CF | OF), CF | OF);
        let m = exec(|a| {
            a.mov(al, 0x80)?;
            a.sar(al, 7)
        });
        assert_eq!(m.cpu().eax() & 0xff, 0xff);
    }

    #[test]
    fn count_zero_changes_no_flags() {
        let m = exec(|a| {
            a.stc()?;
            a.mov(eax, 5u32)?;
            a.xor(ecx, ecx)?; // ZF=1
            a.shl(eax, cl)
        });
        assert_eq!(
            m.cpu().eflags & (CF | ZF),
            ZF,
            "XOR's flags survive (CF cleared by XOR)"
        );
    }

    #[test]
    fn rotates_through_carry_and_double_shifts() {
        let m = exec(|a| {
            a.stc()?;
            a.mov(bl, 0x80u32)?;
            a.rcl(bl, 1)?; // bl = 0x01, CF = 1
            a.mov(eax, 0x1234_5678u32)?;
            a.mov(edx, 0x9abc_def0u32)?;
            a.shld(eax, edx, 8)?;
            a.mov(ecx, 0x8000_0001u32)?;
            a.rol(ecx, 4)
        });
        let s = m.cpu();
        assert_eq!(s.ebx() & 0xff, 0x01);
        assert_eq!(s.eax(), 0x3456_789a);
        assert_eq!(s.ecx(), 0x0000_0018);
    }
}
