//! Soak: random scenarios (preset programs with random guarantees, extra frames, policies,
//! arrival times and pressure handling, on machines of random size) run for many steps.
//! After every step that adds to the trace the kernel's invariants hold (page tables, the
//! mapping database and physmem agree; COW frames are read-only; physmem's own invariants),
//! and what a session keeps stays bounded (trace records, snapshots). At the end, rewinding
//! to a random event and running on gives the same trace hash.
//!
//! `SOAK_STEPS` sets the instructions per scenario (default 100,000) and `SOAK_CASES` the
//! number of scenarios (default 12); `cargo xtask fuzz` runs it with millions of steps.

use libhurd_mm::policy::PolicyKind;
use proptest::prelude::*;
use selfpage_core::{presets, KernelConfig, Scenario, Session, Stopped, TaskSpec, Until};

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
        let hash = s.summary().trace_hash;
        let target = (s.kernel().trace().len() as f64 * rewind) as u64;
        prop_assert!(s.goto_event(target));
        s.kernel().check_invariants().map_err(TestCaseError::fail)?;
        s.run_to_end();
        prop_assert_eq!(s.summary().trace_hash, hash);
    }
}
