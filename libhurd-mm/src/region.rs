//! The address-space map: a sorted set of non-overlapping regions, each with its protection,
//! its backing store and the hints the workload gave for it.
//!
//! Invariant: regions are page aligned, non-empty, inside `[USER_BASE, USER_TOP)`, and never
//! overlap. Every operation that would break it is refused before anything changes.

use crate::error::MmError;
use crate::store::Backing;
use physmem::{Rights, PAGE_SIZE};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where first-fit placement of `mmap` starts (as in the 2005 libhurd-mm).
pub const MMAP_BASE: u32 = 0x4000;
/// First address a region may use: page 0 stays unmapped so a null pointer faults.
pub const USER_BASE: u32 = 0x1000;
/// First address of the kernel-reserved top of every address space.
pub const USER_TOP: u32 = 0xC000_0000;

/// The page that holds `addr`.
pub fn page_of(addr: u32) -> u32 {
    addr & !(PAGE_SIZE - 1)
}

/// Round `len` up to whole pages; `None` if that overflows.
pub fn round_up(len: u32) -> Option<u32> {
    len.checked_add(PAGE_SIZE - 1).map(page_of)
}

/// Check `addr`/`len` and return the page-rounded end of the range.
///
/// # Errors
/// `Unaligned`, `EmptyLength` or `Overflow`.
pub fn checked_range(addr: u32, len: u32) -> Result<u32, MmError> {
    if addr % PAGE_SIZE != 0 {
        return Err(MmError::Unaligned(addr));
    }
    if len == 0 {
        return Err(MmError::EmptyLength);
    }
    round_up(len)
        .and_then(|l| addr.checked_add(l))
        .ok_or(MmError::Overflow { start: addr, len })
}

/// Protection of a region: r=4, w=2, x=1, the same bits as an L4 fpage.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Prot(pub u8);

impl Prot {
    /// No access.
    pub const NONE: Prot = Prot(0);
    /// Readable.
    pub const R: Prot = Prot(4);
    /// Writable.
    pub const W: Prot = Prot(2);
    /// Executable.
    pub const X: Prot = Prot(1);
    /// Read and write.
    pub const RW: Prot = Prot(6);
    /// Read and execute (program text).
    pub const RX: Prot = Prot(5);
    /// Read, write and execute.
    pub const RWX: Prot = Prot(7);
    /// Readable (same as `R`).
    pub const READ: Prot = Prot::R;
    /// Writable (same as `W`).
    pub const WRITE: Prot = Prot::W;
    /// Executable (same as `X`).
    pub const EXEC: Prot = Prot::X;

    /// Protection from gate bits.
    ///
    /// # Errors
    /// `BadProt` if a bit other than r, w, x is set.
    pub fn from_bits(bits: u32) -> Result<Prot, MmError> {
        if bits > 7 {
            return Err(MmError::BadProt(bits));
        }
        Ok(Prot(bits as u8))
    }
    /// Whether every bit of `other` is set.
    pub fn contains(self, other: Prot) -> bool {
        self.0 & other.0 == other.0
    }
    /// The rights to ask physmem for when mapping a page of this region.
    pub fn rights(self) -> Rights {
        Rights(self.0)
    }
}

impl std::ops::BitOr for Prot {
    type Output = Prot;
    fn bitor(self, rhs: Prot) -> Prot {
        Prot(self.0 | rhs.0)
    }
}

impl fmt::Display for Prot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bit = |b: Prot, c: char| if self.contains(b) { c } else { '-' };
        write!(
            f,
            "{}{}{}",
            bit(Prot::R, 'r'),
            bit(Prot::W, 'w'),
            bit(Prot::X, 'x')
        )
    }
}

