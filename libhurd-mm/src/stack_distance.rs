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
//!   which only moves the pages that are new "latest next use so far" on the way down.

/// The depth of a reference that was never made before (a cold miss at every frame count).
pub const COLD: u32 = u32::MAX;

/// Faults at every frame count `1..=max_frames` from stack depths: `faults[k-1]` counts the
/// depths greater than `k` (cold references count at every `k`).
pub fn faults_from_depths(depths: impl IntoIterator<Item = u32>, max_frames: u32) -> Vec<u64> {
    // histogram[d] for d in 1..=max_frames; deeper and cold references fault everywhere.
    let mut histogram = vec![0u64; max_frames as usize + 1];
    let mut total = 0u64;
    for d in depths {
        total += 1;
        if let Some(h) = histogram.get_mut(d as usize) {
            *h += 1;
        }
    }
    let mut faults = Vec::with_capacity(max_frames as usize);
    let mut hits = 0;
    for h in histogram.iter().skip(1) {
        hits += h;
        faults.push(total - hits);
    }
    faults
}

/// Page numbers renumbered densely (`0..distinct`), in order of first use.
pub fn dense(refs: &[u32]) -> (Vec<u32>, usize) {
    let mut ids = std::collections::HashMap::with_capacity(1024);
    let out = refs
        .iter()
        .map(|&p| {
            let n = ids.len() as u32;
            *ids.entry(p).or_insert(n)
        })
        .collect();
    (out, ids.len())
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

    fn add(&mut self, pos: usize, delta: i32) {
        let mut i = pos + 1;
        while i < self.tree.len() {
            self.tree[i] += delta;
            i += i & i.wrapping_neg();
        }
    }

    /// The sum over positions `0..end`.
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

/// LRU stack depth of every reference ([`COLD`] for first uses), in one pass.
pub fn lru_depths(refs: &[u32]) -> Vec<u32> {
    let (ids, distinct) = dense(refs);
    let mut last = vec![usize::MAX; distinct];
    let mut marks = Fenwick::new(refs.len());
    let mut live = 0i32; // marks in the tree: one per page seen so far
    let mut out = Vec::with_capacity(refs.len());
    for (t, &p) in ids.iter().enumerate() {
        let prev = last[p as usize];
        if prev == usize::MAX {
            out.push(COLD);
            live += 1;
        } else {
            // Pages whose last use lies after `prev`: marks at positions prev+1..t.
            let since = live - marks.prefix(prev + 1);
            out.push(since as u32 + 1);
            marks.add(prev, -1);
        }
        marks.add(t, 1);
        last[p as usize] = t;
    }
    out
}

/// OPT stack depth of every reference ([`COLD`] for first uses), in one pass.
pub fn opt_depths(refs: &[u32]) -> Vec<u32> {
    let (ids, distinct) = dense(refs);
    let n = refs.len();
    // next[t]: when the page referenced at t is used again (n: never).
    let mut next = vec![n; n];
    let mut seen = vec![n; distinct];
    for t in (0..n).rev() {
        let p = ids[t] as usize;
        next[t] = seen[p];
        seen[p] = t;
    }
    let mut next_use = vec![n; distinct]; // each page's next use after now
    let mut pos = vec![u32::MAX; distinct]; // each page's index in the stack
    let mut stack: Vec<u32> = Vec::with_capacity(distinct);
    let mut out = Vec::with_capacity(n);
    for (t, &x) in ids.iter().enumerate() {
        let at = pos[x as usize];
        let depth = if at == u32::MAX {
            stack.push(x);
            out.push(COLD);
            stack.len() - 1
        } else {
            out.push(at + 1);
            at as usize
        };
        // Push down from the top to x's old level; each level keeps the page used sooner.
        if depth > 0 {
            let mut carried = stack[0];
            for (i, slot) in stack.iter_mut().enumerate().take(depth).skip(1) {
                let here = *slot;
                if next_use[here as usize] > next_use[carried as usize] {
                    *slot = carried;
                    pos[carried as usize] = i as u32;
                    carried = here;
                }
            }
            stack[depth] = carried;
            pos[carried as usize] = depth as u32;
            stack[0] = x;
        }
        pos[x as usize] = 0;
        next_use[x as usize] = next[t];
    }
    out
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
    }
}
