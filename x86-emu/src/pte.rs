//! Page-directory and page-table entries (the same 32-bit layout at both levels on the i386).

use crate::addr::Pfn;
use bitflags::bitflags;
use serde::{Deserialize, Serialize};
use std::fmt;

bitflags! {
    /// Flag bits of a PDE or PTE (bits 11..0; bits 31..12 hold the frame number).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub struct PteFlags: u32 {
        /// P: the entry maps something; if clear the rest of the entry is free for software.
        const PRESENT = 1 << 0;
        /// R/W: writes allowed (needed at both levels for a user write).
        const WRITABLE = 1 << 1;
        /// U/S: user (CPL 3) access allowed (needed at both levels).
        const USER = 1 << 2;
        /// PWT: write-through caching (no effect in this emulator).
        const PWT = 1 << 3;
        /// PCD: caching disabled (no effect in this emulator).
        const PCD = 1 << 4;
        /// A: set by the CPU on every successful walk through this entry.
        const ACCESSED = 1 << 5;
        /// D: set by the CPU in the PTE on the first write to the page.
        const DIRTY = 1 << 6;
        /// PS: 4 MiB page in a PDE; ignored here because CR4.PSE is off.
        const PAGE_SIZE = 1 << 7;
        /// G: global page (ignored: CR4.PGE is off, a CR3 load flushes everything).
        const GLOBAL = 1 << 8;
        /// AVL bits 11..9: free for the operating system.
        const AVAILABLE = 0b111 << 9;
    }
}

/// One page-directory or page-table entry.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pte(u32);

impl Pte {
    /// An entry pointing at `pfn` with `flags` (frame numbers above 20 bits are truncated).
    pub const fn new(pfn: Pfn, flags: PteFlags) -> Pte {
        Pte((pfn.0 << 12) | (flags.bits() & 0xfff))
    }
    /// An entry from its raw 32-bit value as stored in RAM.
    pub const fn from_raw(raw: u32) -> Pte {
        Pte(raw)
    }
    /// The frame this entry points at (bits 31..12).
    pub const fn pfn(self) -> Pfn {
        Pfn(self.0 >> 12)
    }
    /// The flag bits (bits 11..0).
    pub const fn flags(self) -> PteFlags {
        PteFlags::from_bits_retain(self.0 & 0xfff)
    }
    /// The raw 32-bit value.
    pub const fn raw(self) -> u32 {
        self.0
    }
    /// Whether the P bit is set.
    pub const fn present(self) -> bool {
        self.0 & 1 != 0
    }
}

impl fmt::Debug for Pte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Pte({:#010x}: {} {:?})",
            self.0,
            self.pfn(),
            self.flags()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip() {
        let p = Pte::new(Pfn(0x12345), PteFlags::PRESENT | PteFlags::USER);
        assert_eq!(p.raw(), 0x1234_5005);
        assert_eq!(p.pfn(), Pfn(0x12345));
        assert!(p.present());
        assert_eq!(p.flags(), PteFlags::PRESENT | PteFlags::USER);
        assert_eq!(Pte::from_raw(0xfff).flags().bits(), 0xfff);
    }
}
