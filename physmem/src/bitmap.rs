//! A set of small integers as bits, with one summary bit per word so the lowest member is
//! found without scanning every word (the buddy allocator's free lists, the owned frames).

use std::fmt;

/// A set of integers below a capacity fixed at creation.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Bitmap {
    /// Bit `i % 64` of word `i / 64`: whether `i` is a member.
    words: Vec<u64>,
    /// Bit `w % 64` of summary word `w / 64`: whether word `w` has a member.
    summary: Vec<u64>,
    /// Members.
    len: u32,
}

impl Bitmap {
    /// An empty set that can hold `0..capacity`.
    pub fn new(capacity: u32) -> Bitmap {
        let words = capacity.div_ceil(64) as usize;
        Bitmap {
            words: vec![0; words],
            summary: vec![0; words.div_ceil(64)],
            len: 0,
        }
    }

    /// Number of members.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether `i` is a member (false beyond the capacity).
    pub fn contains(&self, i: u32) -> bool {
        self.words
            .get((i / 64) as usize)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Add `i` (below the capacity). Returns whether it was new.
    pub fn insert(&mut self, i: u32) -> bool {
        let (w, bit) = ((i / 64) as usize, 1 << (i % 64));
        if self.words[w] & bit != 0 {
            return false;
        }
        self.words[w] |= bit;
        self.summary[w / 64] |= 1 << (w % 64);
        self.len += 1;
        true
    }

    /// Take `i` out. Returns whether it was a member.
    pub fn remove(&mut self, i: u32) -> bool {
        if !self.contains(i) {
            return false;
        }
        let w = (i / 64) as usize;
        self.words[w] &= !(1 << (i % 64));
        if self.words[w] == 0 {
            self.summary[w / 64] &= !(1 << (w % 64));
        }
        self.len -= 1;
        true
    }

    /// The lowest member.
    pub fn first(&self) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let (s, bits) = self.summary.iter().enumerate().find(|(_, &b)| b != 0)?;
        let w = s * 64 + bits.trailing_zeros() as usize;
        Some(w as u32 * 64 + self.words[w].trailing_zeros())
    }

    /// Every member, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                let b = (bits != 0).then(|| bits.trailing_zeros())?;
                bits &= bits - 1;
                Some(w as u32 * 64 + b)
            })
        })
    }
}

impl fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_come_out_lowest_first() {
        let mut b = Bitmap::new(5000);
        assert_eq!(b.first(), None);
        for i in [4999, 64, 4096, 65] {
            assert!(b.insert(i));
        }
        assert!(!b.insert(64));
        assert_eq!((b.len(), b.first()), (4, Some(64)));
        assert!(b.remove(64));
        assert!(!b.remove(64));
        assert_eq!(b.first(), Some(65));
        b.remove(65);
        assert_eq!(b.first(), Some(4096));
        assert_eq!(b.iter().collect::<Vec<_>>(), vec![4096, 4999]);
        assert!(!b.contains(5000) && !b.contains(u32::MAX));
        assert_eq!(format!("{b:?}"), "{4096, 4999}");
    }
}
