//! A task's page tables as the kernel writes them: real i386 structures in emulated RAM,
//! changed only through `Machine::write_phys` so the emulator's caches stay coherent.
//!
//! A linear address splits 10/10/12:
//!
//! ```text
//!  31          22 21          12 11            0
//! +--------------+--------------+---------------+
//! |  PDE index   |  PTE index   |  page offset  |
//! +--------------+--------------+---------------+
//!   CR3 -> page directory[PDE] -> page table[PTE] -> frame + offset
//! ```
//!
//! Directory entries grant everything (P, RW, US); the permission of a page lives in its PTE.

use x86_emu::{Machine, Pfn, PhysAddr, PteFlags, VirtAddr, PAGE_SIZE};

use crate::pool::KernelPool;

/// A TLB entry that must be invalidated after a page-table change. Forgetting it leaves a
/// stale translation in the TLB, which is exactly the bug the playground can show.
#[must_use = "a changed PTE needs its TLB entry invalidated (Flush::apply)"]
#[derive(Debug)]
pub struct Flush {
    va: u32,
}

impl Flush {
    /// Invalidates the entry (INVLPG) if `cr3` is the address space the CPU is using;
    /// other address spaces have no TLB entries, since a CR3 load flushes the TLB.
    pub fn apply(self, m: &mut Machine, cr3: PhysAddr) {
        if m.cr3() == cr3 {
            m.invlpg(VirtAddr(self.va));
        }
    }

    /// Skips the invalidation, on purpose (the "forgot INVLPG" lesson).
    pub fn forget(self) {}
}

/// The previous state of a PTE that was removed or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OldPte {
    /// The frame it mapped.
    pub pfn: Pfn,
    /// Its A bit.
    pub accessed: bool,
    /// Its D bit.
    pub dirty: bool,
}

const ENTRY_FLAGS: u32 = 0xFFF;

fn read_u32(m: &Machine, pa: u32) -> u32 {
    // Page tables live in kernel frames inside RAM; a failure is a broken kernel invariant.
    m.read_phys_u32(PhysAddr(pa))
        .unwrap_or_else(|e| panic!("pagetable::read_u32: {pa:#x}: {e}"))
}

fn write_u32(m: &mut Machine, pa: u32, v: u32) {
    m.write_phys_u32(PhysAddr(pa), v)
        .unwrap_or_else(|e| panic!("pagetable::write_u32: {pa:#x}: {e}"));
}

fn pde_addr(cr3: PhysAddr, va: u32) -> u32 {
    (cr3.0 & !ENTRY_FLAGS) + (va >> 22) * 4
}

fn pte_addr(table: u32, va: u32) -> u32 {
    (table & !ENTRY_FLAGS) + ((va >> 12) & 0x3FF) * 4
}

/// Physical address of the PTE for `va`, if its page table exists.
fn find_pte(m: &Machine, cr3: PhysAddr, va: u32) -> Option<u32> {
    let pde = read_u32(m, pde_addr(cr3, va));
    (pde & PteFlags::PRESENT.bits() != 0).then(|| pte_addr(pde, va))
}

/// A fresh, zeroed frame from the kernel pool.
fn zeroed_frame(m: &mut Machine, pool: &mut KernelPool) -> Option<Pfn> {
    let pfn = pool.alloc()?;
    // A fill, not a copy of a page of zeroes (see `Machine::zero_phys`).
    m.zero_phys(PhysAddr(pfn.0 * PAGE_SIZE), PAGE_SIZE as usize)
        .unwrap_or_else(|e| panic!("pagetable::zeroed_frame: {e}"));
    Some(pfn)
}

/// Creates an empty page directory; its address is the task's CR3.
pub fn new_directory(m: &mut Machine, pool: &mut KernelPool) -> Option<PhysAddr> {
    zeroed_frame(m, pool).map(|pfn| PhysAddr(pfn.0 * PAGE_SIZE))
}