/// What backs a region's pages, as the UI and mmap see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegionKind {
    /// Anonymous memory: zero on first touch, written to swap when evicted dirty.
    Anonymous,
    /// Anonymous memory the workload can regenerate: dropped, never written out, when evicted.
    Discardable,
    /// Program image (text, data, bss): filled from the image on first touch.
    Image,
    /// A shared mapping of a file: the file server's cached frames.
    SharedFile,
    /// A private mapping of a file: copy-on-write copies, the task's own.
    PrivateFile,
}

/// One region of the address space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// First address (page aligned).
    pub start: u32,
    /// End, exclusive (page aligned).
    pub end: u32,
    /// Protection.
    pub prot: Prot,
    /// Name shown to students ("text", "anonymous", ...).
    pub name: String,
    /// Backing store.
    pub backing: Backing,
    /// Eviction priority for the application-directed policy: lowest goes first.
    pub priority: i32,
    /// Read-once hint: evict these pages first once used.
    pub read_once: bool,
}

impl Region {
    /// Whether `addr` lies inside.
    pub fn contains(&self, addr: u32) -> bool {
        self.start <= addr && addr < self.end
    }
    /// The region's kind.
    pub fn kind(&self) -> RegionKind {
        self.backing.kind()
    }
    /// Split at `at` (strictly inside, page aligned): `self` keeps the low part, returns the high.
    fn split_off(&mut self, at: u32) -> Region {
        let backing = self.backing.split_off(at - self.start);
        let high = Region {
            start: at,
            backing,
            ..self.clone()
        };
        self.end = at;
        high
    }
}

/// What the UI shows of a region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionInfo {
    /// First address.
    pub start: u32,
    /// End, exclusive.
    pub end: u32,
    /// Protection as "rwx".
    pub prot: String,
    /// Backing kind.
    pub kind: RegionKind,
    /// Name.
    pub name: String,
    /// Eviction priority.
    pub priority: i32,
    /// Read-once hint.
    pub read_once: bool,
}

impl From<&Region> for RegionInfo {
    fn from(r: &Region) -> RegionInfo {
        RegionInfo {
            start: r.start,
            end: r.end,
            prot: r.prot.to_string(),
            kind: r.kind(),
            name: r.name.clone(),
            priority: r.priority,
            read_once: r.read_once,
        }
    }
}

/// The address-space map: its regions, sorted by start (a few, searched by bisection).
#[derive(Clone, Debug, Default)]
pub struct AddressSpace {
    regions: Vec<Region>,
}

impl AddressSpace {
    /// An empty address space.
    pub fn new() -> AddressSpace {
        AddressSpace::default()
    }

    /// Index of the first region starting at or above `addr`.
    fn first_from(&self, addr: u32) -> usize {
        self.regions.partition_point(|r| r.start < addr)
    }

    /// The region holding `addr`.
    pub fn find(&self, addr: u32) -> Option<&Region> {
        let below = self.regions.partition_point(|r| r.start <= addr);
        self.regions[..below].last().filter(|r| r.contains(addr))
    }

    /// All regions in address order.
    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    /// The first region overlapping `[start, end)`.
    pub fn first_overlap(&self, start: u32, end: u32) -> Option<&Region> {
        if let Some(r) = self.find(start) {
            return Some(r);
        }
        self.regions
            .get(self.first_from(start))
            .filter(|r| r.start < end)
    }

    /// Lowest address `>= base` where `len` bytes (page multiple) fit below `USER_TOP`.
    pub fn first_fit(&self, base: u32, len: u32) -> Option<u32> {
        let mut cand = base.max(USER_BASE);
        for r in &self.regions {
            if r.end <= cand {
                continue;
            }
            if r.start >= cand && r.start - cand >= len {
                return Some(cand);
            }
            cand = cand.max(r.end);
        }
        (USER_TOP.checked_sub(cand)? >= len).then_some(cand)
    }

