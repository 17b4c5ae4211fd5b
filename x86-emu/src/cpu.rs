//! The architectural register state of the CPU: what a context switch saves and restores.

use crate::undefined::UndefinedFlags;
use serde::{Deserialize, Serialize};

/// Index of EAX in [`CpuState::regs`].
pub const EAX: usize = 0;
/// Index of ECX in [`CpuState::regs`].
pub const ECX: usize = 1;
/// Index of EDX in [`CpuState::regs`].
pub const EDX: usize = 2;
/// Index of EBX in [`CpuState::regs`].
pub const EBX: usize = 3;
/// Index of ESP in [`CpuState::regs`].
pub const ESP: usize = 4;
/// Index of EBP in [`CpuState::regs`].
pub const EBP: usize = 5;
/// Index of ESI in [`CpuState::regs`].
pub const ESI: usize = 6;
/// Index of EDI in [`CpuState::regs`].
pub const EDI: usize = 7;
/// Register names in [`CpuState::regs`] order.
pub const REG_NAMES: [&str; 8] = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];

/// EFLAGS bit positions and masks.
pub mod eflags {
    /// CF: carry out of (or borrow into) the top bit.
    pub const CF: u32 = 1 << 0;
    /// Bit 1 always reads as 1.
    pub const RESERVED1: u32 = 1 << 1;
    /// PF: the low byte of the result has an even number of 1 bits.
    pub const PF: u32 = 1 << 2;
    /// AF: carry out of (or borrow into) bit 3 (for BCD arithmetic).
    pub const AF: u32 = 1 << 4;
    /// ZF: the result is zero.
    pub const ZF: u32 = 1 << 6;
    /// SF: the top bit of the result.
    pub const SF: u32 = 1 << 7;
    /// TF: single-step trap (user-writable but ignored here).
    pub const TF: u32 = 1 << 8;
    /// IF: interrupts enabled (always 1 for user code; POPFD at CPL 3 cannot change it).
    pub const IF: u32 = 1 << 9;
    /// DF: string instructions count down when set.
    pub const DF: u32 = 1 << 10;
    /// OF: signed overflow.
    pub const OF: u32 = 1 << 11;
    /// AC: alignment check (user-writable, no effect here).
    pub const AC: u32 = 1 << 18;
    /// ID: CPUID available (user-writable).
    pub const ID: u32 = 1 << 21;
    /// The six arithmetic status flags.
    pub const ARITH: u32 = CF | PF | AF | ZF | SF | OF;
    /// Bits POPFD may change at CPL 3 (IOPL 0): status flags, TF, DF, AC, ID... but not IF, IOPL, VM, RF.
    pub const USER_WRITABLE: u32 = ARITH | TF | DF | AC | ID | (1 << 14) /* NT */;
}

/// The user-visible CPU state. The lazy flags are materialized into `eflags`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuState {
    /// General registers in EAX ECX EDX EBX ESP EBP ESI EDI order (see the index constants).
    pub regs: [u32; 8],
    /// Instruction pointer (linear address: segments are flat).
    pub eip: u32,
    /// EFLAGS, all bits materialized.
    pub eflags: u32,
    /// CR2: the linear address of the last page fault.
    pub cr2: u32,
    /// The status flags of `eflags` that the architecture leaves undefined now, and why.
    #[serde(default)]
    pub undefined: UndefinedFlags,
}

impl Default for CpuState {
    fn default() -> Self {
        CpuState {
            regs: [0; 8],
            eip: 0,
            eflags: eflags::RESERVED1 | eflags::IF,
            cr2: 0,
            undefined: UndefinedFlags::NONE,
        }
    }
}

impl CpuState {
    /// A state starting at `eip` with stack pointer `esp`, other registers zero.
    pub fn at(eip: u32, esp: u32) -> CpuState {
        let mut s = CpuState {
            eip,
            ..CpuState::default()
        };
        s.regs[ESP] = esp;
        s
    }
    /// EAX.
    pub fn eax(&self) -> u32 {
        self.regs[EAX]
    }
    /// ECX.
    pub fn ecx(&self) -> u32 {
        self.regs[ECX]
    }
    /// EDX.
    pub fn edx(&self) -> u32 {
        self.regs[EDX]
    }
    /// EBX.
    pub fn ebx(&self) -> u32 {
        self.regs[EBX]
    }
    /// ESP.
    pub fn esp(&self) -> u32 {
        self.regs[ESP]
    }
    /// EBP.
    pub fn ebp(&self) -> u32 {
        self.regs[EBP]
    }
    /// ESI.
    pub fn esi(&self) -> u32 {
        self.regs[ESI]
    }
    /// EDI.
    pub fn edi(&self) -> u32 {
        self.regs[EDI]
    }
    /// Whether an EFLAGS bit (a mask from [`eflags`]) is set.
    pub fn flag(&self, mask: u32) -> bool {
        self.eflags & mask != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_accessors() {
        let s = CpuState::at(0x1000, 0x8000);
        assert_eq!(s.esp(), 0x8000);
        assert_eq!(s.eip, 0x1000);
        assert!(s.flag(eflags::IF));
        assert!(!s.flag(eflags::CF));
        assert_eq!(REG_NAMES[EDI], "edi");
    }
}
