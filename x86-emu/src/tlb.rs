//! A software TLB: a direct-mapped cache of translations with the effective permissions.
//! Like the i386 TLB it is not kept coherent with the page tables: only a CR3 load or an
//! INVLPG removes an entry, so a PTE changed in RAM without INVLPG keeps its old translation.
//! Entries are only made by successful user walks, so each holds the combined U/S=1 and the
//! R/W of both levels. A write through an entry without D walks again (to set D, as hardware
//! does); a write through a read-only entry faults from the entry and drops it, as a page
//! fault drops the faulting address's entry on x86.

use crate::addr::{Pfn, Vpn};
use crate::pte::PteFlags;
use serde::{Deserialize, Serialize};

/// Default number of entries (a power of two).
pub const DEFAULT_TLB_ENTRIES: usize = 1024;
const INVALID: u32 = u32::MAX;

/// One slot: the tag is the VPN (or `INVALID`), `frame` the frame's physical base address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Slot {
    pub tag: u32,
    pub frame: u32,
    pub writable: bool,
    pub dirty: bool,
}

const EMPTY: Slot = Slot {
    tag: INVALID,
    frame: 0,
    writable: false,
    dirty: false,
};

/// One cached translation, as shown in the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlbEntry {
    /// The virtual page.
    pub vpn: Vpn,
    /// The frame it translates to.
    pub pfn: Pfn,
    /// Effective permissions: PRESENT | USER, plus WRITABLE and DIRTY when cached so.
    pub flags: PteFlags,
}

/// The translation lookaside buffer with hit and miss counters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tlb {
    slots: Vec<Slot>,
    hits: u64,
    misses: u64,
    flushes: u64,
}

impl Default for Tlb {
    fn default() -> Self {
        Tlb::new(DEFAULT_TLB_ENTRIES)
    }
}

impl Tlb {
    /// An empty TLB of `entries` slots, rounded up to a power of two (at least 1).
    pub fn new(entries: usize) -> Tlb {
        Tlb {
            slots: vec![EMPTY; entries.max(1).next_power_of_two()],
            hits: 0,
            misses: 0,
            flushes: 0,
        }
    }

    /// Number of slots.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Lookups answered from the TLB (data accesses, plus one per block of fetched code).
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// Lookups that needed a page walk (including the re-walk of a first write to a clean page).
    pub fn misses(&self) -> u64 {
        self.misses
    }

    /// Full flushes so far (CR3 loads and explicit flushes).
    pub fn flushes(&self) -> u64 {
        self.flushes
    }

    /// The valid entries, in slot order.
    pub fn entries(&self) -> impl Iterator<Item = TlbEntry> + '_ {
        self.slots
            .iter()
            .filter(|s| s.tag != INVALID)
            .map(|&s| self.entries_of(s))
    }

    /// The cached translation of one page, if any (does not count as a lookup).
    pub fn probe(&self, vpn: Vpn) -> Option<TlbEntry> {
        let s = self.slots[self.index(vpn.0)];
        (s.tag == vpn.0).then(|| self.entries_of(s))
    }

    fn entries_of(&self, s: Slot) -> TlbEntry {
        let mut flags = PteFlags::PRESENT | PteFlags::USER;
        flags.set(PteFlags::WRITABLE, s.writable);
        flags.set(PteFlags::DIRTY, s.dirty);
        TlbEntry {
            vpn: Vpn(s.tag),
            pfn: Pfn(s.frame >> 12),
            flags,
        }
    }

    #[inline(always)]
    fn index(&self, vpn: u32) -> usize {
        vpn as usize & (self.slots.len() - 1)
    }

    /// The slot for `vpn` if it holds `vpn` (hot path; the caller counts hit or miss).
    #[inline(always)]
    pub(crate) fn lookup(&self, vpn: u32) -> Option<&Slot> {
        let s = &self.slots[self.index(vpn)];
        (s.tag == vpn).then_some(s)
    }

    /// A lookup of `vpn` that hits with `frame` (the physical base address): if the slot
    /// holds exactly that, count the hit and return true; otherwise count nothing.
    #[inline(always)]
    pub(crate) fn hit_again(&mut self, vpn: u32, frame: u32) -> bool {
        let hit = matches!(self.lookup(vpn), Some(s) if s.frame == frame);
        self.hits += hit as u64;
        hit
    }

    #[inline(always)]
    pub(crate) fn count_hit(&mut self) {
        self.hits += 1;
    }

    /// Count `n` hits at once.
    #[inline(always)]
    pub(crate) fn count_hits(&mut self, n: u64) {
        self.hits += n;
    }

    pub(crate) fn count_miss(&mut self) {
        self.misses += 1;
    }

    /// Cache a translation (replaces whatever shared its slot).
    pub(crate) fn insert(&mut self, vpn: u32, pfn: Pfn, writable: bool, dirty: bool) {
        let i = self.index(vpn);
        self.slots[i] = Slot {
            tag: vpn,
            frame: pfn.0 << 12,
            writable,
            dirty,
        };
    }

    /// Drop the entry for one page (INVLPG, or a page fault on it).
    pub fn invalidate(&mut self, vpn: Vpn) {
        let i = self.index(vpn.0);
        if self.slots[i].tag == vpn.0 {
            self.slots[i] = EMPTY;
        }
    }

    /// Drop every entry (a CR3 load).
    pub fn flush(&mut self) {
        self.slots.fill(EMPTY);
        self.flushes += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_lookup_invalidate_flush() {
        let mut t = Tlb::new(4);
        t.insert(5, Pfn(9), true, false);
        assert_eq!(t.lookup(5).unwrap().frame, 0x9000);
        assert!(t.lookup(1).is_none(), "same slot, other tag");
        let e: Vec<_> = t.entries().collect();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].vpn, Vpn(5));
        assert!(e[0].flags.contains(PteFlags::WRITABLE));
        t.invalidate(Vpn(1));
        assert!(t.lookup(5).is_some(), "invlpg of another page keeps it");
        t.invalidate(Vpn(5));
        assert!(t.lookup(5).is_none());
        t.insert(6, Pfn(1), false, false);
        t.flush();
        assert_eq!(t.entries().count(), 0);
        assert_eq!(t.flushes(), 1);
    }
}