    /// Add a region.
    ///
    /// # Errors
    /// `Reserved` outside `[USER_BASE, USER_TOP)`, `Overlap` if it overlaps a region.
    pub fn insert(&mut self, region: Region) -> Result<(), MmError> {
        let (start, end) = (region.start, region.end);
        if start < USER_BASE || end > USER_TOP || start >= end {
            return Err(MmError::Reserved {
                start,
                end,
                low: USER_BASE,
                high: USER_TOP,
            });
        }
        if let Some(o) = self.first_overlap(start, end) {
            return Err(MmError::Overlap {
                start,
                end,
                name: o.name.clone(),
                other_start: o.start,
                other_end: o.end,
            });
        }
        let at = self.first_from(start);
        self.regions.insert(at, region);
        Ok(())
    }

    /// Make `at` a region boundary if it falls strictly inside a region.
    pub fn split_at(&mut self, at: u32) {
        let next = self.first_from(at);
        let Some(r) = next.checked_sub(1).map(|i| &mut self.regions[i]) else {
            return;
        };
        if at < r.end {
            let high = r.split_off(at);
            self.regions.insert(next, high);
        }
    }

    /// Whether every page of `[start, end)` is inside some region; else the first hole.
    pub fn first_hole(&self, start: u32, end: u32) -> Option<u32> {
        let mut at = start;
        while at < end {
            match self.find(at) {
                Some(r) => at = r.end,
                None => return Some(at),
            }
        }
        None
    }

    /// The regions inside `[start, end)` after splitting at both ends, for changing hints.
    pub fn range_mut(&mut self, start: u32, end: u32) -> impl Iterator<Item = &mut Region> {
        self.split_at(start);
        self.split_at(end);
        let (from, to) = (self.first_from(start), self.first_from(end));
        self.regions[from..to].iter_mut()
    }

    /// Remove `[start, end)` (page aligned), splitting regions that straddle its ends.
    pub fn remove_range(&mut self, start: u32, end: u32) -> Vec<Region> {
        self.split_at(start);
        self.split_at(end);
        let (from, to) = (self.first_from(start), self.first_from(end));
        self.regions.drain(from..to).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn anon(start: u32, len: u32) -> Region {
        Region {
            start,
            end: start + len,
            prot: Prot::RW,
            name: "anonymous".into(),
            backing: Backing::Anonymous,
            priority: 0,
            read_once: false,
        }
    }

    #[test]
    fn first_fit_starts_at_mmap_base_and_fills_holes() {
        let mut s = AddressSpace::new();
        assert_eq!(s.first_fit(MMAP_BASE, 0x2000), Some(0x4000));
        s.insert(anon(0x4000, 0x1000)).unwrap();
        s.insert(anon(0x7000, 0x1000)).unwrap();
        assert_eq!(s.first_fit(MMAP_BASE, 0x2000), Some(0x5000));
        assert_eq!(s.first_fit(MMAP_BASE, 0x3000), Some(0x8000));
        assert_eq!(s.first_fit(MMAP_BASE, USER_TOP), None);
    }

    #[test]
    fn overlap_and_reserved_space_are_refused() {
        let mut s = AddressSpace::new();
        s.insert(anon(0x4000, 0x2000)).unwrap();
        assert!(matches!(
            s.insert(anon(0x5000, 0x2000)),
            Err(MmError::Overlap { .. })
        ));
        assert!(matches!(
            s.insert(anon(0x3000, 0x2000)),
            Err(MmError::Overlap { .. })
        ));
        assert!(matches!(
            s.insert(anon(0, 0x1000)),
            Err(MmError::Reserved { .. })
        ));
        assert!(matches!(
            s.insert(anon(USER_TOP - 0x1000, 0x2000)),
            Err(MmError::Reserved { .. })
        ));
    }

    #[test]
    fn remove_range_splits_a_region_in_three() {
        let mut s = AddressSpace::new();
        s.insert(anon(0x4000, 0x4000)).unwrap();
        let gone = s.remove_range(0x5000, 0x6000);
        assert_eq!(gone.len(), 1);
        assert_eq!((gone[0].start, gone[0].end), (0x5000, 0x6000));
        let left: Vec<(u32, u32)> = s.iter().map(|r| (r.start, r.end)).collect();
        assert_eq!(left, [(0x4000, 0x5000), (0x6000, 0x8000)]);
        assert!(s.find(0x5800).is_none());
        assert_eq!(s.first_hole(0x4000, 0x8000), Some(0x5000));
    }

    #[test]
    fn checked_range_rejects_bad_arguments() {
        assert_eq!(checked_range(0x4001, 1), Err(MmError::Unaligned(0x4001)));
        assert_eq!(checked_range(0x4000, 0), Err(MmError::EmptyLength));
        assert!(matches!(
            checked_range(0xFFFF_F000, 0x2000),
            Err(MmError::Overflow { .. })
        ));
        assert_eq!(checked_range(0x4000, 1), Ok(0x5000));
    }

    #[derive(Clone, Debug)]
    enum Op {
        Map(u8),
        Fixed(u16, u8),
        Unmap(u16, u8),
        Mark(u16, u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1u8..8).prop_map(Op::Map),
            (0u16..64, 1u8..8).prop_map(|(a, l)| Op::Fixed(a, l)),
            (0u16..64, 1u8..8).prop_map(|(a, l)| Op::Unmap(a, l)),
            (0u16..64, 1u8..8).prop_map(|(a, l)| Op::Mark(a, l)),
        ]
    }

