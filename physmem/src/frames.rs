//! The frame allocator: a buddy allocator over the frames physmem was handed at boot.
//!
//! A block of order k is 2^k physically contiguous frames whose first frame number is a
//! multiple of 2^k. Free blocks are always fully coalesced, so the free lists are a function
//! of the set of free frames alone (a refused request that allocated and freed again leaves
//! them exactly as they were). Lowest addresses are handed out first, for determinism.
//!
//! The free lists are bitmaps (one bit per possible block of each order), and a bitmap of
//! free frames answers "is this frame free?" in one lookup.

use crate::bitmap::Bitmap;

/// The largest block the allocator keeps (2^10 frames = 4 MiB).
pub const MAX_BUDDY_ORDER: u8 = 10;

/// A buddy allocator over an arbitrary set of frame numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FrameAllocator {
    /// Every frame physmem owns (the rest of RAM is the kernel's).
    owned: Bitmap,
    /// Free blocks by order: member `i` of list k is the block starting at frame `i << k`.
    free: [Bitmap; MAX_BUDDY_ORDER as usize + 1],
    /// Every free frame (the frames of all free blocks).
    free_frames: Bitmap,
    /// One more than the highest frame owned.
    limit: u32,
}

fn block(order: u8) -> u32 {
    1 << order
}

impl FrameAllocator {
    /// An allocator owning `frames`, all free.
    pub fn new(frames: impl IntoIterator<Item = u32>) -> FrameAllocator {
        let frames: Vec<u32> = frames.into_iter().collect();
        let limit = frames.iter().max().map_or(0, |&p| p + 1);
        let mut a = FrameAllocator {
            owned: Bitmap::new(limit),
            free: std::array::from_fn(|k| Bitmap::new((limit >> k) + 1)),
            free_frames: Bitmap::new(limit),
            limit,
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
        self.owned.len()
    }

    /// One more than the highest frame owned: every owned frame is below it.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Frames free now.
    pub fn free_count(&self) -> u32 {
        self.free_frames.len()
    }

    /// Whether physmem owns this frame.
    pub fn owns(&self, pfn: u32) -> bool {
        self.owned.contains(pfn)
    }

    /// Every owned frame, ascending.
    pub fn owned(&self) -> impl Iterator<Item = u32> + '_ {
        self.owned.iter()
    }

    /// Whether the block of order `k` starting at `base` is free.
    fn is_free_block(&self, base: u32, k: u8) -> bool {
        self.free[usize::from(k)].contains(base >> k)
    }

    /// Put the block of order `k` at `base` on its free list.
    #[inline]
    fn add_block(&mut self, base: u32, k: u8) {
        self.free[usize::from(k)].insert(base >> k);
    }

    /// Take the block of order `k` at `base` off its free list. Returns whether it was there.
    #[inline]
    fn take_block(&mut self, base: u32, k: u8) -> bool {
        self.free[usize::from(k)].remove(base >> k)
    }

    /// The free block containing `pfn`, as (first frame, order).
    fn free_block_of(&self, pfn: u32) -> Option<(u32, u8)> {
        (0..=MAX_BUDDY_ORDER).find_map(|k| {
            let base = pfn & !(block(k) - 1);
            self.is_free_block(base, k).then_some((base, k))
        })
    }

    /// Whether `pfn` is free.
    pub fn is_free(&self, pfn: u32) -> bool {
        self.free_frames.contains(pfn)
    }

    /// Take a block of 2^order contiguous, aligned frames: from the smallest order that has
    /// a free block, its lowest one.
    pub fn alloc(&mut self, order: u8) -> Option<u32> {
        let k = (order..=MAX_BUDDY_ORDER).find(|&k| self.free[usize::from(k)].len() > 0)?;
        let base = self.free[usize::from(k)].first()? << k;
        self.take_block(base, k);
        // Split down, giving the upper halves back.
        for j in (order..k).rev() {
            self.add_block(base + block(j), j);
        }
        for pfn in base..base + block(order) {
            self.free_frames.remove(pfn);
        }
        Some(base)
    }

    /// Take the one free frame `pfn` out of the free lists (compaction claims a window).
    /// Returns false if it was not free.
    pub fn take(&mut self, pfn: u32) -> bool {
        if !self.free_frames.remove(pfn) {
            return false;
        }
        let (mut base, mut k) = self
            .free_block_of(pfn)
            .expect("FrameAllocator::take: free frame in no free block");
        self.take_block(base, k);
        while k > 0 {
            k -= 1;
            let upper = base + block(k);
            // Keep the half without `pfn` free, descend into the other.
            if pfn >= upper {
                self.add_block(base, k);
                base = upper;
            } else {
                self.add_block(upper, k);
            }
        }
        true
    }

    /// Give one frame back, coalescing with its buddies.
    pub fn free(&mut self, pfn: u32) {
        if !self.owns(pfn) || self.is_free(pfn) {
            panic!("FrameAllocator::free: frame {pfn:#x} is not an allocated frame of physmem");
        }
        let (mut base, mut k) = (pfn, 0u8);
        while k < MAX_BUDDY_ORDER && self.take_block(base ^ block(k), k) {
            base &= !block(k);
            k += 1;
        }
        self.add_block(base, k);
        self.free_frames.insert(pfn);
    }

    /// Give back every frame of a block.
    pub fn free_block(&mut self, base: u32, order: u8) {
        for pfn in base..base + block(order) {
            self.free(pfn);
        }
    }

    /// Check the free lists: owned, disjoint, coalesced, and the same frames as the free-frame
    /// bitmap. (Blocks are aligned by construction: a list holds block numbers.)
    pub fn check(&self) -> Result<(), String> {
        let mut seen = Bitmap::new(self.limit);
        for (k, list) in self.free.iter().enumerate() {
            let k = k as u8;
            for base in list.iter().map(|i| i << k) {
                if k < MAX_BUDDY_ORDER && self.is_free_block(base ^ block(k), k) {
                    return Err(format!("free block {base:#x} of order {k} not coalesced"));
                }
                for pfn in base..base + block(k) {
                    if !self.owns(pfn) {
                        return Err(format!("free frame {pfn:#x} is not physmem's"));
                    }
                    if !seen.insert(pfn) {
                        return Err(format!("frame {pfn:#x} is free twice"));
                    }
                }
            }
        }
        if seen != self.free_frames {
            return Err(format!(
                "{} frames marked free but {} in free blocks",
                self.free_frames.len(),
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
        assert_eq!(
            a.free[4].iter().map(|i| i << 4).collect::<Vec<_>>(),
            vec![16, 32]
        );
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
