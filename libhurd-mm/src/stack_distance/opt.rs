//! OPT's stack, walked one reference at a time.
//!
//! The stack holds each page with its key, its next use (sooner is higher priority). A
//! reference to the page at level `d` puts it on top; on the way down, each level above `d`
//! keeps the one of its page and the carried page used sooner and passes the other on. So
//! the pages that move are the *records*: the levels whose key is above the carried one, which
//! starts as the old top's and becomes each record's in turn. Still O(d) per reference in the
//! worst case: Bilardi, Ekanadham and Pattnaik (2017) give O(log V), with balanced trees.
//!
//! On the benchmark's string (uniformly random references over 4,096 pages) a reference moves
//! ~24 records, mostly in 3 runs of consecutive levels, at a depth of ~1,000. Three things
//! keep the walk to those:
//! * a level is one `u64` [`Slot`], the key above the page: a move is a load and a store, and
//!   no two slots are equal (pages never used again share a key; which of them sits where
//!   changes no depth, as swapping equal keys changes no key);
//! * the largest slot of every 8, 64 and 512 levels: levels without a record are skipped 8,
//!   64 or 512 at a time;
//! * a block of 8 levels that holds a record is walked without a branch: each level is
//!   compared with the carried slot and the two are swapped by selects. Where a record falls
//!   in its block is unpredictable, and mispredicted branches cost more than the selects.

use super::COLD;

/// A level's content: the page's key (its next use) in the high half, the page in the low.
type Slot = u64;

/// The slot of `page`, next used at `key`.
fn slot(key: u32, page: u32) -> Slot {
    u64::from(key) << 32 | u64::from(page)
}

/// The page in a slot.
fn page(s: Slot) -> usize {
    s as u32 as usize
}

/// The largest of 8 slots.
fn max_of(slots: &[Slot]) -> Slot {
    let slots: &[Slot; 8] = slots.try_into().expect("8 slots");
    slots.iter().fold(0, |m, &s| m.max(s))
}

/// The OPT stack in blocks of 8 levels, with the largest slot of every 8, 64 and 512 levels
/// (level 0, the top, counts in none of them). Unused levels hold 0, below every slot.
pub(super) struct OptStack {
    blocks: Vec<[Slot; 8]>,
    max8: Vec<Slot>,
    max64: Vec<Slot>,
    max512: Vec<Slot>,
    /// Each page's level (`u32::MAX` before its first use).
    level: Vec<u32>,
    /// Levels in use.
    len: usize,
}

impl OptStack {
    /// An empty stack for pages `0..distinct`.
    pub(super) fn new(distinct: usize) -> OptStack {
        let levels = distinct.max(1).next_multiple_of(512);
        OptStack {
            blocks: vec![[0; 8]; levels / 8],
            max8: vec![0; levels / 8],
            max64: vec![0; levels / 64],
            max512: vec![0; levels / 512],
            level: vec![u32::MAX; distinct],
            len: 0,
        }
    }

    /// Calls `each` with the depth of each of a chunk of references (`next`: when each one's
    /// page is used again).
    #[inline(never)]
    pub(super) fn walk(&mut self, ids: &[u32], next: &[u32], each: &mut impl FnMut(u32)) {
        for (&x, &n) in ids.iter().zip(next) {
            each(self.reference(x, n));
        }
    }

    /// A reference to `x`, used next at `next`: returns its depth before (or [`COLD`]) and
    /// puts it on top.
    #[inline(always)]
    fn reference(&mut self, x: u32, next: u32) -> u32 {
        let at = self.level[x as usize];
        let (depth, out) = if at == u32::MAX {
            self.len += 1;
            (self.len - 1, COLD)
        } else {
            (at as usize, at + 1)
        };
        if depth > 0 {
            self.carry_down(depth);
        }
        self.blocks[0][0] = slot(next, x);
        self.level[x as usize] = 0;
        out
    }

