//! The native figures. They run in a release build of xtask (see `bench.rs`), on
//! `selfpage-core`'s own entry points: `exec::exec` (the bare emulator with a flat address
//! space built by core) and `Session`.

mod loops;
mod physmem_figures;
mod pressure;
mod round_trips;
mod step_back;

pub use loops::Loop;
pub use physmem_figures::{physmem_rounds, PHYSMEM_CHURN, PHYSMEM_COW};
pub use round_trips::{file_touch_pages, FAULT_RUNS, FILE_ROUND_TRIP};

use selfpage_core::{Scenario, Session, Stopped, Until};
use serde::{Deserialize, Serialize};

use loops::{cpu_mips, emu_mips, nasm_missing, same_bytes};
use physmem_figures::physmem_rows;
use pressure::pressure;
use round_trips::{fault_round_trip, file_round_trip_row};
use step_back::step_back;

use super::clock::{thread_cpu, wall};
use super::programs;
use super::table::Row;
use super::{linux, progress, Scale};

/// What times the native figures: the CPU time of the measuring thread, so that other load
/// on the shared cores does not count.
pub const CPU: &str = "CPU time";
/// What times the step-back figures (a wall clock, as a user waits for them).
const WALL: &str = "wall clock";

/// Native numbers the browser rows are compared with.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Facts {
    /// Emulator MIPS on the register loop.
    pub emu_alu_mips: Option<f64>,
    /// Emulator MIPS on the page loop.
    pub emu_pages_mips: Option<f64>,
    /// Real-CPU MIPS on the register loop.
    pub cpu_alu_mips: Option<f64>,
    /// Real-CPU MIPS on the page loop.
    pub cpu_pages_mips: Option<f64>,
    /// Emulator ns per self-paging fault round trip.
    pub fault_ns: Option<f64>,
    /// Linux ns per first-touch anonymous page fault.
    pub linux_fault_ns: Option<f64>,
    /// Session instructions per second on the UI scenario.
    pub ui_session_ips: Option<f64>,
    /// physmem ns per allocate + map + deallocate of a page.
    pub physmem_churn_ns: Option<f64>,
    /// physmem ns per COW copy + break of a page.
    pub physmem_cow_ns: Option<f64>,
    /// Emulator ns per first touch of a cached file page through a shared mapping.
    #[serde(default)]
    pub file_ns: Option<f64>,
    /// Linux ns per first touch of a page of a `MAP_SHARED` mapping of a `/dev/shm` file.
    #[serde(default)]
    pub linux_shm_ns: Option<f64>,
    /// The C compile's time over the assembler's on its output, natively.
    pub c_compile_ratio: Option<f64>,
}

/// Every native figure and its unit, for the rows shown when the native run fails.
pub const FIGURES: &[(&str, &str)] = &[
    ("emulator speed, register loop (native)", "MIPS"),
    ("emulator speed, 1,024-page loop (native)", "MIPS"),
    ("fault round trip (native)", "ns/fault"),
    (FILE_ROUND_TRIP, "ns/fault"),
    (PHYSMEM_CHURN, "ns/page"),
    (PHYSMEM_COW, "ns/page"),
    ("userfaultfd round trip (Linux)", "ns/fault"),
    (
        "4 tasks under pressure: instructions/s (native Session)",
        "MIPS",
    ),
    (
        "4 tasks under pressure: faults/s (native Session)",
        "faults/s",
    ),
    (
        "4 tasks under pressure: instructions/s (native Kernel::run)",
        "MIPS",
    ),
    ("goto_event(999,990) after 1,000,000 events", "ms"),
    ("step_back() at event 999,990", "ms"),
    ("snapshot memory per 1,000,000 events (estimate)", "MiB"),
    (
        "LRU miss-ratio curve, 4,096 frame counts, one pass (native)",
        "ms",
    ),
    (
        "OPT miss-ratio curve, 4,096 frame counts, one pass (native)",
        "ms",
    ),
];

