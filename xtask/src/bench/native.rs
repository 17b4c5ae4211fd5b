//! The native figures. They run in a release build of xtask (see `bench.rs`), on
//! `selfpage-core`'s own entry points: `exec::exec` (the bare emulator with a flat address
//! space built by core) and `Session`.

use std::path::Path;
use std::process::Command;

use selfpage_core::{exec, Kernel, KernelConfig, Scenario, Session, Stopped, Until};
use serde::{Deserialize, Serialize};

use super::clock::{children_cpu, rss_bytes, thread_cpu, wall};
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
        "thread CPU time",
    ));
    report
}

/// `n` with thousands separators.
fn num_u(n: u64) -> String {
    super::table::num(n as f64)
}

/// Why nasm, ld or running a 32-bit ELF cannot be used here, or `None` if they can.
fn nasm_missing() -> Option<String> {
    for tool in ["nasm", "ld"] {
        if crate::cmd::which(tool).is_none() {
            return Some(format!(
                "{tool} is not installed (cargo xtask setup installs it)"
            ));
        }
    }
    None
}

/// One of the two speed loops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loop {
    /// The 10-instruction register loop.
    Alu,
    /// The 1,024-page loop.
    Pages,
}

impl Loop {
    /// Its name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Loop::Alu => "register loop",
            Loop::Pages => "1,024-page loop",
        }
    }

    /// Its source for `iters` iterations (rounds of all pages for the page loop).
    pub fn source(self, iters: u64) -> String {
        match self {
            Loop::Alu => programs::alu_loop(iters),
            Loop::Pages => programs::page_loop(iters),
        }
    }

    /// The (small, large) iteration counts: on the emulator, or on the real CPU.
    pub fn iters(self, scale: Scale, real_cpu: bool) -> (u64, u64) {
        let large = match (self, real_cpu) {
            (Loop::Alu, false) => 30_000_000,
            (Loop::Alu, true) => 1_000_000_000,
            (Loop::Pages, false) => 15_000,
            (Loop::Pages, true) => 100_000,
        } / scale.divisor();
        (large / 10, large)
    }

    /// The goal for the native build, in MIPS.
    fn goal_native(self) -> u32 {
        match self {
            Loop::Alu => 400,
            Loop::Pages => 200,
        }
    }
}

/// An emulator speed measurement.
struct Speed {
    /// Millions of instructions per CPU second.
    mips: f64,
    /// Instructions per iteration, as the emulator counted them.
    per_iter: u64,
}

/// Runs `source` with `selfpage exec`'s machine; instructions retired and CPU seconds.
fn exec_timed(source: &str) -> Result<(u64, f64), String> {
    let t = thread_cpu();
    let r = exec::exec(source, None, u64::MAX);
    let dt = thread_cpu() - t;
    if r.stop != "exit" {
        return Err(format!(
            "the loop stopped with {}: {}",
            r.stop,
            r.message.unwrap_or_default()
        ));
    }
    Ok((r.steps, dt))
}

/// Emulator MIPS on a loop: CPU time of the large run minus the small run (which removes
/// assembling, RAM allocation and loading), best of the scale's repetitions.
fn emu_mips(kind: Loop, scale: Scale) -> Result<Speed, String> {
    let (small, large) = kind.iters(scale, false);
    let (small_src, large_src) = (kind.source(small), kind.source(large));
    let mut best: Option<Speed> = None;
    for _ in 0..scale.repetitions() {
        let (n0, t0) = exec_timed(&small_src)?;
        let (n1, t1) = exec_timed(&large_src)?;
        let per_iter = (n1 - n0) / (large - small);
        let mips = (n1 - n0) as f64 / (t1 - t0).max(1e-9) / 1e6;
        if best.as_ref().is_none_or(|b| mips > b.mips) {
            best = Some(Speed { mips, per_iter });
        }
    }
    best.ok_or_else(|| "no repetition ran".into())
}