    /// Carries the top's slot down through the records above level `depth` and leaves the
    /// last one carried at `depth`.
    #[inline(never)]
    fn carry_down(&mut self, depth: usize) {
        let mut carried = self.blocks[0][0];
        // Blocks with levels above `depth`; the last may also hold `depth` and levels below.
        let last = (depth - 1) / 8;
        let mut changed = None; // the 64 levels whose largest slot fell, not yet updated
        let mut next = self.next_block(0, last, carried);
        while let Some(b) = next {
            let (from, to) = (usize::from(b == 0), (depth - b * 8).min(8));
            let block = &mut self.blocks[b];
            let largest = if (from, to) == (0, 8) {
                // Most blocks: the same walk with constant bounds, which the compiler unrolls.
                walk_block(block, 0..8, &mut carried, &mut self.level, b)
            } else {
                walk_block(block, from..to, &mut carried, &mut self.level, b)
            };
            if b * 8 + 8 <= depth {
                // A whole block above `depth` (the block of `depth` is settled below). Its
                // largest slot only falls, so its 64's changes only if it was that one.
                let held = self.max8[b] == self.max64[b / 8];
                self.max8[b] = largest;
                if held && changed != Some(b / 8) {
                    if let Some(s) = changed {
                        self.update_max64(s);
                    }
                    changed = Some(b / 8);
                }
            }
            // Runs of records cross blocks: try the next block first.
            next = if b < last && self.max8[b + 1] > carried {
                Some(b + 1)
            } else {
                self.next_block(b + 1, last, carried)
            };
        }
        if let Some(s) = changed {
            self.update_max64(s);
        }
        let b = depth / 8;
        self.blocks[b][depth % 8] = carried;
        self.level[page(carried)] = depth as u32;
        self.max8[b] = self.max8[b].max(carried);
        self.max64[b / 8] = self.max64[b / 8].max(carried);
        self.max512[b / 64] = self.max512[b / 64].max(carried);
    }

    /// The first block of `from..=last` with a slot above `carried`.
    #[inline(always)]
    fn next_block(&self, from: usize, last: usize, carried: Slot) -> Option<usize> {
        let above = |maxima: &[Slot], lo: usize, hi: usize| {
            if lo > hi {
                return None;
            }
            let at = maxima[lo..=hi].iter().position(|&m| m > carried)?;
            Some(lo + at)
        };
        // The rest of `from`'s 64, the rest of its 512, then the 512s after.
        if let Some(b) = above(&self.max8, from, (from | 7).min(last)) {
            return Some(b);
        }
        let s = (from | 7) / 8 + 1;
        let s = match above(&self.max64, s, (s | 7).min(last / 8)) {
            Some(s) => s,
            None => {
                let h = above(&self.max512, (s | 7) / 8 + 1, last / 64)?;
                above(&self.max64, h * 8, (h * 8 + 7).min(last / 8))?
            }
        };
        above(&self.max8, s * 8, (s * 8 + 7).min(last))
    }

    /// The largest slot of the 64 levels `s`, from their blocks', and of their 512 if it was
    /// theirs.
    fn update_max64(&mut self, s: usize) {
        let (old, h) = (self.max64[s], s / 8);
        self.max64[s] = max_of(&self.max8[s * 8..s * 8 + 8]);
        if old == self.max512[h] {
            self.max512[h] = max_of(&self.max64[h * 8..h * 8 + 8]);
        }
    }
}

/// Walks levels `range` of block `b`: a level whose slot is above the carried one takes the
/// carried slot and its own is carried on. Returns the largest slot of the block's levels
/// from `range.start` on, after.
#[inline(always)]
fn walk_block(
    block: &mut [Slot; 8],
    range: std::ops::Range<usize>,
    carried: &mut Slot,
    level: &mut [u32],
    b: usize,
) -> Slot {
    let mut largest = 0;
    for j in range.clone() {
        let s = block[j & 7];
        let record = s > *carried;
        let stays = if record { *carried } else { s };
        *carried = if record { s } else { *carried };
        block[j & 7] = stays;
        level[page(stays)] = (b * 8 + j) as u32;
        largest = largest.max(stays);
    }
    block[range.end.min(8)..]
        .iter()
        .fold(largest, |m, &s| m.max(s))
}
