//! LRU and OPT at one frame count, plainly and fast (arrays, a linked list, a heap): the
//! yardstick the one-pass curves are measured against (`cargo xtask bench`), and a second,
//! independent count for their tests. The pager's own policies, through [`crate::simulate()`],
//! remain the reference for what each policy does; these only count misses.

use crate::stack_distance::{dense, next_uses};
use std::collections::BinaryHeap;

/// Misses of LRU with `frames` frames over `refs`.
pub fn lru_misses(refs: &[u32], frames: u32) -> u64 {
    const NIL: u32 = u32::MAX;
    let (ids, distinct) = dense(refs);
    // A doubly linked list of the resident pages, most recent at the head.
    let mut prev = vec![NIL; distinct];
    let mut next = vec![NIL; distinct];
    let mut resident = vec![false; distinct];
    let (mut head, mut tail) = (NIL, NIL);
    let (mut held, mut misses) = (0u32, 0u64);
    for &p in &ids {
        let pi = p as usize;
        if resident[pi] {
            if head == p {
                continue;
            }
            // Unlink p (it is not the head, so it has a prev).
            let (a, b) = (prev[pi], next[pi]);
            next[a as usize] = b;
            if b == NIL {
                tail = a;
            } else {
                prev[b as usize] = a;
            }
        } else {
            misses += 1;
            if frames == 0 {
                continue;
            }
            if held == frames {
                let v = tail;
                tail = prev[v as usize];
                if tail == NIL {
                    head = NIL;
                } else {
                    next[tail as usize] = NIL;
                }
                resident[v as usize] = false;
            } else {
                held += 1;
            }
            resident[pi] = true;
        }
        prev[pi] = NIL;
        next[pi] = head;
        if head != NIL {
            prev[head as usize] = p;
        } else {
            tail = p;
        }
        head = p;
    }
    misses
}

/// Misses of OPT (Belady's MIN) with `frames` frames over `refs`.
pub fn opt_misses(refs: &[u32], frames: u32) -> u64 {
    let (ids, distinct) = dense(refs);
    let next = next_uses(&ids, distinct);
    // Each resident page's next use; the heap holds (next use, page), stale entries skipped.
    let mut due = vec![u32::MAX; distinct];
    let mut resident = vec![false; distinct];
    let mut heap: BinaryHeap<(u32, u32)> = BinaryHeap::new();
    let (mut held, mut misses) = (0u32, 0u64);
    for (t, &p) in ids.iter().enumerate() {
        let pi = p as usize;
        if !resident[pi] {
            misses += 1;
            if frames == 0 {
                continue;
            }
            if held == frames {
                while let Some((when, v)) = heap.pop() {
                    if resident[v as usize] && due[v as usize] == when {
                        resident[v as usize] = false;
                        break;
                    }
                }
            } else {
                held += 1;
            }
            resident[pi] = true;
        }
        due[pi] = next[t];
        heap.push((next[t], p));
        if heap.len() > 4 * frames as usize + 64 {
            // Drop the stale entries: one live entry per resident page.
            let live: Vec<(u32, u32)> = heap
                .drain()
                .filter(|&(when, v)| resident[v as usize] && due[v as usize] == when)
                .collect();
            heap = live.into();
        }
    }
    misses
}

/// The benchmark's reference string: `n` pages drawn uniformly from `0..pages` by a seeded
/// SplitMix64 (no locality: the deepest stacks, the hardest case for the one-pass curves).
pub fn uniform_refs(n: usize, pages: u32, seed: u64) -> Vec<u32> {
    let mut rng = crate::SplitMix64::new(seed);
    (0..n).map(|_| rng.below(u64::from(pages)) as u32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curve::{lru_curve, opt_curve, FrameRange};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn one_frame_count_equals_that_point_of_the_curve(
            refs in proptest::collection::vec(0u32..30, 1..400),
            frames in 1u32..35,
        ) {
            let at = FrameRange::new(u64::from(frames), u64::from(frames)).unwrap();
            prop_assert_eq!(lru_misses(&refs, frames), lru_curve(&refs, at)[0]);
            prop_assert_eq!(opt_misses(&refs, frames), opt_curve(&refs, at)[0]);
        }
    }
}
