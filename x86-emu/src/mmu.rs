//! The i386 MMU: the two-level page walk from CR3, and the translation used by execution,
//! which checks permissions and sets the accessed and dirty bits exactly as the 80386 does.

use crate::addr::{Pfn, PhysAddr, VirtAddr};
use crate::exception::{Exception, PfErrorCode};
use crate::pte::{Pte, PteFlags};
use crate::ram::Ram;
use serde::{Deserialize, Serialize};

/// What kind of access asks for a translation (a fetch is a read for the i386: no NX bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Access {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// An instruction fetch.
    Execute,
}

/// The result of inspecting the page walk for one address, for the UI. Nothing is modified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Walk {
    /// Physical address of the page-directory entry (CR3 + 4 × directory index).
    pub pde_addr: PhysAddr,
    /// The page-directory entry (zero if its address lies outside RAM).
    pub pde: Pte,
    /// Physical address of the page-table entry, if the PDE is present.
    pub pte_addr: Option<PhysAddr>,
    /// The page-table entry, if the PDE is present and the entry lies inside RAM.
    pub pte: Option<Pte>,
    /// The translated physical address, if both entries are present.
    pub phys: Option<PhysAddr>,
    /// A page-table entry address that lies outside RAM (broken page tables), if any.
    pub bad_physical: Option<PhysAddr>,
}

/// A successful translation, with the permissions of both levels combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    /// The frame holding the page.
    pub pfn: Pfn,
    /// Writable at both levels.
    pub writable: bool,
    /// The PTE's dirty bit is set (after this translation).
    pub dirty: bool,
    /// Physical address of the PDE (it and the PTE may have just been modified).
    pub pde_addr: PhysAddr,
    /// Physical address of the PTE.
    pub pte_addr: PhysAddr,
}

// A linear address, as the i386 splits it:
//
//   31            22 21            12 11                    0
//  +----------------+----------------+-----------------------+
//  | directory index|   table index  |    offset in page     |
//  +----------------+----------------+-----------------------+
//          |                |
//  CR3 -> page directory    |          (1024 PDEs of 4 bytes)
//          PDE.frame -> page table     (1024 PTEs of 4 bytes)
//                           PTE.frame -> 4 KiB page
//
/// Follow CR3 → PDE → PTE for `va` without checking or changing anything.
pub fn walk(ram: &Ram, cr3: PhysAddr, va: VirtAddr) -> Walk {
    let dir = cr3.0 & !0xfff; // CR3 bits 11..0 (PWT, PCD, reserved) are not part of the address
    let pde_addr = PhysAddr(dir.wrapping_add(va.pd_index() * 4));
    let mut w = Walk {
        pde_addr,
        pde: Pte::default(),
        pte_addr: None,
        pte: None,
        phys: None,
        bad_physical: None,
    };
    let Some(pde) = ram.read_u32(pde_addr) else {
        w.bad_physical = Some(pde_addr);
        return w;
    };
    w.pde = Pte::from_raw(pde);
    if !w.pde.present() {
        return w;
    }
    let pte_addr = PhysAddr(w.pde.pfn().addr().0.wrapping_add(va.pt_index() * 4));
    w.pte_addr = Some(pte_addr);
    let Some(pte) = ram.read_u32(pte_addr) else {
        w.bad_physical = Some(pte_addr);
        return w;
    };
    let pte = Pte::from_raw(pte);
    w.pte = Some(pte);
    if pte.present() {
        w.phys = Some(PhysAddr(pte.pfn().addr().0 | va.page_offset()));
    }
    w
}

/// Translate a CPL-3 access to `va` as the 80386 does: both levels present, U/S=1 at both,
/// R/W=1 at both for a write. On success set A in the PDE and the PTE, and D in the PTE for a
/// write. On failure change nothing and return the #PF (or #MC for tables outside RAM).
///
/// # Errors
/// A page fault with CR2 = `va` and the error code (P, W/R, U/S=1).
pub fn translate(
    ram: &mut Ram,
    cr3: PhysAddr,
    va: VirtAddr,
    access: Access,
) -> Result<Translation, Exception> {
    let w = walk(ram, cr3, va);
    if let Some(bad) = w.bad_physical {
        return Err(Exception::bad_physical(bad.0));
    }
    let write = access == Access::Write;
    let mut code = PfErrorCode::USER;
    if write {
        code |= PfErrorCode::WRITE;
    }
    let (Some(pte_addr), Some(pte)) = (w.pte_addr, w.pte) else {
        return Err(Exception::page_fault(va.0, code)); // PDE not present
    };
    if !pte.present() {
        return Err(Exception::page_fault(va.0, code));
    }
    let both = w.pde.flags() & pte.flags();
    let writable = both.contains(PteFlags::WRITABLE);
    if !both.contains(PteFlags::USER) || (write && !writable) {
        return Err(Exception::page_fault(va.0, code | PfErrorCode::PRESENT));
    }
    if pte.pfn().0 >= ram.frames() {
        return Err(Exception::bad_physical(pte.pfn().addr().0));
    }
    let mut pte_flags = pte.flags() | PteFlags::ACCESSED;
    if write {
        pte_flags |= PteFlags::DIRTY;
    }
    set_bits(ram, w.pde_addr, w.pde.raw() | PteFlags::ACCESSED.bits());
    set_bits(ram, pte_addr, pte.raw() | pte_flags.bits());
    Ok(Translation {
        pfn: pte.pfn(),
        writable,
        dirty: pte_flags.contains(PteFlags::DIRTY),
        pde_addr: w.pde_addr,
        pte_addr,
    })
}

