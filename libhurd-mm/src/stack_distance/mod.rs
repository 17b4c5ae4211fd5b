//! Stack distances: for LRU and OPT, which are *stack algorithms* (Mattson, Gecsei, Slutz and
//! Traiger, 1970), the pages held with `k` frames are always the top `k` of one stack, so a
//! reference hits with `k` frames exactly when its page's depth in that stack is at most `k`.
//! One pass over the references gives every reference's depth, and so the faults at every
//! frame count at once.
//!
//! * LRU's stack is ordered by last use: the depth of a reference is one plus the number of
//!   distinct pages used since the previous use of its page. A Fenwick tree over times, with a
//!   mark at each page's last use, counts them in O(log n).
//! * OPT's stack is ordered by priority = next use (sooner is higher). On a reference the page
//!   goes to the top and the page pushed out of each level is the one of the two used later,
//!   which only moves the pages that are new "latest next use so far" on the way down
//!   ([`opt`]).
//!
//! Both walk the references a chunk at a time, each chunk in a call of its own: a wasm engine
//! compiles a hot function better but only uses the better code from its next call (V8 has no
//! on-stack replacement for wasm), so one long loop would run to its end in the first, slow
//! code. Measured in Chromium: the first OPT curve walked in one call took 2.5 times as long
//! as later ones.

mod opt;

use opt::OptStack;

/// The depth of a reference that was never made before (a cold miss at every frame count).
pub const COLD: u32 = u32::MAX;

/// Faults at every frame count `1..=max_frames` from stack depths: `faults[k-1]` counts the
/// depths greater than `k` (cold references count at every `k`).
pub fn faults_from_depths(depths: impl IntoIterator<Item = u32>, max_frames: u32) -> Vec<u64> {
    let mut h = Histogram::new(max_frames);
    depths.into_iter().for_each(|d| h.add(d));
    h.faults()
}

/// Counts of stack depths up to a largest frame count, turned into faults per frame count.
struct Histogram {
    /// `counts[d]` for depths `1..=max`; deeper and cold ones are only in `total`.
    counts: Vec<u64>,
    total: u64,
}

impl Histogram {
    fn new(max_frames: u32) -> Histogram {
        Histogram {
            counts: vec![0; max_frames as usize + 1],
            total: 0,
        }
    }

    #[inline(always)]
    fn add(&mut self, depth: u32) {
        self.total += 1;
        if let Some(c) = self.counts.get_mut(depth as usize) {
            *c += 1;
        }
    }

    fn faults(&self) -> Vec<u64> {
        let mut hits = 0;
        self.counts
            .iter()
            .skip(1)
            .map(|c| {
                hits += c;
                self.total - hits
            })
            .collect()
    }
}

/// References walked per call (see the module's comment).
const CHUNK: usize = 4096;

/// Largest page number renumbered through a table rather than a hash map.
const TABLE_PAGES: u32 = 1 << 22;

/// Page numbers renumbered densely (`0..distinct`), in order of first use.
pub fn dense(refs: &[u32]) -> (Vec<u32>, usize) {
    const NEW: u32 = u32::MAX;
    let max = refs.iter().copied().max().unwrap_or(0);
    let mut n = 0u32;
    let mut number = |slot: &mut u32| {
        if *slot == NEW {
            *slot = n;
            n += 1;
        }
        *slot
    };
    let out = if max < TABLE_PAGES {
        let mut table = vec![NEW; max as usize + 1];
        refs.iter()
            .map(|&p| number(&mut table[p as usize]))
            .collect()
    } else {
        let mut ids = std::collections::HashMap::with_capacity(1024);
        refs.iter()
            .map(|&p| number(ids.entry(p).or_insert(NEW)))
            .collect()
    };
    (out, n as usize)
}

/// A Fenwick (binary indexed) tree of counts over positions `0..n`.
struct Fenwick {
    tree: Vec<i32>,
}

impl Fenwick {
    fn new(n: usize) -> Fenwick {
        Fenwick {
            tree: vec![0; n + 1],
        }
    }

    #[inline(always)]
    fn add(&mut self, pos: usize, delta: i32) {
        let mut i = pos + 1;
        while i < self.tree.len() {
            self.tree[i] += delta;
            i += i & i.wrapping_neg();
        }
    }

    /// The sum over positions `0..end`.
    #[inline(always)]
    fn prefix(&self, end: usize) -> i32 {
        let mut i = end;
        let mut s = 0;
        while i > 0 {
            s += self.tree[i];
            i &= i - 1;
        }
        s
    }
}

/// Each page's last use, as one mark per page on a time line of `2 × pages` slots (compacted
/// when full): a bit per slot, and a Fenwick tree over the 64-slot words, so that counting
/// the marks before a slot is a short walk of a small tree that stays in the cache.
struct LastUses {
    bits: Vec<u64>,
    words: Fenwick,
    page_at: Vec<u32>,
    last: Vec<usize>,
    next: usize,
    live: i32,
}

