//! Miss-ratio curves: faults against frame count for a policy over a reference string.
//!
//! LRU and OPT are stack algorithms: their whole curve comes from one pass
//! ([`crate::stack_distance`]). The others are run once per frame count with the very code of
//! [`crate::simulate()`], a few frame counts at a time through a [`CurveJob`] so the page can
//! show progress. Each curve is exactly what `simulate` counts at each frame count.

use crate::policy::PolicyKind;
use crate::simulate::count_misses;
use crate::stack_distance::{lru_faults, opt_faults};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most frames a curve goes up to (as many as the largest RAM).
pub const MAX_FRAMES: u32 = 65_536;

/// The longest reference string a curve is drawn from (16,777,216 references).
pub const MAX_REFS: usize = 1 << 24;

/// The policies a curve is drawn for by default, in the order of the chart's legend.
pub const CURVE_POLICIES: [PolicyKind; 6] = [
    PolicyKind::Fifo,
    PolicyKind::Clock,
    PolicyKind::Lru,
    PolicyKind::Mru,
    PolicyKind::Random,
    PolicyKind::Opt,
];

/// Why a curve cannot be drawn.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CurveError {
    /// No references at all.
    #[error("the reference string is empty: give at least one page number")]
    Empty,
    /// More references than [`MAX_REFS`].
    #[error("the reference string has {len} references; at most {max} are allowed")]
    TooLong {
        /// How many were given.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// A frame count outside `1..=MAX_FRAMES`.
    #[error("frame count {0} is outside 1..=65536")]
    FramesOutOfRange(u64),
    /// A range whose end comes before its start.
    #[error("frame range {first}..{last} is reversed: the first count must not exceed the last")]
    Reversed {
        /// The first frame count.
        first: u32,
        /// The last frame count.
        last: u32,
    },
    /// A word of a reference string that is not a page number.
    #[error("reference {position} is {word:?}, not a page number (0, 1, 2, ... up to 4294967295)")]
    NotAPage {
        /// Its position, from 1.
        position: usize,
        /// The word.
        word: String,
    },
    /// A range that is not `A..B` (or `A..=B`, or one number).
    #[error("frame range {0:?} is not of the form A..B (for example 1..64)")]
    BadRange(String),
}

/// Frame counts `first..=last`, within `1..=MAX_FRAMES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameRange {
    first: u32,
    last: u32,
}

impl FrameRange {
    /// The frame counts `first..=last`.
    ///
    /// # Errors
    /// [`CurveError::FramesOutOfRange`] or [`CurveError::Reversed`].
    pub fn new(first: u64, last: u64) -> Result<FrameRange, CurveError> {
        for n in [first, last] {
            if n == 0 || n > u64::from(MAX_FRAMES) {
                return Err(CurveError::FramesOutOfRange(n));
            }
        }
        if first > last {
            return Err(CurveError::Reversed {
                first: first as u32,
                last: last as u32,
            });
        }
        Ok(FrameRange {
            first: first as u32,
            last: last as u32,
        })
    }

    /// Parse `A..B` (both counts included, as in the CLI), `A..=B` or a single count.
    ///
    /// # Errors
    /// [`CurveError::BadRange`] for other text, or the errors of [`FrameRange::new`].
    pub fn parse(text: &str) -> Result<FrameRange, CurveError> {
        let bad = || CurveError::BadRange(text.to_string());
        let num = |s: &str| s.trim().parse::<u64>().map_err(|_| bad());
        match text.split_once("..") {
            Some((a, b)) => FrameRange::new(num(a)?, num(b.strip_prefix('=').unwrap_or(b))?),
            None => {
                let n = num(text)?;
                FrameRange::new(n, n)
            }
        }
    }

    /// The first frame count.
    pub fn first(self) -> u32 {
        self.first
    }

    /// The last frame count.
    pub fn last(self) -> u32 {
        self.last
    }

    /// How many frame counts it holds.
    pub fn len(self) -> usize {
        (self.last - self.first) as usize + 1
    }

    /// Always false: a range holds at least one count (for clippy's `len_without_is_empty`).
    pub fn is_empty(self) -> bool {
        false
    }

    /// The frame counts, in order.
    pub fn counts(self) -> std::ops::RangeInclusive<u32> {
        self.first..=self.last
    }
}

impl fmt::Display for FrameRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.first, self.last)
    }
}

/// Check that `refs` can be drawn: not empty, at most [`MAX_REFS`].
///
/// # Errors
/// [`CurveError::Empty`] or [`CurveError::TooLong`].
pub fn check_refs(refs: &[u32]) -> Result<(), CurveError> {
    if refs.is_empty() {
        return Err(CurveError::Empty);
    }
    if refs.len() > MAX_REFS {
        return Err(CurveError::TooLong {
            len: refs.len(),
            max: MAX_REFS,
        });
    }
    Ok(())
}

