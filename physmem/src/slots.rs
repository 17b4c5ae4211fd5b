//! A container's slots by offset, in a two-level table like an i386 page table: a directory
//! of leaves, each with one entry per page of 4 MiB of offsets.

use std::fmt;

use crate::container::{Slot, MAX_FRAME_ORDER};
use crate::protocol::PAGE_SIZE;

/// Pages one leaf covers.
const LEAF_PAGES: usize = 1024;

/// The slot starting at each page of a leaf, if any.
type Leaf = [Option<Slot>; LEAF_PAGES];

/// An empty leaf, made in the heap. (`Box::new([None; LEAF_PAGES])` made it on the stack and
/// copied it over: 12 KiB of `memory.copy` in wasm, once per leaf.)
fn empty_leaf() -> Box<Leaf> {
    let entries: Box<[Option<Slot>]> = std::iter::repeat_n(None, LEAF_PAGES).collect();
    match entries.try_into() {
        Ok(leaf) => leaf,
        Err(_) => unreachable!("slots::empty_leaf: LEAF_PAGES entries were made"),
    }
}

/// Slots by the (page aligned) offset of their first page. A lookup is two indexings; a
/// walk in offset order skips the leaves never used. A leaf, once made, stays (allocating
/// and freeing one page again and again does not remake it).
#[derive(Clone, Default)]
pub(crate) struct Slots {
    /// Leaf `l` covers pages `[l * LEAF_PAGES, (l + 1) * LEAF_PAGES)`; the directory grows
    /// up to the highest leaf used.
    leaves: Vec<Option<Box<Leaf>>>,
}

/// The leaf and the entry in it of the page holding offset `off`.
fn position(off: u32) -> (usize, usize) {
    let page = (off / PAGE_SIZE) as usize;
    (page / LEAF_PAGES, page % LEAF_PAGES)
}

/// The byte offset of entry `i` of leaf `l`.
fn offset(l: usize, i: usize) -> u32 {
    (l * LEAF_PAGES + i) as u32 * PAGE_SIZE
}

impl Slots {
    /// The slot starting at `off`, to change it.
    pub fn get_mut(&mut self, off: u32) -> Option<&mut Slot> {
        let (l, i) = position(off);
        self.leaves.get_mut(l)?.as_mut()?[i].as_mut()
    }

    /// The slot covering the page at `off`, as (slot offset, slot), given that slots do not
    /// overlap and each is aligned to its size of at most 2^MAX_FRAME_ORDER pages.
    pub fn covering(&self, off: u32) -> Option<(u32, Slot)> {
        let (l, i) = position(off);
        let leaf = self.leaves.get(l)?.as_ref()?;
        // The slot of order k covering page i starts at i rounded down to 2^k pages; any slot
        // found at such a start that is large enough covers i (no other can start there).
        (0..=MAX_FRAME_ORDER).find_map(|k| {
            let start = i & !((1 << k) - 1);
            let slot = leaf[start].filter(|s| s.order >= k)?;
            Some((offset(l, start), slot))
        })
    }

    /// Put `slot` at `off`, returning the slot that started there before.
    pub fn insert(&mut self, off: u32, slot: Slot) -> Option<Slot> {
        let (l, i) = position(off);
        if self.leaves.len() <= l {
            self.leaves.resize_with(l + 1, || None);
        }
        let leaf = self.leaves[l].get_or_insert_with(empty_leaf);
        leaf[i].replace(slot)
    }

    /// Remove and return the slot starting at `off`.
    pub fn remove(&mut self, off: u32) -> Option<Slot> {
        let (l, i) = position(off);
        self.leaves.get_mut(l)?.as_mut()?[i].take()
    }