/// Maps the page at `va` to `pfn` for user code, writable or not, creating the page table
/// from the kernel pool if needed. `None` when the pool has no frame for a new table.
pub fn map(
    m: &mut Machine,
    pool: &mut KernelPool,
    cr3: PhysAddr,
    va: u32,
    pfn: Pfn,
    writable: bool,
) -> Option<Flush> {
    let pde_at = pde_addr(cr3, va);
    let mut pde = read_u32(m, pde_at);
    if pde & PteFlags::PRESENT.bits() == 0 {
        let table = zeroed_frame(m, pool)?;
        pde = (table.0 * PAGE_SIZE)
            | (PteFlags::PRESENT | PteFlags::WRITABLE | PteFlags::USER).bits();
        write_u32(m, pde_at, pde);
    }
    let mut flags = PteFlags::PRESENT | PteFlags::USER;
    if writable {
        flags |= PteFlags::WRITABLE;
    }
    write_u32(m, pte_addr(pde, va), (pfn.0 * PAGE_SIZE) | flags.bits());
    Some(Flush { va })
}

fn old(pte: u32) -> OldPte {
    OldPte {
        pfn: Pfn(pte >> 12),
        accessed: pte & PteFlags::ACCESSED.bits() != 0,
        dirty: pte & PteFlags::DIRTY.bits() != 0,
    }
}

/// Applies `change` to the present PTE of `va`; returns what it was.
fn update(
    m: &mut Machine,
    cr3: PhysAddr,
    va: u32,
    change: impl FnOnce(u32) -> u32,
) -> Option<(OldPte, Flush)> {
    let at = find_pte(m, cr3, va)?;
    let pte = read_u32(m, at);
    if pte & PteFlags::PRESENT.bits() == 0 {
        return None;
    }
    write_u32(m, at, change(pte));
    Some((old(pte), Flush { va }))
}

/// Removes the mapping of `va`; returns the frame and its A/D bits.
pub fn unmap(m: &mut Machine, cr3: PhysAddr, va: u32) -> Option<(OldPte, Flush)> {
    update(m, cr3, va, |_| 0)
}

/// Takes write access away from `va` (copy-on-write), keeping the mapping.
pub fn write_protect(m: &mut Machine, cr3: PhysAddr, va: u32) -> Option<(OldPte, Flush)> {
    update(m, cr3, va, |pte| pte & !PteFlags::WRITABLE.bits())
}

/// Reads and clears A and D of `va` (L4's status flush), keeping the mapping. When both are
/// clear already nothing is written and no flush is needed: every TLB fill sets A, and
/// every clearing of A is flushed, so no TLB entry can hold this translation.
pub fn sample(m: &mut Machine, cr3: PhysAddr, va: u32) -> Option<(OldPte, Option<Flush>)> {
    let at = find_pte(m, cr3, va)?;
    let pte = read_u32(m, at);
    if pte & PteFlags::PRESENT.bits() == 0 {
        return None;
    }
    let cleared = pte & !(PteFlags::ACCESSED | PteFlags::DIRTY).bits();
    if cleared == pte {
        return Some((old(pte), None));
    }
    write_u32(m, at, cleared);
    Some((old(pte), Some(Flush { va })))
}

/// The frame `va` maps to, if present.
pub fn lookup(m: &Machine, cr3: PhysAddr, va: u32) -> Option<OldPte> {
    let pte = read_u32(m, find_pte(m, cr3, va)?);
    (pte & PteFlags::PRESENT.bits() != 0).then(|| old(pte))
}

/// The page tables of the directory at `cr3`: (first address each covers, its frame).
pub fn tables(m: &Machine, cr3: PhysAddr) -> Vec<(u32, Pfn)> {
    (0..1024u32)
        .filter_map(|i| {
            let pde = read_u32(m, (cr3.0 & !ENTRY_FLAGS) + i * 4);
            (pde & PteFlags::PRESENT.bits() != 0).then_some((i << 22, Pfn(pde >> 12)))
        })
        .collect()
}

/// Every present PTE under the directory at `cr3`: (address, raw entry).
pub fn mappings(m: &Machine, cr3: PhysAddr) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for (base, table) in tables(m, cr3) {
        for i in 0..1024u32 {
            let pte = read_u32(m, table.0 * PAGE_SIZE + i * 4);
            if pte & PteFlags::PRESENT.bits() != 0 {
                out.push((base + (i << 12), pte));
            }
        }
    }
    out
}

/// Frees a task's page tables and directory back to the pool.
pub fn destroy(m: &mut Machine, pool: &mut KernelPool, cr3: PhysAddr) {
    for i in 0..1024 {
        let pde = read_u32(m, cr3.0 + i * 4);
        if pde & PteFlags::PRESENT.bits() != 0 {
            pool.free(Pfn(pde >> 12));
        }
    }
    pool.free(Pfn(cr3.0 / PAGE_SIZE));
}
