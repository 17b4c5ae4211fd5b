//! OPT's stack, walked one ascending run of levels at a time.
//!
//! The stack holds each page with its key, its next use (sooner is higher priority). A
//! reference to the page at level `d` puts it on top; on the way down, each level above `d`
//! keeps the one of its page and the carried page used sooner and passes the other on. So
//! the pages that move are the *records*: the levels whose key is above the carried one, which
//! starts as the old top's and becomes each record's in turn. Still O(d) per reference in the
//! worst case: Bilardi, Ekanadham and Pattnaik (2017) give O(log V), with balanced trees.
//!
//! Below the top, the stack falls into *runs*: maximal stretches of levels whose slots ascend.
//! They are long: on the benchmark's string (uniformly random references over 4,096 pages)
//! the ~1,000 levels above a reference's depth form ~20 runs. In an ascending run the records
//! are a suffix, there exactly when the run's last slot is above the carried one, and moving
//! them shifts that suffix down one level. So a walk reads one slot per run, and moves only
//! the records of the ~3 runs that hold any. The list of runs changes only next to a shifted
//! suffix and at `d`.
//!
//! A level is one `u64` [`Slot`], the key above the page: a move is a load and a store, and no
//! two slots are equal (pages never used again share a key; which of them sits where changes
//! no depth, as swapping equal keys changes no key).

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

/// The OPT stack and its runs.
pub(super) struct OptStack {
    /// Each level's slot. While a walk runs, the top holds a dummy one: key 0, below every
    /// other, and a page of its own (the last of `level`).
    slots: Vec<Slot>,
    /// The last level of each run, in order. The first run starts at level 1.
    ends: Vec<u32>,
    /// Each page's level (`u32::MAX` before its first use), then the dummy page's; as long as
    /// a power of two, so that a page masked by it needs no bounds check.
    level: Vec<u32>,
    /// Levels in use.
    len: usize,
}

impl OptStack {
    /// An empty stack for pages `0..distinct`.
    pub(super) fn new(distinct: usize) -> OptStack {
        let pages = (distinct + 1).next_power_of_two();
        OptStack {
            slots: vec![0; distinct],
            ends: Vec::new(),
            level: vec![u32::MAX; pages],
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
            self.carry_down(depth, out == COLD);
        }
        self.slots[0] = slot(next, x);
        self.level[x as usize] = 0;
        out
    }

    /// Carries the top's slot down through the records above level `depth` (a new level if
    /// `cold`) and leaves the last one carried at `depth`.
    #[inline(never)]
    fn carry_down(&mut self, depth: usize, cold: bool) {
        let mut carried = self.slots[0];
        self.slots[0] = (self.level.len() - 1) as Slot;
        let (mut run, mut start) = (0, 1);
        let mut end_before = false; // the run before ends at `start - 1`, as listed
        while start < depth {
            let end = self.ends[run] as usize;
            let last = self.slots[end];
            if last > carried {
                let whole = self.slots[start] > carried;
                self.shift(end, carried);
                carried = last;
                // Every level walked is now at most `carried`, so the run joins the one before
                // if all of it moved, and the one after if its last slot fell below the next.
                if whole && end_before {
                    run -= 1;
                    self.ends.remove(run);
                }
                if end + 1 < depth && self.slots[end] < self.slots[end + 1] {
                    self.ends.remove(run);
                    (start, end_before) = (end + 1, false);
                    continue;
                }
            }
            (run, start, end_before) = (run + 1, end + 1, true);
        }
        self.settle(depth, run, carried, cold);
    }

    /// Shifts the records of the run ending at level `end` (the levels from the first one
    /// above `carried`) down one level, `carried` taking the first. The level above the
    /// records is at most `carried`: the run's, an earlier run's, or the top's dummy.
    #[inline(always)]
    fn shift(&mut self, end: usize, carried: Slot) {
        let mask = self.level.len() - 1;
        let mut at = end;
        loop {
            let above = self.slots[at - 1];
            if above <= carried {
                break;
            }
            self.slots[at] = above;
            self.level[page(above) & mask] = at as u32;
            at -= 1;
        }
        self.slots[at] = carried;
        self.level[page(carried) & mask] = at as u32;
    }

    /// Puts `carried` at `depth`, where the walk ended in run `run`, and mends the runs there.
    fn settle(&mut self, depth: usize, run: usize, carried: Slot, cold: bool) {
        self.slots[depth] = carried;
        self.level[page(carried)] = depth as u32;
        // The referenced page held the least slot (its next use was now), so a run ended just
        // above it (or the stack did); every level above is now at most `carried`, so that
        // run goes on to `depth`, and ends there if `depth` is the last level (listed already
        // unless it is new) or its slot is above the next one's.
        let ends_here = if depth == self.len - 1 {
            cold
        } else {
            carried > self.slots[depth + 1]
        };
        // Level `depth - 1` ends a run no more (if a run was there: they start at level 1).
        match (depth >= 2, ends_here) {
            (true, true) => self.ends[run - 1] = depth as u32,
            (true, false) => {
                self.ends.remove(run - 1);
            }
            (false, true) => self.ends.insert(run, depth as u32),
            (false, false) => {}
        }
    }
}