    /// The first slot starting in `[start, end)` (byte offsets), as (offset, slot).
    pub fn first_in(&self, start: u64, end: u64) -> Option<(u32, Slot)> {
        // Pages starting in the range.
        let page_from = |off: u64| off.div_ceil(u64::from(PAGE_SIZE)) as usize;
        let (mut page, last) = (page_from(start), page_from(end));
        while page < last {
            let (l, i) = (page / LEAF_PAGES, page % LEAF_PAGES);
            let stop = (last - l * LEAF_PAGES).min(LEAF_PAGES);
            if let Some(leaf) = self.leaves.get(l)?.as_ref() {
                let found = (i..stop).find_map(|i| Some((offset(l, i), leaf[i]?)));
                if found.is_some() {
                    return found;
                }
            }
            page = (l + 1) * LEAF_PAGES;
        }
        None
    }

    /// Every slot, ascending, as (offset, slot).
    pub fn iter(&self) -> impl Iterator<Item = (u32, Slot)> + '_ {
        self.leaves.iter().enumerate().flat_map(|(l, leaf)| {
            let entries = leaf.iter().flat_map(|leaf| leaf.iter().enumerate());
            entries.filter_map(move |(i, slot)| Some((offset(l, i), (*slot)?)))
        })
    }
}

impl fmt::Debug for Slots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(order: u8) -> Slot {
        Slot { order, pfn: None }
    }

    #[test]
    fn slots_come_back_by_offset_and_in_order() {
        let mut s = Slots::default();
        let top = 0xFFFF_F000;
        for off in [top, 0x40_1000, 0, 0x40_0000] {
            assert_eq!(s.insert(off, slot(0)), None);
        }
        assert_eq!(s.insert(0, slot(1)), Some(slot(0)));
        s.get_mut(0x40_0000).unwrap().pfn = Some(7);
        assert_eq!(s.covering(0x40_0000).unwrap().1.pfn, Some(7));
        assert!(s.get_mut(0x1000).is_none() && s.get_mut(0x80_0000).is_none());
        let offsets = s.iter().map(|(o, _)| o).collect::<Vec<_>>();
        assert_eq!(offsets, vec![0, 0x40_0000, 0x40_1000, top]);
        assert_eq!(s.remove(0x40_0000).unwrap().pfn, Some(7));
        assert_eq!(s.remove(0x40_0000), None);
        assert_eq!(
            format!("{s:?}"),
            format!(
                "{{0: {:?}, 4198400: {:?}, 4294963200: {:?}}}",
                slot(1),
                slot(0),
                slot(0)
            )
        );
    }

    #[test]
    fn first_in_looks_only_inside_the_range() {
        let mut s = Slots::default();
        for off in [0x3F_F000, 0x40_1000, 0xFFFF_F000] {
            s.insert(off, slot(0));
        }
        let first = |start, end| s.first_in(start, end).map(|(o, _)| o);
        assert_eq!(first(0, 1 << 32), Some(0x3F_F000));
        assert_eq!(first(0x3F_F001, 1 << 32), Some(0x40_1000));
        assert_eq!(first(0x40_0000, 0x40_1000), None);
        assert_eq!(first(0x40_2000, 1 << 32), Some(0xFFFF_F000));
        assert_eq!(
            (first(0x40_1000, 0x1000), first(1 << 32, 1 << 32)),
            (None, None)
        );
    }

    #[test]
    fn the_covering_slot_is_found_from_any_of_its_pages() {
        let mut s = Slots::default();
        s.insert(0x40_0000, slot(4)); // pages 0x400..0x410
        s.insert(0x41_2000, slot(1)); // pages 0x412..0x414
        for page in 0x400..0x410 {
            assert_eq!(s.covering(page * PAGE_SIZE), Some((0x40_0000, slot(4))));
        }
        assert_eq!(s.covering(0x41_3FFF), Some((0x41_2000, slot(1))));
        assert_eq!(s.covering(0x41_0000), None);
        assert_eq!(s.covering(0x41_4000), None);
        assert_eq!(s.covering(0x3F_F000), None);
    }
}
