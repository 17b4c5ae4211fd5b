//! Lazy arithmetic flags: record the last flag-setting operation and its operands, and compute
//! CF PF AF ZF SF OF only when something reads them.

use crate::cpu::eflags::*;
use crate::undefined::{Undef, UndefinedFlags, STATUS};
use serde::{Deserialize, Serialize};

/// Which operation produced the pending flags. The three that keep CF in `bits` come first,
/// so that [`Flags::set`] tells them apart with one comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum FlagOp {
    /// `bits` holds every flag.
    Eager,
    /// INC: like ADD b=1 but CF kept in `bits`.
    Inc,
    /// DEC: like SUB b=1 but CF kept in `bits`.
    Dec,
    /// ADD: `res = a + b`.
    Add,
    /// ADC: `res = a + b + cin`.
    Adc,
    /// SUB/CMP/NEG (a=0): `res = a - b`.
    Sub,
    /// SBB: `res = a - b - cin`.
    Sbb,
    /// AND OR XOR TEST: CF=OF=AF=0.
    Logic,
    /// SHL by `b` (1..=31): CF is the last bit shifted out, OF whether the top two bits of
    /// `a` differ (for every count, as the CPU of the difftests does), AF=0. AF, and OF for a
    /// count above 1, are undefined.
    Shl,
}

/// EFLAGS with lazily evaluated status flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Flags {
    /// All bits not covered by the pending operation (and, for INC/DEC, CF).
    pub bits: u32,
    op: FlagOp,
    mask: u32,
    res: u32,
    a: u32,
    b: u32,
    cin: u32,
    /// The undefined flags of the eager state (for INC/DEC: CF's, the one they keep).
    undef: UndefinedFlags,
}

/// Mask for an operand size in bytes.
#[inline(always)]
pub(crate) fn size_mask(size: u32) -> u32 {
    match size {
        1 => 0xff,
        2 => 0xffff,
        _ => 0xffff_ffff,
    }
}

#[inline(always)]
pub(crate) fn parity(v: u32) -> bool {
    (v as u8).count_ones() % 2 == 0
}

impl Flags {
    /// Flags from a materialized EFLAGS value.
    pub fn new(eflags: u32) -> Flags {
        Flags {
            bits: eflags,
            op: FlagOp::Eager,
            mask: 0,
            res: 0,
            a: 0,
            b: 0,
            cin: 0,
            undef: UndefinedFlags::NONE,
        }
    }

    /// Record an operation; `size` in bytes, operands already masked to `size`.
    #[inline(always)]
    pub fn set(&mut self, op: FlagOp, size: u32, res: u32, a: u32, b: u32) {
        // INC and DEC keep CF: fold it into `bits`, unless it is there already.
        let cf_in_bits = matches!(self.op, FlagOp::Eager | FlagOp::Inc | FlagOp::Dec);
        if matches!(op, FlagOp::Inc | FlagOp::Dec) && !cf_in_bits {
            let cf = self.cf();
            self.bits = (self.bits & !CF) | cf as u32;
            self.undef = self.undefined();
        }
        self.op = op;
        self.mask = size_mask(size);
        self.res = res & self.mask;
        // AND OR XOR TEST flags depend on the result alone: save the stores of the operands.
        if op != FlagOp::Logic {
            self.a = a;
            self.b = b;
        }
    }

    /// Record ADC/SBB with their carry in.
    #[inline(always)]
    pub fn set_carry(&mut self, op: FlagOp, size: u32, res: u32, a: u32, b: u32, cin: bool) {
        self.set(op, size, res, a, b);
        self.cin = cin as u32;
    }

    /// Set the given flag bits eagerly, as defined values (materializes the rest first).
    pub fn set_eager(&mut self, mask: u32, values: u32) {
        let (all, mut undef) = if mask & ARITH == ARITH {
            (self.bits, UndefinedFlags::NONE)
        } else {
            (self.get(), self.undefined())
        };
        undef.define(mask);
        self.bits = (all & !mask) | (values & mask);
        self.op = FlagOp::Eager;
        self.undef = undef;
    }

    /// After [`Flags::set_eager`]: the instruction left `flags` undefined, by `rule`.
    pub fn set_undefined(&mut self, flags: u32, rule: Undef) {
        debug_assert_eq!(self.op, FlagOp::Eager, "set_undefined: flags not eager");
        self.undef.add(flags, rule);
    }

    /// Replace all of EFLAGS, with the flags among them that are undefined.
    pub fn put(&mut self, eflags: u32, undef: UndefinedFlags) {
        *self = Flags::new(eflags);
        self.undef = undef;
    }

    /// The status flags that are undefined now, each with the rule that left it so.
    pub fn undefined(&self) -> UndefinedFlags {
        let mut u = UndefinedFlags::NONE;
        match self.op {
            FlagOp::Eager => return self.undef,
            FlagOp::Inc | FlagOp::Dec => {
                u = self.undef;
                u.define(STATUS & !CF);
            }
            FlagOp::Logic => u.add(AF, Undef::LogicAf),
            FlagOp::Shl => {
                u.add(AF, Undef::ShiftAf);
                if self.b != 1 {
                    u.add(OF, Undef::ShiftOf);
                }
            }
            _ => {}
        }
        u
    }

    fn sign(&self) -> u32 {
        self.mask ^ (self.mask >> 1)
    }

