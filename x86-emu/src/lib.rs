//! x86-emu: an i386 CPU (32-bit protected mode, CPL 3) with real two-level paging,
//! a software TLB, an assembler for the playground's Intel syntax and a disassembler.
//!
//! The emulator reports faults; it never decides policy. It knows nothing of the Hurd.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod addr;
pub mod asm;
mod code_cache;
pub mod cpu;
pub mod disasm;
pub mod exception;
mod exec;
mod flags;
pub mod layout;
pub mod machine;
mod mem;
pub mod mmu;
pub mod pte;
pub mod ram;
#[cfg(test)]
mod testutil;
pub mod tlb;

pub use addr::{Pfn, PhysAddr, VirtAddr, Vpn, PAGE_SIZE};
pub use cpu::CpuState;
pub use exception::{Exception, PfErrorCode, Vector};
pub use layout::{flat_address_space, page_range, FlatSpace, LayoutError};
pub use machine::{Machine, MachineState, Run, Stop, WatchAccess, Watchpoint};
pub use mmu::{walk, Access, Translation, Walk};
pub use pte::{Pte, PteFlags};
pub use ram::{Ram, RamError};
pub use tlb::{Tlb, TlbEntry};
