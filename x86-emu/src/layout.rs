//! `flat_address_space`: build i386 page tables in RAM that map a set of virtual pages
//! user-read-write to fresh frames — the simplest address space, for tests and for
//! `selfpage exec` (a program image plus a stack, no pager).

use crate::addr::{Pfn, PhysAddr, VirtAddr, PAGE_SIZE};
use crate::pte::{Pte, PteFlags};
use crate::ram::Ram;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// Why a flat address space could not be built or loaded.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum LayoutError {
    /// RAM has too few frames for the directory, the tables and the pages.
    #[error(
        "RAM has too few frames: the address space needs frame {needed} but RAM ends at {frames}"
    )]
    OutOfFrames {
        /// The frame number that was needed.
        needed: u32,
        /// Frames in RAM.
        frames: u32,
    },
    /// A byte to load falls on a page the address space does not map.
    #[error("address {0:#010x} is not mapped in this address space")]
    Unmapped(u32),
}

/// A built address space: where its directory is and which frame backs each page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlatSpace {
    /// Physical address of the page directory (load it into CR3).
    pub cr3: PhysAddr,
    /// Virtual page base address → the frame that backs it.
    pub pages: BTreeMap<u32, Pfn>,
    /// The first frame not used by this address space.
    pub next_free: Pfn,
}

/// User read-write at both levels.
const URW: PteFlags = PteFlags::PRESENT
    .union(PteFlags::WRITABLE)
    .union(PteFlags::USER);

/// Map every page containing an address of `pages` user-RW (at both levels) to fresh,
/// zeroed frames taken in order from `first_free`: first the directory, then each page table
/// when first needed, then the data frames in ascending virtual order. A and D start clear.
///
/// # Errors
/// [`LayoutError::OutOfFrames`] if RAM ends before everything is placed (RAM may then hold
/// a partial directory; build into a fresh RAM).
pub fn flat_address_space(
    ram: &mut Ram,
    pages: &[VirtAddr],
    first_free: Pfn,
) -> Result<FlatSpace, LayoutError> {
    let mut next = first_free.0;
    let frames = ram.frames();
    let mut alloc = |ram: &mut Ram| -> Result<Pfn, LayoutError> {
        if next >= frames {
            return Err(LayoutError::OutOfFrames {
                needed: next,
                frames,
            });
        }
        let pfn = Pfn(next);
        next += 1;
        let _ = ram.write(pfn.addr(), &[0u8; PAGE_SIZE as usize]);
        Ok(pfn)
    };
    let dir = alloc(ram)?;
    let mut tables: BTreeMap<u32, Pfn> = BTreeMap::new();
    let mut mapped = BTreeMap::new();
    let wanted: std::collections::BTreeSet<u32> = pages.iter().map(|v| v.align_down().0).collect();
    for &page in &wanted {
        let va = VirtAddr(page);
        let table = match tables.get(&va.pd_index()) {
            Some(&t) => t,
            None => {
                let t = alloc(ram)?;
                ram.write_u32(
                    PhysAddr(dir.addr().0 + 4 * va.pd_index()),
                    Pte::new(t, URW).raw(),
                );
                tables.insert(va.pd_index(), t);
                t
            }
        };
        let frame = alloc(ram)?;
        ram.write_u32(
            PhysAddr(table.addr().0 + 4 * va.pt_index()),
            Pte::new(frame, URW).raw(),
        );
        mapped.insert(page, frame);
    }
    Ok(FlatSpace {
        cr3: dir.addr(),
        pages: mapped,
        next_free: Pfn(next),
    })
}

impl FlatSpace {
    /// The physical address backing `va`, if mapped.
    pub fn phys(&self, va: VirtAddr) -> Option<PhysAddr> {
        let pfn = self.pages.get(&va.align_down().0)?;
        Some(PhysAddr(pfn.addr().0 | va.page_offset()))
    }

    /// Copy `bytes` to virtual address `va` by writing the backing frames directly (no A/D bits).
    ///
    /// # Errors
    /// [`LayoutError::Unmapped`] if a byte falls outside the mapped pages (nothing is written).
    pub fn load(&self, ram: &mut Ram, va: VirtAddr, bytes: &[u8]) -> Result<(), LayoutError> {
        for k in 0..bytes.len() as u32 {
            let a = va.0.wrapping_add(k);
            self.phys(VirtAddr(a)).ok_or(LayoutError::Unmapped(a))?;
        }
        for (k, b) in bytes.iter().enumerate() {
            if let Some(pa) = self.phys(VirtAddr(va.0.wrapping_add(k as u32))) {
                let _ = ram.write(pa, &[*b]);
            }
        }
        Ok(())
    }
}

/// Page base addresses covering `[start, start + len)`, for building the `pages` argument.
pub fn page_range(start: VirtAddr, len: u32) -> Vec<VirtAddr> {
    if len == 0 {
        return Vec::new();
    }
    let first = start.0 >> 12;
    let last = start.0.wrapping_add(len - 1) >> 12;
    (first..=last).map(|p| VirtAddr(p << 12)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mmu::walk;

    #[test]
    fn maps_pages_to_fresh_frames() {
        let mut ram = Ram::new(16).unwrap();
        let pages = [VirtAddr(0x1000), VirtAddr(0x1fff), VirtAddr(0x8000_0000)];
        let s = flat_address_space(&mut ram, &pages, Pfn(1)).unwrap();
        assert_eq!(s.cr3, PhysAddr(0x1000));
        assert_eq!(s.pages.len(), 2);
        assert_eq!(s.next_free, Pfn(6)); // dir, table, page, table, page
        let w = walk(&ram, s.cr3, VirtAddr(0x1234));
        assert_eq!(w.phys, s.phys(VirtAddr(0x1234)));
        assert!(w.pte.unwrap().flags().contains(URW));
        s.load(&mut ram, VirtAddr(0x1ffe), &[1, 2]).unwrap();
        assert_eq!(
            s.load(&mut ram, VirtAddr(0x2fff), &[1]),
            Err(LayoutError::Unmapped(0x2fff))
        );
        assert_eq!(
            page_range(VirtAddr(0xffe), 3),
            vec![VirtAddr(0), VirtAddr(0x1000)]
        );
    }

    #[test]
    fn too_small_ram() {
        let mut ram = Ram::new(2).unwrap();
        let e = flat_address_space(&mut ram, &[VirtAddr(0)], Pfn(0)).unwrap_err();
        assert_eq!(
            e,
            LayoutError::OutOfFrames {
                needed: 2,
                frames: 2
            }
        );
    }
}
