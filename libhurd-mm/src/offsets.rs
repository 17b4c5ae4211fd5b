//! The container offsets a task holds, with the lowest free one found in O(log n): the
//! pager allocates there so the container stays compact, and must not scan every held
//! offset on each fault.

use std::collections::BTreeSet;

use physmem::PAGE_SIZE;

/// A set of page-aligned container offsets.
#[derive(Clone, Debug, Default)]
pub(crate) struct Offsets {
    /// Every offset at or above `top` is free.
    top: u32,
    /// The free offsets below `top`.
    holes: BTreeSet<u32>,
    /// How many offsets are held.
    len: usize,
}

impl Offsets {
    /// How many offsets are held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `offset` is held.
    pub fn contains(&self, offset: u32) -> bool {
        offset < self.top && !self.holes.contains(&offset)
    }

    /// The lowest offset not held.
    pub fn lowest_free(&self) -> u32 {
        self.holes.first().copied().unwrap_or(self.top)
    }

    /// Holds `offset`; false if it already was.
    pub fn insert(&mut self, offset: u32) -> bool {
        if offset >= self.top {
            self.holes
                .extend((self.top..offset).step_by(PAGE_SIZE as usize));
            self.top = offset + PAGE_SIZE;
        } else if !self.holes.remove(&offset) {
            return false;
        }
        self.len += 1;
        true
    }

    /// Frees `offset`; false if it was not held.
    pub fn remove(&mut self, offset: u32) -> bool {
        if !self.contains(offset) {
            return false;
        }
        self.len -= 1;
        if offset + PAGE_SIZE == self.top {
            self.top = offset;
            while let Some(&last) = self.holes.last() {
                if last + PAGE_SIZE != self.top {
                    break;
                }
                self.holes.pop_last();
                self.top = last;
            }
        } else {
            self.holes.insert(offset);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Against a plain set: same membership, same length, and the lowest free offset.
        #[test]
        fn behaves_like_a_set(ops in proptest::collection::vec((any::<bool>(), 0u32..64), 0..300)) {
            let (mut o, mut model) = (Offsets::default(), BTreeSet::new());
            for (insert, page) in ops {
                let off = page * PAGE_SIZE;
                if insert {
                    prop_assert_eq!(o.insert(off), model.insert(off));
                } else {
                    prop_assert_eq!(o.remove(off), model.remove(&off));
                }
                prop_assert_eq!(o.len(), model.len());
                let lowest = (0..).map(|p| p * PAGE_SIZE).find(|x| !model.contains(x)).unwrap();
                prop_assert_eq!(o.lowest_free(), lowest);
                for p in 0..66 {
                    prop_assert_eq!(o.contains(p * PAGE_SIZE), model.contains(&(p * PAGE_SIZE)));
                }
            }
        }
    }
}
