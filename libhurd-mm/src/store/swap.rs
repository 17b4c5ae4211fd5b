//! The swap store: pages evicted dirty wait here, one slot each, until they are faulted back.
//!
//! A slot holds the only copy of a page: page-in frees it (the page is then treated as dirty,
//! so it is written again if evicted again).

use std::collections::{BTreeMap, BTreeSet};

use physmem::PAGE_SIZE;

/// Swap slots keyed by the page address they hold.
#[derive(Clone, Debug, Default)]
pub struct SwapStore {
    slots: BTreeMap<u32, (u32, Vec<u8>)>,
    free: BTreeSet<u32>,
    next: u32,
    /// A page buffer a page-in gave back, for the next page-out (no allocation, no zeroing).
    spare: Option<Vec<u8>>,
}

impl SwapStore {
    /// An empty swap store.
    pub fn new() -> SwapStore {
        SwapStore::default()
    }

    /// Store `data` for page `vaddr` (replacing an older copy); returns the slot number.
    pub fn put(&mut self, vaddr: u32, data: Vec<u8>) -> u32 {
        if let Some((slot, old)) = self.slots.get_mut(&vaddr) {
            self.spare = Some(std::mem::replace(old, data));
            return *slot;
        }
        let slot = match self.free.pop_first() {
            Some(s) => s,
            None => {
                self.next += 1;
                self.next - 1
            }
        };
        self.slots.insert(vaddr, (slot, data));
        slot
    }

    /// Take page `vaddr`'s copy out of swap, freeing its slot.
    pub fn take(&mut self, vaddr: u32) -> Option<(u32, Vec<u8>)> {
        let (slot, data) = self.slots.remove(&vaddr)?;
        self.free.insert(slot);
        Some((slot, data))
    }

    /// A buffer of one page to read a page-out into: a recycled one (old bytes, to be
    /// overwritten) or a new one.
    pub fn buffer(&mut self) -> Vec<u8> {
        self.spare
            .take()
            .unwrap_or_else(|| vec![0; PAGE_SIZE as usize])
    }

    /// Gives back a page's buffer once its bytes are in a frame again.
    pub fn recycle(&mut self, buf: Vec<u8>) {
        self.spare = Some(buf);
    }

    /// Whether page `vaddr` is in swap.
    pub fn contains(&self, vaddr: u32) -> bool {
        self.slots.contains_key(&vaddr)
    }

    /// Drop every copy of a page in `[start, end)` (munmap, don't-need).
    pub fn discard_range(&mut self, start: u32, end: u32) {
        let keys: Vec<u32> = self.slots.range(start..end).map(|(&k, _)| k).collect();
        for k in keys {
            self.take(k);
        }
    }

    /// Number of slots in use.
    pub fn used(&self) -> u32 {
        self.slots.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_after_page_in() {
        let mut s = SwapStore::new();
        assert_eq!(s.put(0x4000, vec![1]), 0);
        assert_eq!(s.put(0x5000, vec![2]), 1);
        assert_eq!(s.put(0x4000, vec![3]), 0);
        assert_eq!(s.take(0x4000), Some((0, vec![3])));
        assert_eq!(s.put(0x6000, vec![4]), 0);
        assert_eq!(s.used(), 2);
        s.discard_range(0x5000, 0x7000);
        assert_eq!(s.used(), 0);
    }
}