/// Assembles `source` with nasm + ld into `dir/name`.
fn build_elf(source: &str, dir: &Path, name: &str) -> Result<std::path::PathBuf, String> {
    let asm = dir.join(format!("{name}.asm"));
    let obj = dir.join(format!("{name}.o"));
    let exe = dir.join(name);
    std::fs::write(&asm, programs::for_nasm_elf(source)).map_err(|e| e.to_string())?;
    let run = |c: &mut Command| -> Result<(), String> {
        let out = c.output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    };
    run(Command::new("nasm")
        .args(["-f", "elf32", "-o"])
        .arg(&obj)
        .arg(&asm))?;
    run(Command::new("ld")
        .args(["-m", "elf_i386", "-o"])
        .arg(&exe)
        .arg(&obj))?;
    Ok(exe)
}

/// CPU seconds of one run of `exe`, which must exit with status 0.
fn run_elf(exe: &Path) -> Result<f64, String> {
    let t = children_cpu();
    let status = Command::new(exe)
        .status()
        .map_err(|e| format!("cannot run a 32-bit ELF here: {e}"))?;
    if !status.success() {
        return Err(format!("the native loop failed ({status})"));
    }
    Ok(children_cpu() - t)
}

/// Real-CPU MIPS on a loop: the same source through nasm and ld, children's CPU time of
/// the large run minus the small one (which removes process start-up).
fn cpu_mips(kind: Loop, scale: Scale, per_iter: u64, dir: &Path) -> Result<Speed, String> {
    let (small, large) = kind.iters(scale, true);
    let small_exe = build_elf(&kind.source(small), dir, "small")?;
    let large_exe = build_elf(&kind.source(large), dir, "large")?;
    let mut best: Option<f64> = None;
    for _ in 0..scale.repetitions() {
        let t0 = run_elf(&small_exe)?;
        let t1 = run_elf(&large_exe)?;
        let mips = (per_iter * (large - small)) as f64 / (t1 - t0).max(1e-9) / 1e6;
        best = Some(best.map_or(mips, |b: f64| b.max(mips)));
    }
    Ok(Speed {
        mips: best.unwrap_or_default(),
        per_iter,
    })
}

