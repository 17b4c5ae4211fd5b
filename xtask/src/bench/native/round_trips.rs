//! The fault round trips: a first-touch anonymous page and a cached file page through a
//! shared mapping, each against the matching Linux first touch.

use selfpage_core::{Stopped, Until};

use super::{least, run_scenario, session, Facts, CPU};
use crate::bench::clock::thread_cpu;
use crate::bench::table::Row;
use crate::bench::{linux, programs, Scale};

/// ns per self-paging fault round trip: the difference of two first-touch runs divided
/// by the difference of their fault counts, and that count. Each run size counts its best
/// of [`FAULT_RUNS`] × the scale's repetitions (after one warm-up run): on a shared machine
/// the best of each is the run nothing else slowed, where the best of their differences
/// could pair a slowed small run with a fast large one.
pub(super) fn fault_round_trip(scale: Scale) -> Result<(f64, u64), String> {
    let (small, large) = scale.touch_pages();
    let (small, large) = (
        programs::touch_scenario(small),
        programs::touch_scenario(large),
    );
    ns_per_extra_fault(scale, &small, &large, |json| {
        run_scenario(json).map(|(faults, _, t)| (faults, t))
    })
}

/// ns per fault of the `large` scenario beyond the `small` one, and that fault count: one
/// warm-up run of `large`, then the best CPU seconds of each over [`FAULT_RUNS`] × the
/// scale's repetitions. `run` runs a scenario: (faults, CPU seconds).
fn ns_per_extra_fault(
    scale: Scale,
    small: &str,
    large: &str,
    mut run: impl FnMut(&str) -> Result<(u64, f64), String>,
) -> Result<(f64, u64), String> {
    // Warm-up: the trace and the kernel's tables then grow into memory the process already
    // has, as in a session that has been running. Cold, each fault also pays ~0.6 host page
    // faults for that growth (fresh memory from the OS), which is not the round trip.
    run(large)?;
    let (mut f0, mut f1) = (0, 0);
    let (mut t0, mut t1) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..FAULT_RUNS * scale.repetitions() {
        let (f, t) = run(small)?;
        (f0, t0) = (f, t0.min(t));
        let (f, t) = run(large)?;
        (f1, t1) = (f, t1.min(t));
    }
    let n = f1.saturating_sub(f0).max(1);
    Ok(((t1 - t0) * 1e9 / n as f64, n))
}

/// Runs a file-touch scenario: (the toucher's faults, CPU seconds from its arrival to the
/// end of the run).
fn run_file_touch(json: &str) -> Result<(u64, f64), String> {
    let mut s = session(json)?;
    // The warm-up task runs alone; the toucher arrives at the next call.
    match s.run(u64::MAX, Until::Event("task_exited")) {
        Stopped::Event { .. } => {}
        other => return Err(format!("the warm-up task did not exit: {other:?}")),
    }
    let t = thread_cpu();
    s.run_to_end();
    let dt = thread_cpu() - t;
    let summary = s.summary();
    let faults = summary
        .tasks
        .iter()
        .find(|t| t.name == "toucher")
        .map_or(0, |t| t.faults);
    Ok((faults, dt))
}

/// ns per first touch of a cached file page through a shared mapping (the difference of two
/// sizes, best of several runs each, as [`fault_round_trip`]), and the fault count.
fn file_round_trip(scale: Scale) -> Result<(f64, u64), String> {
    let (small, large) = file_touch_pages(scale);
    let (small, large) = (
        programs::file_touch_scenario(small),
        programs::file_touch_scenario(large),
    );
    ns_per_extra_fault(scale, &small, &large, run_file_touch)
}

/// Pages of the (small, large) file-touch runs: the file server caches the whole file.
pub fn file_touch_pages(scale: Scale) -> (u32, u32) {
    let (small, large) = scale.touch_pages();
    (small.min(1000), large.min(2000))
}

/// The file-page figure (native); the browser row adds " (wasm, Chromium)".
pub const FILE_ROUND_TRIP: &str = "file page round trip (native)";

/// The file-page row: our round trip against Linux's first touch of a `MAP_SHARED` page of a
/// `/dev/shm` file, measured in the same run.
pub(super) fn file_round_trip_row(scale: Scale, facts: &mut Facts) -> Row {
    let figure = FILE_ROUND_TRIP;
    let linux = least(scale.repetitions(), || {
        linux::shm_first_touch_ns(scale.linux_mib())
    });
    facts.linux_shm_ns = linux.as_ref().ok().copied();
    let measured = file_round_trip(scale);
    facts.file_ns = measured.as_ref().ok().map(|&(ns, _)| ns);
    match measured {
        Err(e) => Row::skipped(figure, "ns/fault", &e),
        Ok((ns, n)) => Row::new(figure, ns, "ns/fault")
            .vs(
                linux.as_ref().ok().copied(),
                "Linux MAP_SHARED /dev/shm first touch",
            )
            .timed(CPU)
            .note(format!(
                "first write to a cached file page through a shared mapping: user #PF → fault \
                 IPC → libhurd-mm pager → file server (cache hit, unlock) → physmem map → \
                 resume; CPU time of {n} faults (difference of two sizes, best of {} runs \
                 each); {}; goal: below Linux's; the wasm figure is the row after",
                FAULT_RUNS * scale.repetitions(),
                match &linux {
                    Ok(_) => format!(
                        "Linux: a {} MiB /dev/shm file written, mmap MAP_SHARED, one write per \
                         page minus a second pass, best of {} runs",
                        scale.linux_mib(),
                        scale.repetitions()
                    ),
                    Err(e) => format!("Linux reference failed: {e}"),
                }
            )),
    }
}

/// Runs of each size per repetition for the fault round trip: a run takes milliseconds.
pub const FAULT_RUNS: usize = 5;