/// Read a reference string: page numbers separated by commas, spaces or semicolons.
///
/// # Errors
/// [`CurveError::NotAPage`] for a word that is not a page number, and the errors of
/// [`check_refs`] (empty, more than [`MAX_REFS`]).
pub fn parse_refs(text: &str) -> Result<Vec<u32>, CurveError> {
    let refs = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| {
            w.parse::<u32>().map_err(|_| CurveError::NotAPage {
                position: i + 1,
                word: w.chars().take(40).collect(),
            })
        })
        .collect::<Result<Vec<u32>, CurveError>>()?;
    check_refs(&refs)?;
    Ok(refs)
}

/// The LRU curve over `range`, from one pass of stack distances.
pub fn lru_curve(refs: &[u32], range: FrameRange) -> Vec<u64> {
    clip(lru_faults(refs, range.last), range)
}

/// The OPT curve over `range`, from one pass of the OPT stack.
pub fn opt_curve(refs: &[u32], range: FrameRange) -> Vec<u64> {
    clip(opt_faults(refs, range.last), range)
}

fn clip(mut all: Vec<u64>, range: FrameRange) -> Vec<u64> {
    all.drain(..range.first as usize - 1);
    all
}

/// `refs` without immediate repeats of a page: such a repeat hits under every policy with at
/// least one frame and changes no policy's state, so every curve is the same without it.
pub fn collapse_repeats(refs: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::with_capacity(refs.len());
    for &p in refs {
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

/// The curve of `kind` over `range` in one go (see [`CurveJob`] to spread the work).
pub fn miss_curve(kind: PolicyKind, refs: &[u32], range: FrameRange, seed: u64) -> Vec<u64> {
    let mut job = CurveJob::new(kind, refs, range, seed);
    while !job.step(u64::MAX) {}
    job.into_faults()
}

/// A curve computed a few frame counts at a time, so that a page can draw a progress bar.
#[derive(Clone, Debug)]
pub struct CurveJob {
    kind: PolicyKind,
    refs: Vec<u32>,
    /// How many references the uncollapsed string had (the faults of immediate repeats are
    /// zero, but the page shows the ratio to the original length).
    original: usize,
    range: FrameRange,
    seed: u64,
    faults: Vec<u64>,
}

impl CurveJob {
    /// A job for the curve of `kind` over `range` on `refs`, seeded with `seed` for Random.
    pub fn new(kind: PolicyKind, refs: &[u32], range: FrameRange, seed: u64) -> CurveJob {
        CurveJob {
            kind,
            refs: collapse_repeats(refs),
            original: refs.len(),
            range,
            seed,
            faults: Vec::with_capacity(range.len()),
        }
    }

    /// The policy.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// References in the original string.
    pub fn references(&self) -> usize {
        self.original
    }

    /// Work on the curve for about `budget` simulated references (at least one frame count,
    /// or the whole one-pass curve of a stack algorithm); true when it is complete.
    pub fn step(&mut self, budget: u64) -> bool {
        if self.done() {
            return true;
        }
        match self.kind {
            PolicyKind::Lru => self.faults = lru_curve(&self.refs, self.range),
            PolicyKind::Opt => self.faults = opt_curve(&self.refs, self.range),
            kind => {
                let mut spent = 0u64;
                while !self.done() && spent < budget {
                    let frames = self.range.first + self.faults.len() as u32;
                    let misses = count_misses(kind, frames, &self.refs, self.seed);
                    self.faults.push(u64::from(misses));
                    spent = spent.saturating_add(self.refs.len() as u64);
                }
            }
        }
        self.done()
    }

    /// Whether every frame count is done.
    pub fn done(&self) -> bool {
        self.faults.len() == self.range.len()
    }

    /// The share done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        self.faults.len() as f64 / self.range.len() as f64
    }

    /// Faults at the frame counts done so far, from the first of the range.
    pub fn faults(&self) -> &[u64] {
        &self.faults
    }

    /// The faults at every frame count of the range (complete once [`CurveJob::done`]).
    pub fn into_faults(self) -> Vec<u64> {
        self.faults
    }
}

/// Frame counts where the curve rises: more frames, more faults (Belady's anomaly).
/// `faults[i]` is the count at `first + i` frames.
pub fn belady_points(first: u32, faults: &[u64]) -> Vec<u32> {
    faults
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[1] > w[0])
        .map(|(i, _)| first + i as u32 + 1)
        .collect()
}

