//! The frames charged to one control capability, in bind order.

use std::fmt;

/// One charged frame, or the gap it left when it was uncharged.
#[derive(Clone, Copy)]
struct Entry {
    /// Bind sequence number.
    seq: u64,
    pfn: u32,
    /// False once uncharged: a gap, until the next sweep.
    live: bool,
}

impl Entry {
    fn key(&self) -> (u64, u32) {
        (self.seq, self.pfn)
    }
}

/// A set of (bind sequence number, pfn), in ascending order.
///
/// Binds take ever larger sequence numbers, so charging is nearly always an append (a
/// charge moved from another control capability may land in the middle). Uncharging finds
/// the entry by binary search and leaves a gap; gaps are swept out once they outnumber the
/// charges, so every operation is cheap on average.
#[derive(Clone, Default)]
pub(crate) struct Charges {
    /// Ascending by (seq, pfn), gaps included.
    entries: Vec<Entry>,
    /// Charges (entries that are not gaps).
    len: u32,
}

impl Charges {
    /// How many frames are charged.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether no frame is charged.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Charge `pfn`, bound with sequence number `seq`. Returns false if it already was.
    pub fn insert(&mut self, seq: u64, pfn: u32) -> bool {
        let entry = Entry {
            seq,
            pfn,
            live: true,
        };
        if self.entries.last().is_none_or(|e| e.key() < entry.key()) {
            self.entries.push(entry);
        } else {
            match self.find(entry.key()) {
                Ok(i) if self.entries[i].live => return false,
                Ok(i) => self.entries[i].live = true,
                Err(i) => self.entries.insert(i, entry),
            }
        }
        self.len += 1;
        true
    }

    /// Uncharge `pfn`, bound with sequence number `seq`. Returns false if it was not charged.
    pub fn remove(&mut self, seq: u64, pfn: u32) -> bool {
        let Ok(i) = self.find((seq, pfn)) else {
            return false;
        };
        if !self.entries[i].live {
            return false;
        }
        self.entries[i].live = false;
        self.len -= 1;
        if self.entries.len() > 2 * self.len as usize {
            self.entries.retain(|e| e.live);
        }
        true
    }

    /// Every charge as (seq, pfn), oldest first (`rev()` for the newest first).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, u32)> + '_ {
        self.entries.iter().filter(|e| e.live).map(Entry::key)
    }

    /// Where the entry with `key` is, or where it would go.
    fn find(&self, key: (u64, u32)) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&key, Entry::key)
    }
}

impl fmt::Debug for Charges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_stay_in_order_whatever_the_order_of_changes() {
        let mut c = Charges::default();
        for seq in [1, 2, 3, 5] {
            assert!(c.insert(seq, seq as u32 * 10));
        }
        assert!(!c.insert(3, 30));
        assert!(c.insert(4, 40)); // a moved charge lands in the middle
        assert!(c.remove(2, 20));
        assert!(!c.remove(2, 20));
        assert!(!c.remove(3, 31));
        assert!(c.insert(2, 20)); // back into its gap
        assert!(c.remove(5, 50));
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            vec![(1, 10), (2, 20), (3, 30), (4, 40)]
        );
        assert_eq!(c.iter().next_back(), Some((4, 40)));
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn gaps_are_swept_and_never_show() {
        let mut c = Charges::default();
        for seq in 0..100 {
            c.insert(seq, 0);
        }
        for seq in 0..90 {
            c.remove(seq, 0);
        }
        assert!(c.entries.len() <= 2 * 10);
        assert!(c.iter().eq((90..100).map(|seq| (seq, 0))));
        c.remove(95, 0);
        assert_eq!(c.len(), 9);
        assert_eq!(
            format!("{c:?}"),
            "{(90, 0), (91, 0), (92, 0), (93, 0), (94, 0), (96, 0), (97, 0), (98, 0), (99, 0)}"
        );
    }
}