/// Store an entry back only if a bit changed (the walk proved the address is inside RAM).
fn set_bits(ram: &mut Ram, at: PhysAddr, new: u32) {
    if ram.read_u32(at) != Some(new) {
        ram.write_u32(at, new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URW: PteFlags = PteFlags::PRESENT
        .union(PteFlags::WRITABLE)
        .union(PteFlags::USER);

    /// Directory in frame 1, table in frame 2, page 0x00400000 -> frame 3.
    fn setup(pde: PteFlags, pte: PteFlags) -> Ram {
        let mut ram = Ram::new(8).unwrap();
        ram.write_u32(PhysAddr(0x1000 + 4), Pte::new(Pfn(2), pde).raw());
        ram.write_u32(PhysAddr(0x2000), Pte::new(Pfn(3), pte).raw());
        ram
    }

    #[test]
    fn walk_inspects_without_side_effects() {
        let ram = setup(URW, URW);
        let w = walk(&ram, PhysAddr(0x1000), VirtAddr(0x0040_0123));
        assert_eq!(w.pde_addr, PhysAddr(0x1004));
        assert_eq!(w.pte_addr, Some(PhysAddr(0x2000)));
        assert_eq!(w.phys, Some(PhysAddr(0x3123)));
        assert_eq!(ram.read_u32(PhysAddr(0x1004)).unwrap() & 0x20, 0);
    }

    #[test]
    fn read_sets_accessed_at_both_levels_write_sets_dirty() {
        let mut ram = setup(URW, URW);
        let t = translate(
            &mut ram,
            PhysAddr(0x1000),
            VirtAddr(0x0040_0000),
            Access::Read,
        )
        .unwrap();
        assert_eq!(t.pfn, Pfn(3));
        assert!(!t.dirty);
        assert_eq!(ram.read_u32(PhysAddr(0x1004)).unwrap() & 0x60, 0x20);
        assert_eq!(ram.read_u32(PhysAddr(0x2000)).unwrap() & 0x60, 0x20);
        let t = translate(
            &mut ram,
            PhysAddr(0x1000),
            VirtAddr(0x0040_0000),
            Access::Write,
        )
        .unwrap();
        assert!(t.dirty);
        assert_eq!(ram.read_u32(PhysAddr(0x2000)).unwrap() & 0x60, 0x60);
        assert_eq!(
            ram.read_u32(PhysAddr(0x1004)).unwrap() & 0x40,
            0,
            "no D in the PDE"
        );
    }

    #[test]
    fn error_codes() {
        let cr3 = PhysAddr(0x1000);
        let va = VirtAddr(0x0040_0010);
        let mut ram = setup(URW, URW - PteFlags::WRITABLE);
        let e = translate(&mut ram, cr3, va, Access::Write).unwrap_err();
        assert_eq!((e.error_code, e.cr2), (Some(7), Some(va.0)));
        assert_eq!(
            ram.read_u32(PhysAddr(0x2000)).unwrap() & 0x60,
            0,
            "failed walk sets nothing"
        );
        let mut ram = setup(URW - PteFlags::USER, URW);
        assert_eq!(
            translate(&mut ram, cr3, va, Access::Read)
                .unwrap_err()
                .error_code,
            Some(5)
        );
        let mut ram = setup(URW, PteFlags::empty());
        assert_eq!(
            translate(&mut ram, cr3, va, Access::Write)
                .unwrap_err()
                .error_code,
            Some(6)
        );
        let e = translate(&mut ram, cr3, VirtAddr(0x0080_0000), Access::Execute).unwrap_err();
        assert_eq!(e.error_code, Some(4), "PDE not present");
    }

    #[test]
    fn tables_outside_ram_are_a_machine_check() {
        let mut ram = setup(URW, URW);
        let e = translate(&mut ram, PhysAddr(0x10_0000), VirtAddr(0), Access::Read).unwrap_err();
        assert_eq!(e.vector, crate::Vector::MachineCheck);
    }
}