    proptest! {
        #[test]
        fn regions_never_overlap_and_unmap_and_hints_cover_exact_ranges(ops in proptest::collection::vec(op(), 1..40)) {
            let mut s = AddressSpace::new();
            // A model: which pages (index from MMAP_BASE) are covered, and their priority.
            let mut model = [false; 400];
            let mut priority = [0; 400];
            let page = |i: u32| MMAP_BASE + i * PAGE_SIZE;
            for o in ops {
                match o {
                    Op::Map(l) => {
                        let len = u32::from(l) * PAGE_SIZE;
                        let at = s.first_fit(MMAP_BASE, len).unwrap();
                        // First fit: no lower gap of that size exists in the model.
                        let first = (at - MMAP_BASE) / PAGE_SIZE;
                        for i in 0..first as usize {
                            let free = (i..i + l as usize).all(|j| !model[j]);
                            prop_assert!(!free, "a lower gap at page {} was skipped", i);
                        }
                        s.insert(anon(at, len)).unwrap();
                        for j in first..first + u32::from(l) { model[j as usize] = true; priority[j as usize] = 0; }
                    }
                    Op::Fixed(a, l) => {
                        let (a, l) = (u32::from(a), u32::from(l));
                        let ok = s.insert(anon(page(a), l * PAGE_SIZE)).is_ok();
                        let free = (a..a + l).all(|j| !model[j as usize]);
                        prop_assert_eq!(ok, free);
                        if ok { for j in a..a + l { model[j as usize] = true; priority[j as usize] = 0; } }
                    }
                    Op::Unmap(a, l) => {
                        let (a, l) = (u32::from(a), u32::from(l));
                        s.remove_range(page(a), page(a + l));
                        for j in a..a + l { model[j as usize] = false; }
                    }
                    Op::Mark(a, l) => {
                        let (a, l) = (u32::from(a), u32::from(l));
                        s.range_mut(page(a), page(a + l)).for_each(|r| r.priority = (a + 1) as i32);
                        for j in a..a + l { priority[j as usize] = (a + 1) as i32; }
                    }
                }
                let mut prev_end = 0;
                for r in s.iter() {
                    prop_assert!(r.start < r.end);
                    prop_assert!(r.start >= prev_end, "overlap at {:#x}", r.start);
                    prev_end = r.end;
                }
                for (i, &covered) in model.iter().enumerate() {
                    let found = s.find(page(i as u32));
                    prop_assert_eq!(found.is_some(), covered);
                    if let Some(r) = found {
                        prop_assert_eq!(r.priority, priority[i], "page {}", i);
                    }
                }
            }
        }
    }
}
