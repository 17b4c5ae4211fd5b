//! The step-back figures: goto_event and step_back after 1,000,000 events, and the
//! snapshot memory they cost.

use selfpage_core::{Stopped, Until};

use super::{num_u, session, WALL};
use crate::bench::clock::{rss_bytes, wall};
use crate::bench::programs;
use crate::bench::table::Row;

/// Record at which the step-back figure is taken (the trace then has one more record).
const STEP_BACK_EVENT: u64 = 1_000_000;
/// Rows of the step-back figure and the snapshot-memory estimate.
pub(super) fn step_back() -> Vec<Row> {
    let figure_goto = "goto_event(999,990) after 1,000,000 events";
    let figure_back = "step_back() at event 999,990";
    let figure_mem = "snapshot memory per 1,000,000 events (estimate)";
    let fail = |e: String| {
        vec![
            Row::skipped(figure_goto, "ms", &e),
            Row::skipped(figure_back, "ms", &e),
            Row::skipped(figure_mem, "MiB", &e),
        ]
    };
    let json = programs::pressure_scenario(50, 2_000_000_000);
    let rss0 = rss_bytes();
    let mut s = match session(&json) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let ram_bytes = u64::from(s.scenario().ram_frames) * 4096;
    let t = wall();
    match s.run(u64::MAX, Until::Record(STEP_BACK_EVENT)) {
        Stopped::Event { .. } => {}
        other => return fail(format!("the run ended early: {other:?}")),
    }
    let forward_ms = (wall() - t) * 1e3;
    let events = s.kernel().trace().len();
    let retired = s.kernel().retired();
    let rss1 = rss_bytes();

    let target = STEP_BACK_EVENT - 10;
    let t = wall();
    let reached = s.goto_event(target);
    let goto_ms = (wall() - t) * 1e3;
    let t = wall();
    s.step_back();
    let back_ms = (wall() - t) * 1e3;
    if !reached {
        return fail(format!("goto_event({target}) did not reach it"));
    }

    let ram_part = ram_bytes * s.snapshots_held() as u64;
    let estimate = ram_part as f64 / (events as f64 / 1e6);
    let mib = |b: f64| b / (1024.0 * 1024.0);
    let measured = match (rss0, rss1) {
        (Some(a), Some(b)) if b > a => Some((b - a) as f64),
        _ => None,
    };
    vec![
        Row::new(figure_goto, goto_ms, "ms")
            .vs(Some(forward_ms), "run from boot to there")
            .timed(WALL)
            .note(format!(
                "4-task pressure scenario, {} instructions; replays from the nearest earlier \
                 snapshot (every {} instructions, at most {} kept at this RAM size)",
                num_u(retired),
                num_u(s.snapshot_every()),
                s.snapshot_limit()
            )),
        Row::new(figure_back, back_ms, "ms")
            .vs(Some(forward_ms), "run from boot to there")
            .timed(WALL),
        Row::new(figure_mem, mib(estimate), "MiB")
            .vs(
                measured.map(|m| mib(m / (events as f64 / 1e6))),
                "measured RSS growth",
            )
            .note(format!(
                "ESTIMATE: RAM bytes × snapshots kept = {} KiB × {} (boot included); snapshots keep RAM, \
                 not trace records (core/src/session.rs), and their page tables, physmem and \
                 pager state are not counted; the measured RSS growth also holds the live \
                 trace ({} records kept)",
                ram_bytes / 1024,
                s.snapshots_held(),
                num_u(s.kernel().trace().records().len() as u64),
            )),
    ]
}