    /// Carry flag.
    #[inline(always)]
    pub fn cf(&self) -> bool {
        match self.op {
            FlagOp::Eager | FlagOp::Inc | FlagOp::Dec => self.bits & CF != 0,
            FlagOp::Add => self.res < self.a,
            FlagOp::Adc => self.res < self.a || (self.cin != 0 && self.res == self.a),
            FlagOp::Sub => self.a < self.b,
            FlagOp::Sbb => (self.a as u64) < self.b as u64 + self.cin as u64,
            FlagOp::Logic => false,
            FlagOp::Shl => ((self.a as u64) << self.b) & (self.mask as u64 + 1) != 0,
        }
    }

    /// Zero flag.
    #[inline(always)]
    pub fn zf(&self) -> bool {
        match self.op {
            FlagOp::Eager => self.bits & ZF != 0,
            _ => self.res == 0,
        }
    }

    /// Sign flag.
    #[inline(always)]
    pub fn sf(&self) -> bool {
        match self.op {
            FlagOp::Eager => self.bits & SF != 0,
            _ => self.res & self.sign() != 0,
        }
    }

    /// Overflow flag.
    #[inline(always)]
    pub fn of(&self) -> bool {
        let s = self.sign();
        match self.op {
            FlagOp::Eager => self.bits & OF != 0,
            FlagOp::Add | FlagOp::Adc | FlagOp::Inc => {
                (self.a ^ self.res) & (self.b ^ self.res) & s != 0
            }
            FlagOp::Sub | FlagOp::Sbb | FlagOp::Dec => {
                (self.a ^ self.b) & (self.a ^ self.res) & s != 0
            }
            FlagOp::Shl => (self.a ^ (self.a << 1)) & s != 0,
            FlagOp::Logic => false,
        }
    }

    /// Parity flag (of the low byte).
    #[inline(always)]
    pub fn pf(&self) -> bool {
        match self.op {
            FlagOp::Eager => self.bits & PF != 0,
            _ => parity(self.res),
        }
    }

    /// Auxiliary carry flag.
    pub fn af(&self) -> bool {
        match self.op {
            FlagOp::Eager => self.bits & AF != 0,
            FlagOp::Logic | FlagOp::Shl => false,
            _ => (self.a ^ self.b ^ self.res) & 0x10 != 0,
        }
    }

    /// Direction flag.
    #[inline(always)]
    pub fn df(&self) -> bool {
        self.bits & DF != 0
    }

    /// The full EFLAGS value.
    pub fn get(&self) -> u32 {
        if self.op == FlagOp::Eager {
            return self.bits;
        }
        let mut f = self.bits & !ARITH;
        f |= self.cf() as u32 * CF;
        f |= self.pf() as u32 * PF;
        f |= self.af() as u32 * AF;
        f |= self.zf() as u32 * ZF;
        f |= self.sf() as u32 * SF;
        f |= self.of() as u32 * OF;
        f
    }

    /// Evaluate an x86 condition code (the low nibble of Jcc/SETcc/CMOVcc opcodes).
    #[inline(always)]
    pub fn cond(&self, cc: u8) -> bool {
        let r = match cc >> 1 {
            0 => self.of(),
            1 => self.cf(),
            2 => self.zf(),
            3 => self.cf() || self.zf(),
            4 => self.sf(),
            5 => self.pf(),
            6 => self.sf() != self.of(),
            _ => self.zf() || self.sf() != self.of(),
        };
        r ^ (cc & 1 != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_flags() {
        let mut f = Flags::new(RESERVED1);
        f.set(
            FlagOp::Add,
            4,
            0x7fff_ffffu32.wrapping_add(1),
            0x7fff_ffff,
            1,
        );
        assert!(f.of() && f.sf() && !f.cf() && !f.zf() && f.af());
        f.set(FlagOp::Add, 1, 0x80 + 0x80, 0x80, 0x80);
        assert!(f.cf() && f.zf() && f.of() && f.pf());
    }

    #[test]
    fn sub_and_inc_keep_cf() {
        let mut f = Flags::new(RESERVED1);
        f.set(FlagOp::Sub, 4, 0u32.wrapping_sub(1), 0, 1);
        assert!(f.cf() && f.sf() && !f.of());
        f.set(FlagOp::Inc, 4, 6, 5, 1);
        assert!(f.cf(), "INC preserves CF");
        assert_eq!(f.get() & ARITH, CF | PF);
    }

    #[test]
    fn shl_flags() {
        let mut f = Flags::new(RESERVED1);
        f.set(FlagOp::Shl, 4, 0x4000_0001 << 1, 0x4000_0001, 1);
        assert_eq!(f.get() & ARITH, SF | OF, "no carry out; top bits 01");
        f.set(FlagOp::Shl, 4, 0xc000_0000u32 << 2, 0xc000_0000, 2);
        assert_eq!(
            f.get() & ARITH,
            CF | ZF | PF,
            "last bit out is 1; top bits 11"
        );
        f.set(FlagOp::Shl, 1, 0x81 << 1, 0x81, 1);
        assert_eq!(f.get() & ARITH, CF | OF, "byte: carry from bit 7");
    }

    #[test]
    fn sbb_with_borrow() {
        let mut f = Flags::new(RESERVED1);
        f.set_carry(FlagOp::Sbb, 1, 0u32.wrapping_sub(0xff + 1), 0, 0xff, true);
        assert!(f.cf() && f.zf());
    }

    #[test]
    fn conditions() {
        let mut f = Flags::new(RESERVED1);
        f.set(FlagOp::Sub, 4, 3u32.wrapping_sub(5), 3, 5); // 3 < 5
        assert!(f.cond(0x2)); // B
        assert!(f.cond(0xc)); // L
        assert!(!f.cond(0x4)); // E
        assert!(f.cond(0x6)); // BE
        assert!(!f.cond(0xf)); // G
    }
}