/// The knee of a curve: the frame count farthest below the straight line from its first to its
/// last point (both axes scaled to 0..1), where adding frames stops paying much. `None` if the
/// curve is flat or has fewer than three points.
pub fn knee(first: u32, faults: &[u64]) -> Option<u32> {
    let (&top, &bottom) = (faults.first()?, faults.last()?);
    let n = faults.len();
    if n < 3 || top <= bottom {
        return None;
    }
    let span = (top - bottom) as f64;
    let (mut best, mut at) = (0.0f64, None);
    for (i, &f) in faults.iter().enumerate() {
        let x = i as f64 / (n - 1) as f64;
        let line = 1.0 - x; // the chord, falling from 1 to 0
        let y = (f as f64 - bottom as f64) / span;
        let below = line - y;
        if below > best {
            best = below;
            at = Some(first + i as u32);
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::simulate;
    use proptest::prelude::*;

    const BELADY: [u32; 12] = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

    fn range(a: u64, b: u64) -> FrameRange {
        FrameRange::new(a, b).unwrap()
    }

    #[test]
    fn fifo_curve_shows_beladys_anomaly_at_four_frames() {
        let fifo = miss_curve(PolicyKind::Fifo, &BELADY, range(1, 6), 0);
        assert_eq!(fifo, [12, 12, 9, 10, 5, 5]);
        assert_eq!(belady_points(1, &fifo), [4]);
        for kind in [PolicyKind::Lru, PolicyKind::Opt] {
            let c = miss_curve(kind, &BELADY, range(1, 6), 0);
            assert!(belady_points(1, &c).is_empty(), "{kind:?}: {c:?}");
        }
        assert_eq!(
            miss_curve(PolicyKind::Lru, &BELADY, range(3, 5), 0),
            [10, 8, 5]
        );
        assert_eq!(
            miss_curve(PolicyKind::Opt, &BELADY, range(3, 5), 0),
            [7, 6, 5]
        );
    }

    #[test]
    fn frame_ranges_are_checked_and_parsed() {
        assert_eq!(FrameRange::parse("2..8"), Ok(range(2, 8)));
        assert_eq!(FrameRange::parse("2..=8"), Ok(range(2, 8)));
        assert_eq!(FrameRange::parse("5"), Ok(range(5, 5)));
        assert_eq!(
            FrameRange::parse("8..2"),
            Err(CurveError::Reversed { first: 8, last: 2 })
        );
        assert_eq!(
            FrameRange::parse("0..4"),
            Err(CurveError::FramesOutOfRange(0))
        );
        assert_eq!(
            FrameRange::parse("1..65537"),
            Err(CurveError::FramesOutOfRange(65_537))
        );
        assert!(matches!(
            FrameRange::parse("a..b"),
            Err(CurveError::BadRange(_))
        ));
        assert_eq!(range(1, 65_536).len(), 65_536);
        assert_eq!(check_refs(&[]), Err(CurveError::Empty));
        let too_long = vec![0u32; MAX_REFS + 1];
        assert_eq!(
            check_refs(&too_long).map_err(|e| e.to_string()),
            Err(
                "the reference string has 16777217 references; at most 16777216 are allowed".into()
            )
        );
        assert_eq!(parse_refs("1, 2;3 4"), Ok(vec![1, 2, 3, 4]));
        assert_eq!(parse_refs(" , "), Err(CurveError::Empty));
        assert_eq!(
            parse_refs("1,x2").map_err(|e| e.to_string()),
            Err("reference 2 is \"x2\", not a page number (0, 1, 2, ... up to 4294967295)".into())
        );
    }

    #[test]
    fn the_knee_is_where_the_curve_stops_falling_fast() {
        // A cliff from 100 to 10 at 4 frames, then nearly flat.
        let faults = [100, 100, 100, 10, 9, 8, 7, 6, 5];
        assert_eq!(knee(1, &faults), Some(4));
        assert_eq!(knee(1, &[5, 5, 5]), None);
    }

    #[test]
    fn a_job_advances_a_few_frame_counts_per_step() {
        let refs: Vec<u32> = (0..200).map(|i| i % 13).collect();
        let mut job = CurveJob::new(PolicyKind::Clock, &refs, range(1, 20), 3);
        assert!(!job.step(1));
        assert_eq!(job.faults().len(), 1);
        assert!((job.progress() - 0.05).abs() < 1e-9);
        while !job.step(400) {}
        assert_eq!(
            job.into_faults(),
            miss_curve(PolicyKind::Clock, &refs, range(1, 20), 3)
        );
    }

    proptest! {
        #[test]
        fn each_curve_is_the_policy_run_at_every_frame_count(
            refs in proptest::collection::vec(0u32..12, 1..80),
            seed in any::<u64>(),
        ) {
            let r = range(1, 14);
            for kind in CURVE_POLICIES {
                let curve = miss_curve(kind, &refs, r, seed);
                for (i, frames) in r.counts().enumerate() {
                    let plain = simulate(kind, frames, &refs, seed).misses;
                    prop_assert_eq!(curve[i], u64::from(plain), "{:?} at {} frames", kind, frames);
                }
            }
        }

        #[test]
        fn stack_algorithms_never_fault_more_with_more_frames(
            refs in proptest::collection::vec(0u32..40, 1..300),
        ) {
            for kind in [PolicyKind::Lru, PolicyKind::Opt] {
                let c = miss_curve(kind, &refs, range(1, 45), 0);
                prop_assert!(belady_points(1, &c).is_empty(), "{:?}: {:?}", kind, c);
            }
        }

        #[test]
        fn a_sub_range_is_the_same_part_of_the_whole_curve(
            refs in proptest::collection::vec(0u32..20, 1..100),
            a in 1u64..10, len in 0u64..10,
        ) {
            for kind in CURVE_POLICIES {
                let whole = miss_curve(kind, &refs, range(1, a + len), 7);
                let part = miss_curve(kind, &refs, range(a, a + len), 7);
                prop_assert_eq!(&whole[a as usize - 1..], &part[..]);
            }
        }
    }
}
