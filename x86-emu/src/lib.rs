//! x86-emu: an i386 CPU (32-bit protected mode, CPL 3) with real two-level paging,
//! a software TLB, an assembler for the playground's Intel syntax and a disassembler.
//!
//! The emulator reports faults; it never decides policy. It knows nothing of the Hurd.
//!
//! # The machine
//!
//! [`Machine`] runs user code at CPL 3 with paging always on (CR0.PG=1, CR4.PSE=0, flat
//! segments of base 0 and limit 4 GiB). Every access goes through the [`Tlb`] and, on a miss,
//! the two-level walk of [`mmu`] over page tables in [`Ram`], which sets A at both levels and
//! D in the PTE exactly as the 80386 does. [`Machine::run`] and [`Machine::step`] return a
//! [`Stop`]: budget, breakpoint, watchpoint, `INT n`, or an [`Exception`]. A fault changes
//! nothing (registers, flags, memory), so the instruction restarts cleanly once the cause is
//! fixed; a REP string instruction keeps the progress of the elements before the faulting one,
//! as hardware does. A page walk that reads outside RAM (broken page tables) stops with
//! [`Vector::MachineCheck`], never with a page fault.
//!
//! # Instructions
//!
//! MOV MOVZX MOVSX LEA XCHG CMPXCHG CMPXCHG8B XADD; ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC
//! NEG NOT; SHL SAL SHR SAR ROL ROR RCL RCR (by 1, CL, imm8) SHLD SHRD; MUL, IMUL (1, 2 and 3
//! operands), DIV IDIV (#DE); CBW CWDE CWD CDQ; PUSH POP PUSHAD POPAD PUSHFD POPFD (and the
//! 16-bit forms); CALL RET (near, RET imm16) JMP Jcc JECXZ JCXZ LOOP LOOPE LOOPNE; SETcc CMOVcc;
//! BT BTS BTR BTC BSF BSR BSWAP; MOVS STOS LODS CMPS SCAS (byte, word, dword; REP, REPE, REPNE;
//! DF from CLD/STD); CLC STC CMC LAHF SAHF; ENTER LEAVE; NOP PAUSE; INT n, INT3 and INTO (traps).
//! The operand-size prefix gives the 16-bit forms. Flags, including AF and PF, match the
//! architecture exactly; where the manuals leave a flag or a result undefined, [`undefined`]
//! says so (the CPU state carries which flags are undefined now, and why) and documents the
//! one value the emulator gives it, that of the Intel CPU the differential tests
//! (`tests/difftest.rs`) were written on.
//! Privileged instructions (HLT CLI STI IN OUT INS OUTS LGDT LIDT LLDT LTR LMSW CLTS INVLPG
//! INVD WBINVD RDMSR WRMSR RDPMC IRET, MOV to or from CR/DR), far transfers and segment loads
//! raise #GP(0); anything else the decoder does not turn into one of the above (x87, SSE,
//! BCD, CPUID, string instructions with 16-bit addressing...) raises #UD.
//!
//! # Speed
//!
//! Instructions are decoded with iced-x86 once into straight-line blocks cached per physical
//! page and invalidated by any write to that page; the hot 32-bit forms are predecoded into
//! compact ops that a tight loop dispatches on; arithmetic flags are evaluated lazily; the
//! TLB is a direct-mapped array. Instruction fetch consults the TLB once per block, and the
//! run loop goes from block to block without returning; a block of register forms that jumps
//! back to its own start (a delay loop) spins without looking anything up, counting the TLB
//! hit of each round's fetch all the same.
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
pub mod page_log;
pub mod pte;
pub mod ram;
#[cfg(test)]
mod testutil;
pub mod tlb;
pub mod undefined;

pub use addr::{Pfn, PhysAddr, VirtAddr, Vpn, PAGE_SIZE};
pub use cpu::CpuState;
pub use exception::{Exception, PfErrorCode, Vector};
pub use layout::{flat_address_space, page_range, FlatSpace, LayoutError};
pub use machine::{Machine, MachineState, Run, Stop, WatchAccess, Watchpoint};
pub use mmu::{walk, Access, Translation, Walk};
pub use page_log::PageLog;
pub use pte::{Pte, PteFlags};
pub use ram::{Ram, RamError};
pub use tlb::{Tlb, TlbEntry};
pub use undefined::{Rule, Undef, UndefinedFlags, UndefinedResult};