impl LastUses {
    const NONE: usize = usize::MAX;

    fn new(pages: usize) -> LastUses {
        let slots = (2 * pages).max(64).next_multiple_of(64);
        LastUses {
            bits: vec![0; slots / 64],
            words: Fenwick::new(slots / 64),
            page_at: vec![0; slots],
            last: vec![LastUses::NONE; pages],
            next: 0,
            live: 0,
        }
    }

    /// Marks before `slot`.
    #[inline(always)]
    fn rank(&self, slot: usize) -> i32 {
        let (w, b) = (slot / 64, slot % 64);
        let below = self.bits[w] & ((1u64 << b) - 1);
        self.words.prefix(w) + below.count_ones() as i32
    }

    /// The LRU depth of each of a chunk of references, to `each`.
    #[inline(never)]
    fn walk(&mut self, ids: &[u32], each: &mut impl FnMut(u32)) {
        for &p in ids {
            each(self.touch(p));
        }
    }

    /// Distinct pages used since `page`'s last use, plus one ([`COLD`] if never used); then
    /// `page` is marked as used now.
    #[inline(always)]
    fn touch(&mut self, page: u32) -> u32 {
        if self.next == self.page_at.len() {
            self.compact();
        }
        let prev = self.last[page as usize];
        let depth = if prev == LastUses::NONE {
            self.live += 1;
            COLD
        } else {
            let depth = (self.live - self.rank(prev + 1)) as u32 + 1;
            self.bits[prev / 64] &= !(1u64 << (prev % 64));
            self.words.add(prev / 64, -1);
            depth
        };
        let now = self.next;
        self.bits[now / 64] |= 1u64 << (now % 64);
        self.words.add(now / 64, 1);
        self.page_at[now] = page;
        self.last[page as usize] = now;
        self.next += 1;
        depth
    }

    /// Moves the marks, in order, to the first slots (at most one per page: half the line).
    fn compact(&mut self) {
        let mut k = 0;
        let mut bits = vec![0u64; self.bits.len()];
        for w in 0..self.bits.len() {
            let mut word = self.bits[w];
            while word != 0 {
                let slot = w * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                let page = self.page_at[slot];
                self.page_at[k] = page;
                self.last[page as usize] = k;
                bits[k / 64] |= 1u64 << (k % 64);
                k += 1;
            }
        }
        self.words = Fenwick::new(bits.len());
        for (w, word) in bits.iter().enumerate() {
            self.words.add(w, word.count_ones() as i32);
        }
        self.bits = bits;
        self.next = k;
    }
}

/// LRU stack depth of every reference ([`COLD`] for first uses), in one pass.
pub fn lru_depths(refs: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(refs.len());
    each_lru_depth(refs, |d| out.push(d));
    out
}

/// Calls `each` with the LRU stack depth of every reference, in order.
fn each_lru_depth(refs: &[u32], mut each: impl FnMut(u32)) {
    let (ids, distinct) = dense(refs);
    let mut uses = LastUses::new(distinct);
    for ids in ids.chunks(CHUNK) {
        uses.walk(ids, &mut each);
    }
}

/// The LRU faults at every frame count `1..=max_frames`, in one pass.
pub fn lru_faults(refs: &[u32], max_frames: u32) -> Vec<u64> {
    let mut h = Histogram::new(max_frames);
    each_lru_depth(refs, |d| h.add(d));
    h.faults()
}

/// OPT stack depth of every reference ([`COLD`] for first uses), in one pass.
pub fn opt_depths(refs: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(refs.len());
    each_opt_depth(refs, |d| out.push(d));
    out
}

/// The OPT faults at every frame count `1..=max_frames`, in one pass.
pub fn opt_faults(refs: &[u32], max_frames: u32) -> Vec<u64> {
    let mut h = Histogram::new(max_frames);
    each_opt_depth(refs, |d| h.add(d));
    h.faults()
}

/// When each reference's page is used again (`refs.len()`: never), from dense ids.
pub fn next_uses(ids: &[u32], distinct: usize) -> Vec<u32> {
    let n = ids.len() as u32;
    let mut next = vec![n; ids.len()];
    let mut seen = vec![n; distinct];
    for t in (0..ids.len()).rev() {
        let p = ids[t] as usize;
        next[t] = seen[p];
        seen[p] = t as u32;
    }
    next
}

