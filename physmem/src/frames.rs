//! The frame allocator: a buddy allocator over the frames physmem was handed at boot.
//!
//! A block of order k is 2^k physically contiguous frames whose first frame number is a
//! multiple of 2^k. Free blocks are always fully coalesced, so the free lists are a function
//! of the set of free frames alone (a refused request that allocated and freed again leaves
//! them exactly as they were). Lowest addresses are handed out first, for determinism.

use std::collections::BTreeSet;

/// The largest block the allocator keeps (2^10 frames = 4 MiB).
pub const MAX_BUDDY_ORDER: u8 = 10;

/// A buddy allocator over an arbitrary set of frame numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FrameAllocator {
    /// Every frame physmem owns (the rest of RAM is the kernel's).
    owned: BTreeSet<u32>,
    /// Free blocks by order: their first frame numbers.
    free: Vec<BTreeSet<u32>>,
    /// Free frames in all blocks.
    free_count: u32,
}

fn block(order: u8) -> u32 {
    1 << order
}

impl FrameAllocator {
    /// An allocator owning `frames`, all free.
    pub fn new(frames: impl IntoIterator<Item = u32>) -> FrameAllocator {
        let mut a = FrameAllocator {
            owned: BTreeSet::new(),
            free: vec![BTreeSet::new(); usize::from(MAX_BUDDY_ORDER) + 1],
            free_count: 0,
        };
        for pfn in frames {
            if a.owned.insert(pfn) {
                a.free(pfn);
            }
        }
        a
    }

    /// Frames owned in all.
    pub fn total(&self) -> u32 {
        self.owned.len() as u32
    }

    /// Frames free now.
    pub fn free_count(&self) -> u32 {
        self.free_count
    }

    /// Whether physmem owns this frame.
    pub fn owns(&self, pfn: u32) -> bool {
        self.owned.contains(&pfn)
    }

    /// Every owned frame, ascending.
    pub fn owned(&self) -> impl Iterator<Item = u32> + '_ {
        self.owned.iter().copied()
    }

    /// The free block containing `pfn`, as (first frame, order).
    fn free_block_of(&self, pfn: u32) -> Option<(u32, u8)> {
        (0..=MAX_BUDDY_ORDER).find_map(|k| {
            let base = pfn & !(block(k) - 1);
            self.free[usize::from(k)]
                .contains(&base)
                .then_some((base, k))
        })
    }

    /// Whether `pfn` is free.
    pub fn is_free(&self, pfn: u32) -> bool {
        self.free_block_of(pfn).is_some()
    }

    /// Take a block of 2^order contiguous, aligned frames, lowest address first.
    pub fn alloc(&mut self, order: u8) -> Option<u32> {
        let k = (order..=MAX_BUDDY_ORDER).find(|&k| !self.free[usize::from(k)].is_empty())?;
        let base = self.free[usize::from(k)].pop_first()?;
        // Split down, giving the upper halves back.
        for j in (order..k).rev() {
            self.free[usize::from(j)].insert(base + block(j));
        }
        self.free_count -= block(order);
        Some(base)
    }

    /// Take the one free frame `pfn` out of the free lists (compaction claims a window).
    /// Returns false if it was not free.
    pub fn take(&mut self, pfn: u32) -> bool {
        let Some((mut base, mut k)) = self.free_block_of(pfn) else {
            return false;
        };
        self.free[usize::from(k)].remove(&base);
        while k > 0 {
            k -= 1;
            let upper = base + block(k);
            // Keep the half without `pfn` free, descend into the other.
            if pfn >= upper {
                self.free[usize::from(k)].insert(base);
                base = upper;
            } else {
                self.free[usize::from(k)].insert(upper);
            }
        }
        self.free_count -= 1;
        true
    }

    /// Give one frame back, coalescing with its buddies.
    pub fn free(&mut self, pfn: u32) {
        if !self.owned.contains(&pfn) || self.is_free(pfn) {
            panic!("FrameAllocator::free: frame {pfn:#x} is not an allocated frame of physmem");
        }
        let (mut base, mut k) = (pfn, 0u8);
        while k < MAX_BUDDY_ORDER && self.free[usize::from(k)].remove(&(base ^ block(k))) {
            base &= !block(k);
            k += 1;
        }
        self.free[usize::from(k)].insert(base);
        self.free_count += 1;
    }

    /// Give back every frame of a block.
    pub fn free_block(&mut self, base: u32, order: u8) {
        for pfn in base..base + block(order) {
            self.free(pfn);
        }
    }

    /// Check the free lists: aligned, owned, disjoint, coalesced, and counted right.
    pub fn check(&self) -> Result<(), String> {
        let mut seen = BTreeSet::new();
        for (k, list) in self.free.iter().enumerate() {
            let k = k as u8;
            for &base in list {
                if base & (block(k) - 1) != 0 {
                    return Err(format!("free block {base:#x} of order {k} is misaligned"));
                }
                if k < MAX_BUDDY_ORDER && list.contains(&(base ^ block(k))) {
                    return Err(format!("free block {base:#x} of order {k} not coalesced"));
                }
                for pfn in base..base + block(k) {
                    if !self.owned.contains(&pfn) {
                        return Err(format!("free frame {pfn:#x} is not physmem's"));
                    }
                    if !seen.insert(pfn) {
                        return Err(format!("frame {pfn:#x} is free twice"));
                    }
                }
            }
        }
        if seen.len() as u32 != self.free_count {
            return Err(format!(
                "free count {} but {} frames free",
                self.free_count,
                seen.len()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalesces_to_the_largest_blocks() {
        let a = FrameAllocator::new(16..48);
        assert_eq!(a.free_count(), 32);
        assert_eq!(a.free[4].iter().copied().collect::<Vec<_>>(), vec![16, 32]);
        a.check().unwrap();
    }

    #[test]
    fn alloc_is_aligned_and_splits() {
        let mut a = FrameAllocator::new(0..16);
        assert_eq!(a.alloc(0), Some(0));
        assert_eq!(a.alloc(2), Some(4));
        assert_eq!(a.alloc(3), Some(8));
        assert_eq!(a.alloc(3), None);
        assert_eq!(a.free_count(), 3);
        a.check().unwrap();
        a.free(0);
        a.free_block(4, 2);
        a.free_block(8, 3);
        assert_eq!(a, FrameAllocator::new(0..16));
    }

    #[test]
    fn scattered_frames_work() {
        let mut a = FrameAllocator::new([3, 5, 6, 7, 100]);
        assert_eq!(a.alloc(1), Some(6));
        assert_eq!(a.alloc(1), None);
        assert_eq!(a.alloc(0), Some(3));
        a.check().unwrap();
    }

    #[test]
    fn take_claims_one_frame() {
        let mut a = FrameAllocator::new(0..8);
        assert!(a.take(5));
        assert!(!a.take(5));
        assert!(!a.is_free(5));
        assert_eq!(a.free_count(), 7);
        a.check().unwrap();
        a.free(5);
        assert_eq!(a, FrameAllocator::new(0..8));
    }

    #[test]
    #[should_panic(expected = "FrameAllocator::free")]
    fn double_free_is_an_invariant_violation() {
        let mut a = FrameAllocator::new(0..2);
        a.free(1);
    }
}
