//! What the architecture leaves undefined: the status flags (and the few results) that the
//! Intel SDM and the AMD APM both call *undefined* after an instruction. One table, read in
//! three places: the emulator records which rule left each flag undefined, the differential
//! tests never compare those flags with the host CPU, and the page marks them in the flag row.
//!
//! The emulator still computes a value for every undefined flag and result, always the same
//! one: what an Intel Xeon (family 6, model 167) returned when the differential tests were
//! written. Flag by flag:
//! * AND OR XOR TEST: AF = 0.
//! * SHL SAL SHR SAR: AF = 0; OF for any count as for a one-bit shift (SHL: the top two bits of
//!   the operand differ, SHR: its top bit, SAR: 0); CF for a count ≥ the width: the last bit
//!   shifted out of the operand extended with zeroes (so 0 for SHL and SHR).
//! * ROL ROR by more than one: OF as for a one-bit rotate of the original operand, except a
//!   register rotated by an immediate, which keeps OF. RCL RCR by more than one: as for one bit.
//! * SHLD SHRD: AF = 0, OF as for a one-bit shift; a 16-bit count above 16 shifts through
//!   dst:src:dst.
//! * MUL IMUL: SF and PF from the low half of the result, ZF = 0, AF = 0.
//! * DIV IDIV: every status flag unchanged.
//! * BT BTS BTR BTC: OF SF AF PF unchanged.
//! * BSF BSR: CF OF SF AF = 0, PF from the index (1 for a zero source); the destination is
//!   unchanged when the source is 0.
//! * BSWAP of a 16-bit register: 0.
//!
//! `tests/undefined_golden.rs` pins every one of these values.

use crate::cpu::eflags::{AF, CF, OF, PF, SF, ZF};
use serde::{Deserialize, Serialize};

/// The six status flags, in the order [`UndefinedFlags`] keeps their reasons.
pub const STATUS_FLAGS: [u32; 6] = [CF, PF, AF, ZF, SF, OF];

/// All six status flags.
pub const STATUS: u32 = CF | PF | AF | ZF | SF | OF;

/// A rule of the manuals that leaves state undefined; [`Undef::rule`] gives its wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Undef {
    /// AND OR XOR TEST leave AF undefined.
    LogicAf,
    /// A shift by a non-zero count leaves AF undefined.
    ShiftAf,
    /// A shift by more than one leaves OF undefined.
    ShiftOf,
    /// SHL and SHR by at least the operand's width leave CF undefined.
    ShiftCf,
    /// A rotate by more than one leaves OF undefined.
    RotateOf,
    /// SHLD SHRD by a non-zero count leave AF undefined.
    DoubleShiftAf,
    /// SHLD SHRD by more than one leave OF undefined.
    DoubleShiftOf,
    /// SHLD SHRD by more than the operand's width leave the result and every flag undefined.
    DoubleShiftCount,
    /// MUL IMUL leave SF ZF AF PF undefined.
    Multiply,
    /// DIV IDIV leave every status flag undefined.
    Divide,
    /// BT BTS BTR BTC leave OF SF AF PF undefined.
    BitTest,
    /// BSF BSR leave CF OF SF AF PF undefined.
    BitScan,
    /// BSF BSR of a zero source leave the destination undefined.
    BitScanZero,
    /// BSWAP of a 16-bit register leaves it undefined.
    Bswap16,
}

/// One rule: which instructions, what they leave undefined, when, and the manual's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The instructions it applies to, e.g. `"SHL SAL SHR SAR"`.
    pub instructions: &'static str,
    /// The status flags it leaves undefined.
    pub flags: u32,
    /// Whether the destination (register or memory) is undefined too.
    pub result: bool,
    /// When it applies, e.g. `"count > 1"`.
    pub when: &'static str,
    /// The Intel SDM's wording (vol. 2, "Flags Affected" or "Operation"; the AMD APM agrees).
    pub manual: &'static str,
}

impl Undef {
    /// The rule's instructions, flags, condition and wording.
    pub fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }
}

