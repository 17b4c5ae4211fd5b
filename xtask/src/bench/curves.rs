//! The miss-ratio curve figures: LRU's and OPT's whole curves (every frame count from 1 to
//! 4,096) in one pass of stack distances, each against one plain simulation of the same
//! policy at one frame count on the same reference string. Goal: the whole curve costs at
//! most 3 single simulations. Natively here; in wasm through `benchCurves` (web/src/bench.rs).

use libhurd_mm::curve::{lru_curve, opt_curve, FrameRange};
use libhurd_mm::single::{lru_misses, opt_misses, uniform_refs};
use serde::{Deserialize, Serialize};

use super::clock::thread_cpu;
use super::table::Row;
use super::Scale;

/// Pages the references are drawn from (and the largest frame count of the curves).
pub const PAGES: u32 = 4096;
/// The frame count of the single simulations.
pub const SINGLE_FRAMES: u32 = 2048;
/// Seed of the reference string.
pub const SEED: u64 = 1;
/// The goal: a whole curve costs at most this many single simulations.
pub const GOAL: f64 = 3.0;

/// References in the string.
pub fn references(scale: Scale) -> usize {
    if scale.quick {
        2_000_000
    } else {
        10_000_000
    }
}

/// Best times in milliseconds (as `benchCurves` returns them).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Times {
    /// The LRU curve.
    pub lru_curve_ms: f64,
    /// One LRU simulation.
    pub lru_single_ms: f64,
    /// The OPT curve.
    pub opt_curve_ms: f64,
    /// One OPT simulation.
    pub opt_single_ms: f64,
}

/// The native times: best of the scale's repetitions after one untimed run, thread CPU time.
pub fn native(scale: Scale) -> Result<Times, String> {
    let refs = uniform_refs(references(scale), PAGES, SEED);
    let all = FrameRange::new(1, u64::from(PAGES)).map_err(|e| e.to_string())?;
    let best = |f: &dyn Fn() -> u64| {
        std::hint::black_box(f()); // one untimed run (the page warms up longer: V8 tiers up)
        (0..scale.repetitions())
            .map(|_| {
                let t = thread_cpu();
                std::hint::black_box(f());
                (thread_cpu() - t) * 1e3
            })
            .fold(f64::INFINITY, f64::min)
    };
    let at = SINGLE_FRAMES as usize - 1;
    // The curves must agree with the single simulations at that frame count.
    let (lru, opt) = (lru_curve(&refs, all), opt_curve(&refs, all));
    if lru[at] != lru_misses(&refs, SINGLE_FRAMES) || opt[at] != opt_misses(&refs, SINGLE_FRAMES) {
        return Err("a curve disagrees with the single simulation".into());
    }
    Ok(Times {
        lru_curve_ms: best(&|| lru_curve(&refs, all)[at]),
        lru_single_ms: best(&|| lru_misses(&refs, SINGLE_FRAMES)),
        opt_curve_ms: best(&|| opt_curve(&refs, all)[at]),
        opt_single_ms: best(&|| opt_misses(&refs, SINGLE_FRAMES)),
    })
}

/// The figures' names for `place` ("native" or "wasm, Chromium").
pub fn figures(place: &str) -> [String; 2] {
    ["LRU", "OPT"].map(|p| format!("{p} miss-ratio curve, 4,096 frame counts, one pass ({place})"))
}

/// The two rows from `times` measured at `place`, or skipped rows saying why.
pub fn rows(times: Result<Times, String>, place: &str, scale: Scale, clock: &str) -> Vec<Row> {
    let [lru, opt] = figures(place);
    let t = match times {
        Ok(t) => t,
        Err(e) => return vec![Row::skipped(&lru, "ms", &e), Row::skipped(&opt, "ms", &e)],
    };
    let note = |policy: &str| {
        format!(
            "{} uniformly random references over {PAGES} pages (seed {SEED}, no locality: the \
             deepest stacks); vs. one plain {policy} simulation at {SINGLE_FRAMES} frames on \
             the same string; goal ratio ≤ {GOAL}; best of {}, {clock}",
            super::table::num(references(scale) as f64),
            scale.repetitions()
        )
    };
    vec![
        Row::new(&lru, t.lru_curve_ms, "ms")
            .vs(Some(t.lru_single_ms), "one LRU simulation")
            .note(note("LRU (linked list)")),
        Row::new(&opt, t.opt_curve_ms, "ms")
            .vs(Some(t.opt_single_ms), "one OPT simulation")
            .note(note("OPT (heap of next uses)")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_native_figures_are_listed_for_skipped_runs() {
        for f in figures("native") {
            assert!(
                super::super::native::FIGURES.iter().any(|(n, _)| *n == f),
                "{f}"
            );
        }
    }
}
