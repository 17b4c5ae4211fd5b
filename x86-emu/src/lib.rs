//! x86-emu: an i386 CPU (32-bit protected mode, CPL 3) with real two-level paging,
//! a software TLB, an assembler for the playground's Intel syntax and a disassembler.
//!
//! The emulator reports faults; it never decides policy. It knows nothing of the Hurd.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
