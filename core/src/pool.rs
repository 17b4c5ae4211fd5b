//! The kernel's own frames: page directories and page tables come from here,
//! never from physmem, so a task's memory policy cannot evict its page tables.

use serde::{Deserialize, Serialize};

use x86_emu::Pfn;

/// A pool of frames `[first, first+count)` with a free list.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KernelPool {
    first: u32,
    count: u32,
    /// Free frames, lowest handed out first (kept sorted descending so `pop` gives the lowest).
    free: Vec<u32>,
}

impl KernelPool {
    /// A pool owning frames `[first, first+count)`.
    pub fn new(first: u32, count: u32) -> KernelPool {
        KernelPool {
            first,
            count,
            free: (first..first + count).rev().collect(),
        }
    }

    /// Takes a frame; `None` when the pool is empty.
    pub fn alloc(&mut self) -> Option<Pfn> {
        self.free.pop().map(Pfn)
    }

    /// Returns a frame to the pool.
    ///
    /// Panics if the frame is not the pool's or is already free: a broken kernel invariant.
    pub fn free(&mut self, pfn: Pfn) {
        assert!(
            self.owns(pfn),
            "KernelPool::free: frame {} is not the kernel's",
            pfn.0
        );
        assert!(
            !self.free.contains(&pfn.0),
            "KernelPool::free: frame {} freed twice",
            pfn.0
        );
        let at = self.free.partition_point(|&f| f > pfn.0);
        self.free.insert(at, pfn.0);
    }

    /// Whether the frame belongs to the kernel pool.
    pub fn owns(&self, pfn: Pfn) -> bool {
        (self.first..self.first + self.count).contains(&pfn.0)
    }

    /// Frames in the pool.
    pub fn total(&self) -> u32 {
        self.count
    }

    /// Frames not in use.
    pub fn available(&self) -> u32 {
        self.free.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_lowest_first_and_takes_back() {
        let mut p = KernelPool::new(2, 3);
        assert_eq!(p.alloc(), Some(Pfn(2)));
        assert_eq!(p.alloc(), Some(Pfn(3)));
        p.free(Pfn(2));
        assert_eq!(p.alloc(), Some(Pfn(2)));
        assert_eq!(p.alloc(), Some(Pfn(4)));
        assert_eq!(p.alloc(), None);
        assert_eq!(p.available(), 0);
        assert!(!p.owns(Pfn(5)));
    }
}
