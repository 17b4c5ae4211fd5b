//! Soak: random scenarios (preset programs with random guarantees, extra frames, policies,
//! arrival times and pressure handling, on machines of random size) run for many steps.
//! After every step that adds to the trace the kernel's invariants hold (page tables, the
//! mapping database and physmem agree; COW frames are read-only; physmem's own invariants),
//! and what a session keeps stays bounded (trace records, snapshots). At the end, rewinding
//! to a random event and running on gives the same trace hash. A second soak does the same
//! with a ramdisk, a file server and tasks that map, write, scan and msync its files.
//!
//! `SOAK_STEPS` sets the instructions per scenario (default 100,000) and `SOAK_CASES` the
//! number of scenarios (default 12); `cargo xtask fuzz` runs it with millions of steps.

use libhurd_mm::policy::PolicyKind;
use proptest::prelude::*;
use selfpage_core::{
    presets, DiskSpec, FileEntry, FsSpec, KernelConfig, Scenario, Session, Stopped, TaskSpec, Until,
};

/// The number in environment variable `name`, or `default`.
fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Instructions each scenario runs for.
fn steps() -> u64 {
    env_or("SOAK_STEPS", 100_000)
}

/// A task running a preset program with random settings.
fn task() -> impl Strategy<Value = TaskSpec> {
    let programs = presets::program_names();
    (
        0..programs.len(),
        1u32..48,
        0u32..48,
        0..PolicyKind::NAMES.len(),
        prop_oneof![Just(0u64), 0u64..50_000],
        any::<bool>(),
    )
        .prop_map(
            move |(p, guaranteed, extra, policy, start_at, ignore)| TaskSpec {
                name: programs[p].into(),
                source: None,
                preset: Some(programs[p].into()),
                lang: None,
                guaranteed,
                extra,
                policy: PolicyKind::NAMES[policy].into(),
                ignore_pressure: ignore,
                start_at,
            },
        )
}

/// A random machine with one to six tasks.
fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop_oneof![Just(64u32), Just(128), Just(256), Just(1024)],
        any::<u64>(),
        any::<bool>(),
        proptest::collection::vec(task(), 1..=6),
    )
        .prop_map(|(ram_frames, seed, invlpg, tasks)| Scenario {
            name: "soak".into(),
            ram_frames,
            kernel_frames: None,
            seed,
            max_steps: steps(),
            invlpg,
            tasks,
            disk: None,
            fs: None,
            files: Vec::new(),
        })
}

/// Runs `s` to its end, checking the invariants and the memory bounds after every step
/// that added to the trace.
fn run_checked(s: &mut Session) -> Result<(), TestCaseError> {
    let limit = KernelConfig::default().trace_limit;
    loop {
        let next = s.kernel().trace().len();
        let stop = s.run(u64::MAX, Until::Record(next));
        if let Err(e) = s.kernel().check_invariants() {
            return Err(TestCaseError::fail(format!(
                "after event {next} ({} instructions): {e}",
                s.kernel().retired()
            )));
        }
        prop_assert!(s.kernel().trace().records().len() <= limit);
        prop_assert!(s.snapshots_held() <= s.snapshot_limit() + 1);
        if !matches!(stop, Stopped::Event { .. }) {
            return Ok(());
        }
    }
}

/// Rewinds a finished session to the record at fraction `rewind` of its trace: the
/// invariants hold there, and running on gives the same trace again.
fn rewind_replays(s: &mut Session, rewind: f64) -> Result<(), TestCaseError> {
    let hash = s.summary().trace_hash;
    let target = (s.kernel().trace().len() as f64 * rewind) as u64;
    prop_assert!(s.goto_event(target));
    s.kernel().check_invariants().map_err(TestCaseError::fail)?;
    s.run_to_end();
    prop_assert_eq!(s.summary().trace_hash, hash);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(env_or("SOAK_CASES", 12) as u32))]

    #[test]
    fn invariants_hold_after_every_event_and_memory_stays_bounded(
        scenario in scenario(),
        rewind in 0.0f64..1.0,
    ) {
        let Ok(mut s) = Session::new(scenario) else {
            // Refused with a reason (e.g. guarantees larger than memory): nothing to soak.
            return Ok(());
        };
        run_checked(&mut s)?;
        rewind_replays(&mut s, rewind)?;
    }
}

/// The file presets' programs, and two that use only anonymous memory beside them.
const FILE_PROGRAMS: [&str; 6] = [
    "file-writer",
    "file-reader",
    "file-private",
    "file-scan",
    "seq-scan",
    "hog",
];

/// A random machine with a disk holding the files the file programs open (of random sizes:
/// some too small for what the programs map, so faults past the end happen too), a file
/// server with a random cache, and one to five tasks.
fn file_scenario() -> impl Strategy<Value = Scenario> {
    let task = (
        0..FILE_PROGRAMS.len(),
        1u32..24,
        0u32..16,
        prop_oneof![Just(0u64), 0u64..20_000],
    )
        .prop_map(|(p, guaranteed, extra, start_at)| TaskSpec {
            name: FILE_PROGRAMS[p].into(),
            source: None,
            preset: Some(FILE_PROGRAMS[p].into()),
            lang: None,
            guaranteed,
            extra,
            policy: "lru".into(),
            ignore_pressure: false,
            start_at,
        });
    let file = |path: &'static str| {
        (1u32..40_000).prop_map(move |size| FileEntry {
            path: path.into(),
            size,
            content: Some(format!("{path} ")),
        })
    };
    (
        prop_oneof![Just(128u32), Just(256), Just(512)],
        any::<u64>(),
        (1u32..8, 0u32..12, any::<bool>()),
        (
            file("/data/table"),
            file("/etc/config"),
            (1u32..48).prop_map(|p| p * 4096),
        ),
        proptest::collection::vec(task, 1..=5),
    )
        .prop_map(
            |(ram_frames, seed, (guaranteed, extra, fifo), (table, config, big), tasks)| Scenario {
                name: "soak with files".into(),
                ram_frames,
                kernel_frames: None,
                seed,
                max_steps: steps(),
                invlpg: true,
                tasks,
                disk: Some(DiskSpec { blocks: 128 }),
                fs: Some(FsSpec {
                    guaranteed,
                    extra,
                    policy: if fifo { "fifo" } else { "lru" }.into(),
                }),
                files: vec![
                    table,
                    config,
                    FileEntry {
                        path: "/data/big".into(),
                        size: big,
                        content: None,
                    },
                ],
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(env_or("SOAK_CASES", 12) as u32))]

    #[test]
    fn with_files_invariants_hold_nothing_dirty_is_left_and_rewind_replays(
        scenario in file_scenario(),
        rewind in 0.0f64..1.0,
    ) {
        let Ok(mut s) = Session::new(scenario) else {
            return Ok(());
        };
        run_checked(&mut s)?;
        let done = s.kernel().tasks().all(|t| t.state.is_done());
        if let (true, Some(fs)) = (done, s.kernel().file_server()) {
            prop_assert_eq!(fs.stats().dirty, 0, "every dirty page reached the disk at the end");
        }
        rewind_replays(&mut s, rewind)?;
    }
}