/// Every rule, in [`Undef`]'s order.
pub static RULES: [Rule; 14] = [
    Rule {
        instructions: "AND OR XOR TEST",
        flags: AF,
        result: false,
        when: "always",
        manual: "The OF and CF flags are cleared; the SF, ZF, and PF flags are set according \
                 to the result. The state of the AF flag is undefined.",
    },
    Rule {
        instructions: "SHL SAL SHR SAR",
        flags: AF,
        result: false,
        when: "count ≠ 0",
        manual: "If the count is 0, the flags are not affected. For a non-zero count, the AF \
                 flag is undefined.",
    },
    Rule {
        instructions: "SHL SAL SHR SAR",
        flags: OF,
        result: false,
        when: "count > 1",
        manual: "The OF flag is affected only for 1-bit shifts; otherwise, it is undefined.",
    },
    Rule {
        instructions: "SHL SAL SHR",
        flags: CF,
        result: false,
        when: "count ≥ operand width",
        manual: "The CF flag contains the value of the last bit shifted out of the destination \
                 operand; it is undefined for SHL and SHR instructions where the count is \
                 greater than or equal to the size (in bits) of the destination operand.",
    },
    Rule {
        instructions: "ROL ROR RCL RCR",
        flags: OF,
        result: false,
        when: "masked count > 1",
        manual: "If the masked count is 1, then the OF flag is affected, otherwise (masked \
                 count is greater than 1) the OF flag is undefined.",
    },
    Rule {
        instructions: "SHLD SHRD",
        flags: AF,
        result: false,
        when: "count ≠ 0",
        manual: "If a shift occurs, the AF flag is undefined.",
    },
    Rule {
        instructions: "SHLD SHRD",
        flags: OF,
        result: false,
        when: "count > 1",
        manual: "For a 1-bit shift, the OF flag is set if a sign change occurred; otherwise, \
                 it is cleared. For shifts greater than 1 bit, the OF flag is undefined.",
    },
    Rule {
        instructions: "SHLD SHRD",
        flags: CF | PF | AF | ZF | SF | OF,
        result: true,
        when: "count > operand width",
        manual: "If the count is greater than the operand size, the result is undefined. \
                 If the count is greater than the operand size, the flags are undefined.",
    },
    Rule {
        instructions: "MUL IMUL",
        flags: SF | ZF | AF | PF,
        result: false,
        when: "always",
        manual: "The OF and CF flags are set to 0 if the upper half of the result is 0; \
                 otherwise, they are set to 1. The SF, ZF, AF, and PF flags are undefined.",
    },
    Rule {
        instructions: "DIV IDIV",
        flags: CF | PF | AF | ZF | SF | OF,
        result: false,
        when: "always",
        manual: "The CF, OF, SF, ZF, AF, and PF flags are undefined.",
    },
    Rule {
        instructions: "BT BTS BTR BTC",
        flags: OF | SF | AF | PF,
        result: false,
        when: "always",
        manual: "The CF flag contains the value of the selected bit. The ZF flag is \
                 unaffected. The OF, SF, AF, and PF flags are undefined.",
    },
    Rule {
        instructions: "BSF BSR",
        flags: CF | OF | SF | AF | PF,
        result: false,
        when: "always",
        manual: "The ZF flag is set to 1 if the source operand is 0; otherwise, the ZF flag \
                 is cleared. The CF, OF, SF, AF, and PF flags are undefined.",
    },
    Rule {
        instructions: "BSF BSR",
        flags: 0,
        result: true,
        when: "source = 0",
        manual: "If the content of the source operand is 0, the content of the destination \
                 operand is undefined.",
    },
    Rule {
        instructions: "BSWAP",
        flags: 0,
        result: true,
        when: "16-bit register",
        manual: "When the BSWAP instruction references a 16-bit register, the result is \
                 undefined.",
    },
];

/// The last instruction that left its destination undefined, and how many have so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UndefinedResult {
    /// The rule (one whose `result` is true).
    pub rule: Undef,
    /// The instruction's address.
    pub eip: u32,
    /// How many instructions left a result undefined since the machine was made.
    pub count: u64,
}

/// Which status flags are undefined now, and the rule that left each of them so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndefinedFlags {
    /// The undefined flags as EFLAGS bits.
    mask: u32,
    /// Per flag, in [`STATUS_FLAGS`] order, the rule that left it undefined.
    why: [Option<Undef>; 6],
}

impl UndefinedFlags {
    /// No flag undefined.
    pub const NONE: UndefinedFlags = UndefinedFlags {
        mask: 0,
        why: [None; 6],
    };

    /// The undefined status flags as EFLAGS bits.
    pub fn mask(&self) -> u32 {
        self.mask
    }

    /// The rule that left `flag` (one EFLAGS bit) undefined, if it is.
    pub fn why(&self, flag: u32) -> Option<Undef> {
        let at = STATUS_FLAGS.iter().position(|&f| f == flag)?;
        self.why[at].filter(|_| self.mask & flag != 0)
    }

    /// Mark `flags` undefined by `rule` (only bits of `rule`'s flags count).
    pub(crate) fn add(&mut self, flags: u32, rule: Undef) {
        let flags = flags & rule.rule().flags;
        self.mask |= flags;
        for (at, &f) in STATUS_FLAGS.iter().enumerate() {
            if flags & f != 0 {
                self.why[at] = Some(rule);
            }
        }
    }

    /// `flags` were written with defined values.
    pub(crate) fn define(&mut self, flags: u32) {
        self.mask &= !flags;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flag_keeps_the_rule_that_left_it_undefined() {
        let mut u = UndefinedFlags::NONE;
        u.add(STATUS, Undef::Multiply);
        assert_eq!(u.mask(), SF | ZF | AF | PF, "only the rule's own flags");
        u.define(AF | SF | PF | OF);
        u.add(OF | SF | AF | PF, Undef::BitTest);
        assert_eq!(
            u.why(ZF),
            Some(Undef::Multiply),
            "ZF: BT leaves it unaffected"
        );
        assert_eq!(u.why(AF), Some(Undef::BitTest));
        assert_eq!(u.why(CF), None);
        u.define(STATUS);
        assert_eq!(u, UndefinedFlags { mask: 0, ..u });
        assert_eq!(u.why(ZF), None, "a defined flag has no reason");
    }

    #[test]
    fn the_table_is_in_the_enums_order() {
        assert_eq!(Undef::Bswap16.rule().instructions, "BSWAP");
        assert_eq!(Undef::Divide.rule().flags, STATUS);
        assert!(Undef::DoubleShiftCount.rule().result);
    }
}