/// What the native half of the benchmark reports.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// Table rows.
    pub rows: Vec<Row>,
    /// Numbers for the browser rows.
    pub facts: Facts,
}

/// Runs every native figure.
pub fn all(scale: Scale) -> Report {
    let mut report = Report::default();
    let tmp = std::env::temp_dir().join(format!("selfpage-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&tmp);
    let nasm = nasm_missing();

    // 1. The two loops: emulator vs. real CPU.
    for kind in [Loop::Alu, Loop::Pages] {
        progress(&format!("native: {} on the emulator", kind.name()));
        let emu = emu_mips(kind, scale);
        let cpu = match (&nasm, &emu) {
            (Some(why), _) => Err(why.clone()),
            (None, Err(e)) => Err(format!("emulator side failed: {e}")),
            (None, Ok(e)) => {
                progress(&format!("native: {} on the real CPU", kind.name()));
                cpu_mips(kind, scale, e.per_iter, &tmp)
            }
        };
        let same_bytes = if nasm.is_none() {
            same_bytes(kind, &tmp)
        } else {
            "not checked (no nasm)".into()
        };
        let figure = format!("emulator speed, {} (native)", kind.name());
        let row = match &emu {
            Err(e) => Row::skipped(&figure, "MIPS", e),
            Ok(e) => {
                let (reference, why) = match &cpu {
                    Ok(c) => (Some(c.mips), String::new()),
                    Err(why) => (None, format!("; real CPU skipped: {why}")),
                };
                Row::new(&figure, e.mips, "MIPS")
                    .vs(reference, "real CPU, nasm + ld")
                    .timed(CPU)
                    .note(format!(
                        "CPU time of {} minus {} iterations ({} instructions/iteration, counted \
                         by the emulator); bytes vs. nasm -f bin: {same_bytes}; goal ≥{} MIPS{why}",
                        num_u(kind.iters(scale, false).1),
                        num_u(kind.iters(scale, false).0),
                        e.per_iter,
                        kind.goal_native()
                    ))
            }
        };
        report.rows.push(row);
        let mips = emu.ok().map(|e| e.mips);
        let cpu = cpu.ok().map(|c| c.mips);
        match kind {
            Loop::Alu => (report.facts.emu_alu_mips, report.facts.cpu_alu_mips) = (mips, cpu),
            Loop::Pages => (report.facts.emu_pages_mips, report.facts.cpu_pages_mips) = (mips, cpu),
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);

    // 3. The self-paging fault round trip vs. Linux's first-touch fault.
    progress("native: Linux first-touch page faults");
    // The best of as many runs as ours: the machine is shared, and both figures are bests.
    let linux = least(scale.repetitions(), || {
        linux::first_touch_ns(scale.linux_mib())
    });
    report.facts.linux_fault_ns = linux.as_ref().ok().copied();
    progress("native: self-paging fault round trips");
    let faults = fault_round_trip(scale);
    report.facts.fault_ns = faults.as_ref().ok().map(|f| f.0);
    let figure = "fault round trip (native)";
    report.rows.push(match faults {
        Err(e) => Row::skipped(figure, "ns/fault", &e),
        Ok((ns, n)) => Row::new(figure, ns, "ns/fault")
            .vs(linux.as_ref().ok().copied(), "Linux first touch")
            .timed(CPU)
            .note(format!(
                "user #PF → fault IPC → libhurd-mm pager → physmem RPCs → map → resume; CPU time \
                 of {n} faults (difference of runs of {} and {} pages in {} frames, the best of \
                 {} of each, after a warm-up run){}",
                scale.touch_pages().1,
                scale.touch_pages().0,
                programs::BIG_RAM_FRAMES,
                FAULT_RUNS * scale.repetitions(),
                match &linux {
                    Ok(_) => format!(
                        "; Linux: vec![0u8; {} MiB] (calloc → mmap), one write per 4 KiB page, \
                         minus a second pass, best of {} runs",
                        scale.linux_mib(),
                        scale.repetitions()
                    ),
                    Err(e) => format!("; Linux reference failed: {e}"),
                }
            )),
    });
    progress("native: file-page round trips and Linux MAP_SHARED first touches");
    report
        .rows
        .push(file_round_trip_row(scale, &mut report.facts));
    progress("native: physmem requests");
    report.rows.extend(physmem_rows(scale, &mut report.facts));

    progress("native: userfaultfd round trips");
    report
        .rows
        .push(match linux::userfaultfd_ns(scale.uffd_pages()) {
            Ok(ns) => Row::new("userfaultfd round trip (Linux)", ns, "ns/fault")
                .vs(linux.as_ref().ok().copied(), "Linux first touch")
                .timed("CPU time, 2 threads")
                .note(format!(
                "a handler thread answers each missing-page event with UFFDIO_ZEROPAGE; CPU time of \
                 both threads per fault over {} pages; the user-space pager reference closest to self-paging; varies several-fold with the load on the \
                 shared cores (each fault is two thread hand-offs)",
                scale.uffd_pages()
            )),
            Err(e) => Row::skipped("userfaultfd round trip (Linux)", "ns/fault", &e),
        });

    // 4. Four tasks under memory pressure.
    progress("native: 4 tasks under memory pressure");
    report.rows.extend(pressure(scale, &report.facts));

    // 5. Step back at event 1,000,000.
    progress("native: run to event 1,000,000, then goto_event and step_back");
    report.rows.extend(step_back());
    report.rows.extend(super::c::rows(scale, &mut report.facts));

    // 6. (reference for the page) Session speed on the UI scenario.
    progress("native: Session speed on the 4,096-frame UI scenario");
    report.facts.ui_session_ips = session_ips(&programs::ui_scenario(), scale.ui_seconds()).ok();

    // 7. Miss-ratio curves in one pass vs. one simulation.
    progress("native: LRU and OPT miss-ratio curves vs. single simulations");
    report.rows.extend(super::curves::rows(
        super::curves::native(scale),
        "native",
        scale,
        "thread CPU time, after one untimed run",
    ));
    report
}

/// `n` with thousands separators.
fn num_u(n: u64) -> String {
    super::table::num(n as f64)
}

/// Boots a scenario given as JSON.
fn session(json: &str) -> Result<Session, String> {
    let scenario = Scenario::from_json(json).map_err(|e| e.to_string())?;
    Session::new(scenario).map_err(|e| e.to_string())
}

/// Runs a scenario to the end: (faults, instructions, CPU seconds of the run, not the boot).
fn run_scenario(json: &str) -> Result<(u64, u64, f64), String> {
    let mut s = session(json)?;
    let t = thread_cpu();
    s.run_to_end();
    let dt = thread_cpu() - t;
    let summary = s.summary();
    let faults = summary.tasks.iter().map(|t| t.faults).sum();
    Ok((faults, summary.instructions, dt))
}

/// The least of `runs` measurements, or the first error.
fn least<E>(runs: usize, mut measure: impl FnMut() -> Result<f64, E>) -> Result<f64, E> {
    (0..runs)
        .map(|_| measure())
        .try_fold(f64::INFINITY, |best, x| x.map(|x| best.min(x)))
}

/// Session instructions per CPU second on a scenario, from boot, for about `seconds`.
fn session_ips(json: &str, seconds: f64) -> Result<f64, String> {
    let mut s = session(json)?;
    let (t, w) = (thread_cpu(), wall());
    loop {
        let before = s.kernel().retired();
        let stop = s.run(1_000_000, Until::Budget);
        let dt = thread_cpu() - t;
        let busy = wall() - w > 4.0 * seconds; // the cores are shared: bound the wall time too
        if dt >= seconds || busy || stop != Stopped::Budget || s.kernel().retired() == before {
            return Ok(s.kernel().retired() as f64 / dt.max(1e-9));
        }
    }
}
