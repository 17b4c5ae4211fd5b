//! Address newtypes: virtual (linear) addresses, physical addresses and page frame numbers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Size of a page and of a physical frame, in bytes (i386 4 KiB pages; PSE is off).
pub const PAGE_SIZE: u32 = 4096;
/// Number of low address bits that select the byte within a page.
pub const PAGE_SHIFT: u32 = 12;

/// A linear (virtual) address as seen by user code; segments are flat, so this is also the offset.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct VirtAddr(pub u32);

/// A physical address: a byte index into emulated RAM.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct PhysAddr(pub u32);

/// A physical frame number: physical address divided by [`PAGE_SIZE`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Pfn(pub u32);

/// A virtual page number: virtual address divided by [`PAGE_SIZE`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Vpn(pub u32);

impl VirtAddr {
    /// The page this address falls in.
    pub const fn vpn(self) -> Vpn {
        Vpn(self.0 >> PAGE_SHIFT)
    }
    /// The byte offset within the page (bits 11..0).
    pub const fn page_offset(self) -> u32 {
        self.0 & (PAGE_SIZE - 1)
    }
    /// The page directory index (bits 31..22).
    pub const fn pd_index(self) -> u32 {
        self.0 >> 22
    }
    /// The page table index (bits 21..12).
    pub const fn pt_index(self) -> u32 {
        (self.0 >> PAGE_SHIFT) & 0x3ff
    }
    /// This address rounded down to its page boundary.
    pub const fn align_down(self) -> VirtAddr {
        VirtAddr(self.0 & !(PAGE_SIZE - 1))
    }
}

impl PhysAddr {
    /// The frame this address falls in.
    pub const fn pfn(self) -> Pfn {
        Pfn(self.0 >> PAGE_SHIFT)
    }
    /// The byte offset within the frame.
    pub const fn frame_offset(self) -> u32 {
        self.0 & (PAGE_SIZE - 1)
    }
}

impl Pfn {
    /// The physical address of the first byte of this frame (wraps above 4 GiB, which RAM never reaches).
    pub const fn addr(self) -> PhysAddr {
        PhysAddr(self.0.wrapping_shl(PAGE_SHIFT))
    }
}

impl Vpn {
    /// The virtual address of the first byte of this page.
    pub const fn addr(self) -> VirtAddr {
        VirtAddr(self.0.wrapping_shl(PAGE_SHIFT))
    }
}

impl fmt::Display for VirtAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v:{:#010x}", self.0)
    }
}

impl fmt::Display for PhysAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p:{:#010x}", self.0)
    }
}

impl fmt::Display for Pfn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "frame {}", self.0)
    }
}

impl fmt::Display for Vpn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "page {:#07x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_10_10_12() {
        let va = VirtAddr(0xdead_beef);
        assert_eq!(va.pd_index(), 0x37a);
        assert_eq!(va.pt_index(), 0x2db);
        assert_eq!(va.page_offset(), 0xeef);
        assert_eq!(va.vpn(), Vpn(0xdeadb));
        assert_eq!(va.align_down(), VirtAddr(0xdead_b000));
        assert_eq!(Pfn(3).addr(), PhysAddr(0x3000));
        assert_eq!(PhysAddr(0x3004).pfn(), Pfn(3));
    }
}
