//! CPU exceptions as data: vector, error code and CR2, with a message a student understands.

use bitflags::bitflags;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Exception vectors this CPU can raise at CPL 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum Vector {
    /// #DE: DIV/IDIV by zero or quotient too large.
    DivideError = 0,
    /// #DB: debug exception (not raised by this emulator; breakpoints are [`crate::Stop`]s).
    Debug = 1,
    /// #BP: INT3 executed.
    Breakpoint = 3,
    /// #OF: INTO executed with OF=1.
    Overflow = 4,
    /// #BR: BOUND found the index out of range.
    BoundRange = 5,
    /// #UD: bytes that do not decode to a supported instruction.
    InvalidOpcode = 6,
    /// #GP: privileged instruction at CPL 3, or another protection violation.
    GeneralProtection = 13,
    /// #PF: the MMU refused an access (not present or protection).
    PageFault = 14,
    /// #MC (machine check): a page-table walk read outside physical RAM — a bug in whoever
    /// built the page tables, not something a user program can cause on real hardware.
    MachineCheck = 18,
}

impl Vector {
    /// The vector number.
    pub fn number(self) -> u8 {
        self as u8
    }
    /// The assembler mnemonic, e.g. `#PF`.
    pub fn mnemonic(self) -> &'static str {
        match self {
            Vector::DivideError => "#DE",
            Vector::Debug => "#DB",
            Vector::Breakpoint => "#BP",
            Vector::Overflow => "#OF",
            Vector::BoundRange => "#BR",
            Vector::InvalidOpcode => "#UD",
            Vector::GeneralProtection => "#GP",
            Vector::PageFault => "#PF",
            Vector::MachineCheck => "#MC",
        }
    }
}

bitflags! {
    /// The page-fault error code pushed with #PF.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub struct PfErrorCode: u32 {
        /// P: 1 = protection violation on a present page, 0 = page not present.
        const PRESENT = 1;
        /// W/R: 1 = the access was a write, 0 = a read or instruction fetch.
        const WRITE = 2;
        /// U/S: 1 = the access came from user mode (always 1 here: code runs at CPL 3).
        const USER = 4;
    }
}

/// A fault or trap raised by an instruction. A faulting instruction has changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Exception {
    /// Which exception.
    pub vector: Vector,
    /// The error code pushed by the CPU, for vectors that have one.
    pub error_code: Option<u32>,
    /// The faulting linear address (CR2), for page faults.
    pub cr2: Option<u32>,
}

impl Exception {
    /// An exception without error code.
    pub const fn new(vector: Vector) -> Exception {
        Exception {
            vector,
            error_code: None,
            cr2: None,
        }
    }
    /// #GP(0).
    pub const fn gp0() -> Exception {
        Exception {
            vector: Vector::GeneralProtection,
            error_code: Some(0),
            cr2: None,
        }
    }
    /// #PF at `addr` with `code`.
    pub const fn page_fault(addr: u32, code: PfErrorCode) -> Exception {
        Exception {
            vector: Vector::PageFault,
            error_code: Some(code.bits()),
            cr2: Some(addr),
        }
    }
    /// #MC for a page-table walk that read `phys`, outside RAM.
    pub const fn bad_physical(phys: u32) -> Exception {
        Exception {
            vector: Vector::MachineCheck,
            error_code: None,
            cr2: Some(phys),
        }
    }
    /// The page-fault error code, for #PF.
    pub fn pf_code(&self) -> Option<PfErrorCode> {
        match self.vector {
            Vector::PageFault => self.error_code.map(PfErrorCode::from_bits_retain),
            _ => None,
        }
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.vector.mnemonic();
        match self.vector {
            Vector::PageFault => {
                let code = self.pf_code().unwrap_or(PfErrorCode::empty());
                let addr = self.cr2.unwrap_or(0);
                let what = if code.contains(PfErrorCode::WRITE) {
                    "write to"
                } else {
                    "read from"
                };
                let why = if code.contains(PfErrorCode::PRESENT) {
                    "the page is mapped but its protection forbids this access"
                } else {
                    "the page is not mapped (not present)"
                };
                write!(f, "{m} page fault: {what} {addr:#010x} — {why}")
            }
            Vector::DivideError => write!(f, "{m} divide error: division by zero or quotient too large"),
            Vector::InvalidOpcode => write!(f, "{m} invalid opcode: these bytes are not an instruction this CPU runs"),
            Vector::GeneralProtection => write!(
                f,
                "{m} general protection fault: a privileged or forbidden instruction at user level (CPL 3)"
            ),
            Vector::Breakpoint => write!(f, "{m} breakpoint trap (INT3)"),
            Vector::Overflow => write!(f, "{m} overflow trap (INTO with OF set)"),
            Vector::BoundRange => write!(f, "{m} BOUND range exceeded"),
            Vector::Debug => write!(f, "{m} debug exception"),
            Vector::MachineCheck => write!(
                f,
                "{m} machine check: a page-table walk read physical address {:#010x}, outside RAM (broken page tables)",
                self.cr2.unwrap_or(0)
            ),
        }
    }
}

impl std::error::Error for Exception {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_fault_reads_well() {
        let e = Exception::page_fault(0x1000, PfErrorCode::WRITE | PfErrorCode::USER);
        assert_eq!(e.error_code, Some(6));
        let s = e.to_string();
        assert!(s.contains("write to 0x00001000"), "{s}");
        assert!(s.contains("not present"), "{s}");
    }
}