/// Calls `each` with the OPT stack depth of every reference, in order.
fn each_opt_depth(refs: &[u32], mut each: impl FnMut(u32)) {
    let (ids, distinct) = dense(refs);
    let next = next_uses(&ids, distinct);
    let mut stack = OptStack::new(distinct);
    for (ids, next) in ids.chunks(CHUNK).zip(next.chunks(CHUNK)) {
        stack.walk(ids, next, &mut each);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lru_depths_count_distinct_pages_since_the_last_use() {
        // a b c a a b: a=1st use, b, c, a (b,c since → 3), a (→1), b (c,a since → 3)
        assert_eq!(lru_depths(&[1, 2, 3, 1, 1, 2]), [COLD, COLD, COLD, 3, 1, 3]);
    }

    #[test]
    fn faults_from_depths_counts_deeper_and_cold_references() {
        assert_eq!(faults_from_depths([COLD, COLD, 1, 2, 3], 4), [4, 3, 2, 2]);
        assert_eq!(faults_from_depths([], 2), [0, 0]);
    }

    #[test]
    fn dense_numbers_pages_by_first_use() {
        assert_eq!(dense(&[70, 5, 70, 9]), (vec![0, 1, 0, 2], 3));
        assert_eq!(dense(&[u32::MAX, 5, u32::MAX]), (vec![0, 1, 0], 2));
    }

    /// The OPT stack walked level by level, as Mattson et al. describe it.
    fn plain_opt_depths(refs: &[u32]) -> Vec<u32> {
        let (ids, distinct) = dense(refs);
        let next = next_uses(&ids, distinct);
        let mut stack: Vec<(u32, u32)> = Vec::new(); // (page, key)
        ids.iter()
            .enumerate()
            .map(|(t, &x)| {
                let (depth, out) = match stack.iter().position(|&(p, _)| p == x) {
                    Some(d) => (d, d as u32 + 1),
                    None => {
                        stack.push((x, 0));
                        (stack.len() - 1, COLD)
                    }
                };
                if depth > 0 {
                    let mut carried = stack[0];
                    for level in &mut stack[1..depth] {
                        if level.1 > carried.1 {
                            std::mem::swap(level, &mut carried);
                        }
                    }
                    stack[depth] = carried;
                }
                stack[0] = (x, next[t]);
                out
            })
            .collect()
    }

    /// `n` references over `pages` pages, a third each (in turn) uniformly random, from a
    /// hot set of `hot` pages, and a cyclic scan: deep, shallow and in-order reuse.
    fn mixed_refs(n: usize, pages: u64, hot: u64, seed: u64) -> Vec<u32> {
        let mut rng = crate::SplitMix64::new(seed);
        (0..n)
            .map(|i| match i % 3 {
                0 => rng.below(pages) as u32,
                1 => rng.below(hot) as u32,
                _ => (i as u64 / 3 % pages) as u32,
            })
            .collect()
    }

    #[test]
    fn the_opt_walk_agrees_with_a_plain_one_across_runs_and_chunks() {
        // 3,000 pages (~1,000 levels deep), runs of levels joining and splitting; the 60,000
        // references are walked in 15 chunks.
        let refs = mixed_refs(60_000, 3000, 40, 7);
        assert_eq!(opt_depths(&refs), plain_opt_depths(&refs));
    }

    proptest::proptest! {
        #[test]
        fn the_opt_walk_agrees_with_a_plain_one_on_short_strings(
            refs in proptest::collection::vec(0u32..24, 1..300),
        ) {
            // Few pages: references at depth 1 and at the bottom, runs joining and splitting.
            proptest::prop_assert_eq!(opt_depths(&refs), plain_opt_depths(&refs));
        }
    }

    #[test]
    fn lru_depths_agree_with_a_plain_stack_across_words_and_compactions() {
        // 700 pages: 22 words of marks, compacted every ~700 references; 8 chunks.
        let refs = mixed_refs(30_000, 700, 20, 3);
        let mut stack: Vec<u32> = Vec::new(); // most recent first
        let plain: Vec<u32> = refs
            .iter()
            .map(|&p| match stack.iter().position(|&q| q == p) {
                Some(d) => {
                    stack.remove(d);
                    stack.insert(0, p);
                    d as u32 + 1
                }
                None => {
                    stack.insert(0, p);
                    COLD
                }
            })
            .collect();
        assert_eq!(lru_depths(&refs), plain);
    }

    #[test]
    fn compacting_the_time_line_keeps_the_depths() {
        // 3 pages: the line has 64 slots, so 1,000 references compact it many times.
        let refs: Vec<u32> = (0..1000u32).map(|i| (i * 7 + i / 5) % 3).collect();
        let slow: Vec<u32> = refs
            .iter()
            .enumerate()
            .map(|(t, &p)| match refs[..t].iter().rposition(|&q| q == p) {
                None => COLD,
                Some(s) => {
                    let mut seen: Vec<u32> = refs[s + 1..t].to_vec();
                    seen.sort_unstable();
                    seen.dedup();
                    seen.len() as u32 + 1
                }
            })
            .collect();
        assert_eq!(lru_depths(&refs), slow);
    }
}