/// Whether `nasm -f bin` at the project assembler's text address gives the same text bytes.
fn same_bytes(kind: Loop, dir: &Path) -> String {
    let source = kind.source(1000);
    let program = match x86_emu::asm::assemble(&source) {
        Ok(p) => p,
        Err(e) => return format!("project assembler failed: {e}"),
    };
    let Some(text) = program.segments.first() else {
        return "no text segment".into();
    };
    let (asm, bin) = (dir.join("bin.asm"), dir.join("bin.out"));
    let ok = std::fs::write(&asm, programs::for_nasm_bin(&source, text.addr)).is_ok()
        && Command::new("nasm")
            .args(["-f", "bin", "-o"])
            .arg(&bin)
            .arg(&asm)
            .output()
            .is_ok_and(|o| o.status.success());
    match std::fs::read(&bin) {
        Ok(bytes) if ok && bytes == text.bytes => "identical".into(),
        Ok(bytes) if ok => format!("DIFFERENT ({} vs {} bytes)", bytes.len(), text.bytes.len()),
        _ => "nasm -f bin failed".into(),
    }
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

/// ns per self-paging fault round trip: the difference of two first-touch runs divided
/// by the difference of their fault counts, and that count. Each run size counts its best
/// of [`FAULT_RUNS`] × the scale's repetitions (after one warm-up run): on a shared machine
/// the best of each is the run nothing else slowed, where the best of their differences
/// could pair a slowed small run with a fast large one.
fn fault_round_trip(scale: Scale) -> Result<(f64, u64), String> {
    let (small, large) = scale.touch_pages();
    let (small, large) = (
        programs::touch_scenario(small),
        programs::touch_scenario(large),
    );
    // Warm-up: the trace and the kernel's tables then grow into memory the process already
    // has, as in a session that has been running. Cold, each fault also pays ~0.6 host page
    // faults for that growth (fresh memory from the OS), which is not the round trip.
    run_scenario(&large)?;
    let (mut f0, mut f1) = (0, 0);
    let (mut t0, mut t1) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..FAULT_RUNS * scale.repetitions() {
        let (f, _, t) = run_scenario(&small)?;
        (f0, t0) = (f, t0.min(t));
        let (f, _, t) = run_scenario(&large)?;
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
    run_file_touch(&large)?;
    let (mut f0, mut f1) = (0, 0);
    let (mut t0, mut t1) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..FAULT_RUNS * scale.repetitions() {
        let (f, t) = run_file_touch(&small)?;
        (f0, t0) = (f, t0.min(t));
        let (f, t) = run_file_touch(&large)?;
        (f1, t1) = (f, t1.min(t));
    }
    let n = f1.saturating_sub(f0).max(1);
    Ok(((t1 - t0) * 1e9 / n as f64, n))
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
fn file_round_trip_row(scale: Scale, facts: &mut Facts) -> Row {
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

/// The least of `runs` measurements, or the first error.
fn least<E>(runs: usize, mut measure: impl FnMut() -> Result<f64, E>) -> Result<f64, E> {
    (0..runs)
        .map(|_| measure())
        .try_fold(f64::INFINITY, |best, x| x.map(|x| best.min(x)))
}

/// Runs of each size per repetition for the fault round trip: a run takes milliseconds.
pub const FAULT_RUNS: usize = 5;

/// The physmem figures (native); the browser rows add " (wasm, Chromium)".
pub const PHYSMEM_CHURN: &str = "physmem: allocate + map + deallocate a page (native)";
/// See [`PHYSMEM_CHURN`].
pub const PHYSMEM_COW: &str = "physmem: COW copy + write break of a page (native)";

/// Rounds of each physmem workload.
pub fn physmem_rounds(scale: Scale) -> u32 {
    (200_000 / scale.divisor()) as u32
}

/// physmem's own request paths, straight calls (no IPC, no trace): each round is what one
/// first-touch fault and release, or one fork-and-write, asks of the server.
fn physmem_rows(scale: Scale, facts: &mut Facts) -> Vec<Row> {
    let rounds = physmem_rounds(scale);
    let time = |work: fn(u32) -> Result<(), physmem::PhysmemError>| {
        least(scale.repetitions(), || {
            let t = thread_cpu();
            work(rounds).map(|()| (thread_cpu() - t) * 1e9 / f64::from(rounds))
        })
        .map_err(|e| format!("physmem refused a request: {e}"))
    };
    let churn = time(physmem::bench::allocate_map_deallocate);
    let cow = time(physmem::bench::cow_copy_and_break);
    facts.physmem_churn_ns = churn.as_ref().ok().copied();
    facts.physmem_cow_ns = cow.as_ref().ok().copied();
    let linux = facts.linux_fault_ns;
    let row = |figure: &str, r: Result<f64, String>, what: &str| match r {
        Ok(ns) => Row::new(figure, ns, "ns/page")
            .vs(linux, "Linux first touch")
            .timed(CPU)
            .note(format!(
                "{what}; best of {} runs of {rounds} rounds, CPU time; requests to \
                 physmem::Physmem::handle directly (no IPC, no trace)",
                scale.repetitions()
            )),
        Err(e) => Row::skipped(figure, "ns/page", &e),
    };
    vec![
        row(
            PHYSMEM_CHURN,
            churn,
            "ContainerAllocate 1 page, ContainerMap RW (binds and zeroes a frame), \
             ContainerDeallocate",
        ),
        row(
            PHYSMEM_COW,
            cow,
            "ContainerCopy copy-on-write of a bound page, then ContainerMap RW of the copy \
             (the private copy)",
        ),
    ]
}

/// Rows of the pressure scenario: instructions and faults per second.
fn pressure(scale: Scale, facts: &Facts) -> Vec<Row> {
    let json = programs::pressure_scenario(50, scale.pressure_steps());
    let figure_i = "4 tasks under pressure: instructions/s (native Session)";
    let figure_f = "4 tasks under pressure: faults/s (native Session)";
    let (faults, instructions, secs) = match run_scenario(&json) {
        Ok(r) => r,
        Err(e) => {
            return vec![
                Row::skipped(figure_i, "MIPS", &e),
                Row::skipped(figure_f, "faults/s", &e),
            ]
        }
    };
    let (pressure_events, snapshot_every) = session(&json)
        .map(|mut s| {
            // In chunks, so records are counted before the trace's limit drops them.
            let (mut seen, mut count) = (0, 0);
            loop {
                let before = s.kernel().retired();
                let stop = s.run(200_000, Until::Budget);
                let trace = s.kernel().trace();
                count += trace
                    .since(seen)
                    .iter()
                    .filter(|r| matches!(r.event.kind(), "pressure_request" | "revoked"))
                    .count();
                seen = trace.len();
                if stop != Stopped::Budget || s.kernel().retired() == before {
                    return (count, s.snapshot_every());
                }
            }
        })
        .unwrap_or_default();
    let mips = instructions as f64 / secs / 1e6;
    let fps = faults as f64 / secs;
    let figure_k = "4 tasks under pressure: instructions/s (native Kernel::run)";
    let kernel_row = match kernel_only(&json) {
        Ok((k_instructions, k_secs)) => {
            Row::new(figure_k, k_instructions as f64 / k_secs / 1e6, "MIPS")
                .vs(Some(mips), "the same run in a Session")
                .timed(CPU)
                .note(format!(
            "Kernel::boot + Kernel::run as Session::new configures them, without snapshots \
                 (every {} instructions a Session copies the kernel and its RAM); ratio = \
                 speed-up without snapshots",
            num_u(snapshot_every)
        ))
        }
        Err(e) => Row::skipped(figure_k, "MIPS", &e),
    };
    vec![
        Row::new(figure_i, mips, "MIPS")
            .vs(facts.emu_alu_mips, "emulator, register loop")
            .timed(CPU)
            .note(format!(
                "{} instructions, {faults} faults in {secs:.2} s CPU; 3 cyclic scanners \
                 (LRU, Clock, FIFO; guaranteed + extra < pages) and a 4th task arriving at \
                 time {} (start_at): {pressure_events} pressure-request/revoke records",
                num_u(instructions),
                num_u(programs::LATE_START)
            )),
        Row::new(figure_f, fps, "faults/s")
            .timed(CPU)
            .vs(
                facts.fault_ns.map(|ns| 1e9 / ns),
                "first-touch round trips/s",
            )
            .note(format!(
                "{:.0} instructions per fault; under pressure a fault also evicts and pages out",
                instructions as f64 / faults.max(1) as f64
            )),
        kernel_row,
    ]
}

/// Runs a scenario on a bare [`Kernel`] (no Session, so no snapshots) to the end of its
/// budget: (instructions, CPU seconds).
fn kernel_only(json: &str) -> Result<(u64, f64), String> {
    let scenario = Scenario::from_json(json).map_err(|e| e.to_string())?;
    let config = KernelConfig {
        invlpg: scenario.invlpg,
        ..KernelConfig::default()
    };
    let mut kernel = Kernel::boot(&scenario, config).map_err(|e| e.to_string())?;
    let t = thread_cpu();
    kernel.run(scenario.max_steps, Until::Budget);
    Ok((kernel.retired(), thread_cpu() - t))
}

/// Record at which the step-back figure is taken (the trace then has one more record).
const STEP_BACK_EVENT: u64 = 1_000_000;
/// Rows of the step-back figure and the snapshot-memory estimate.
fn step_back() -> Vec<Row> {
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
