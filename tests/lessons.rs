//! The guided lessons (core/lessons/), followed the way a student would: each lesson's
//! scenario is driven through its steps, each step's check must turn true only once its
//! step is done, every graded answer and every row of its "Measured" table must equal what
//! the run measures, and each lesson's further claims (below) must hold. docs/lessons/ must
//! be what the sources generate.

use libhurd_mm::{simulate, PagerEvent, PolicyKind};
use physmem::Request;
use selfpage_core::lessons::{self, markdown, Act, Answer, Grade, Lesson};
use selfpage_core::{
    presets, views, Event, KernelConfig, Scenario, Session, Stopped, Summary, TaskSummary,
};

#[path = "lesson_claims/curves.rs"]
mod curves;
#[path = "lesson_claims/files.rs"]
mod files;
#[path = "lesson_claims/memory.rs"]
mod memory;

use curves::*;
use files::*;
use memory::*;

/// Boots a preset scenario with a kernel configuration and runs it to the end.
fn run_with(name: &str, config: KernelConfig) -> Session {
    let scenario = presets::scenario(name).unwrap_or_else(|| panic!("no preset {name}"));
    let mut s = Session::with_config(scenario, config)
        .unwrap_or_else(|e| panic!("preset {name} does not boot: {e}"));
    assert_eq!(s.run_to_end(), Stopped::AllDone, "{name} did not finish");
    s
}

/// Boots a preset scenario (with its own kernel switches) and runs it to the end.
fn run(name: &str) -> Session {
    let scenario = presets::scenario(name).unwrap_or_else(|| panic!("no preset {name}"));
    let mut s =
        Session::new(scenario).unwrap_or_else(|e| panic!("preset {name} does not boot: {e}"));
    assert_eq!(s.run_to_end(), Stopped::AllDone, "{name} did not finish");
    s
}

/// The summary of the task called `task`.
fn task<'a>(summary: &'a Summary, task: &str) -> &'a TaskSummary {
    summary
        .tasks
        .iter()
        .find(|t| t.name == task)
        .unwrap_or_else(|| panic!("no task {task} in {}", summary.scenario))
}

/// The only task of a one-task scenario.
fn only(summary: &Summary) -> &TaskSummary {
    assert_eq!(summary.tasks.len(), 1, "{}", summary.scenario);
    &summary.tasks[0]
}

/// The pager events of task `id`, in order.
fn pager_events(s: &Session, id: u32) -> Vec<PagerEvent> {
    s.kernel()
        .trace()
        .records()
        .iter()
        .filter_map(|r| match &r.event {
            Event::Pager { task, event } if *task == id => Some(event.clone()),
            _ => None,
        })
        .collect()
}

/// Misses of every simulated policy on `refs` with `frames` frames, OPT first.
fn misses_by_policy(frames: u32, refs: &[u32]) -> Vec<(PolicyKind, u32)> {
    let mut kinds = vec![PolicyKind::Opt];
    kinds.extend(
        PolicyKind::ALL
            .into_iter()
            .filter(|&k| k != PolicyKind::Opt && k != PolicyKind::Callback),
    );
    kinds
        .into_iter()
        .map(|k| (k, simulate(k, frames, refs, 1).misses))
        .collect()
}

/// OPT has no more misses than any other policy on `refs`.
fn assert_opt_is_best(lesson: &str, frames: u32, refs: &[u32]) -> u32 {
    let all = misses_by_policy(frames, refs);
    let opt = all[0].1;
    for (k, m) in &all {
        assert!(opt <= *m, "{lesson}: OPT {opt} misses but {k} only {m}");
    }
    opt
}

/// The cyclic scan's page reference string: pages 0..pages, `rounds` times.
fn cyclic_refs(pages: u32, rounds: u32) -> Vec<u32> {
    (0..rounds).flat_map(|_| 0..pages).collect()
}

/// random-access.asm's page reference string (its LCG, PAGES = 16, ACCESSES = 2000).
fn random_refs() -> Vec<u32> {
    let mut x: u32 = 12345;
    (0..2000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) % 16
        })
        .collect()
}

/// db-pool.asm's page reference string: index pages 0..6, then 4 table pages (100..164)
/// per query, 40 queries.
fn db_refs() -> Vec<u32> {
    let mut refs = Vec::new();
    let mut next = 0;
    for _ in 0..40 {
        refs.extend(0..6);
        for _ in 0..4 {
            refs.push(100 + next);
            next = (next + 1) % 64;
        }
    }
    refs
}

/// zipf-cache.asm's keys (CACHE_PAGES = 32, LOOKUPS = 600, SEED = 7).
fn zipf_refs() -> Vec<u32> {
    let mut x: u32 = 7;
    let mut step = || {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        x >> 16
    };
    (0..600)
        .map(|_| {
            let m = 1 + step() % 32;
            step() % m
        })
        .collect()
}

/// Follows a lesson as a student would: loads each step's scenario, checks that the step is
/// not ticked before its action and is ticked after it, then grades every question with
/// the measured value and compares every table row with its run.
fn follow(lesson: &Lesson) {
    let n = lesson.number;
    let mut loaded = String::new();
    let mut s: Option<Session> = None;
    for (i, step) in lesson.step.iter().enumerate() {
        let name = lesson.step_scenario(i);
        if loaded != name || s.is_none() {
            let scenario = presets::scenario(name)
                .unwrap_or_else(|| panic!("lesson {n} step {}: no preset {name}", i + 1));
            s = Some(Session::new(scenario).expect("the preset boots"));
            loaded = name.to_string();
        }
        let Some(session) = s.as_mut() else {
            unreachable!("a session was just loaded")
        };
        if step.act != Act::Look {
            assert!(
                !lesson.ticked(i, session),
                "lesson {n} step {} is ticked before its action",
                i + 1
            );
        }
        for _ in 0..step.times {
            step.act.apply(session);
        }
        assert!(
            lesson.ticked(i, session),
            "lesson {n} step {}: {:?} does not hold after {} × {:?}",
            i + 1,
            step.check,
            step.times,
            step.act
        );
        if let Some(target) = step.link.as_ref().and_then(|l| l.target.as_ref()) {
            if let Err(e) = target.resolve(session) {
                panic!("lesson {n} step {}: its link points at nothing: {e}", i + 1);
            }
        }
    }
    for q in &lesson.question {
        match &q.answer {
            Answer::Number { measure, value } => {
                let measured = measure
                    .measure()
                    .unwrap_or_else(|e| panic!("lesson {n}: {e}"));
                assert_eq!(measured, *value, "lesson {n}: {}", q.text);
                assert_eq!(q.grade(&value.to_string(), measured), Grade::Right);
                assert_eq!(q.grade(&(value + 1).to_string(), measured), Grade::Wrong);
                assert!(q
                    .explain(measured)
                    .contains(&lessons::group_digits(measured)));
            }
            Answer::Choice { options, correct } => {
                assert!(*correct < options.len(), "lesson {n}: {}", q.text);
                assert_eq!(q.grade(&correct.to_string(), 0), Grade::Right);
            }
        }
        assert!(!q.hint.is_empty(), "lesson {n}: a question without a hint");
    }
    for row in &lesson.row {
        let run = lessons::finish(&row.scenario).unwrap_or_else(|e| panic!("lesson {n}: {e}"));
        let wrong = row
            .mismatches(&run)
            .unwrap_or_else(|e| panic!("lesson {n}: {e}"));
        assert!(wrong.is_empty(), "lesson {n}: {wrong:#?}");
    }
}

/// One test per lesson: follow it, then check its further claims.
macro_rules! lesson_test {
    ($name:ident, $n:expr, [$($claim:ident),* $(,)?]) => {
        #[test]
        fn $name() {
            let lesson = lessons::lesson($n).expect("the lesson parses");
            follow(&lesson);
            $($claim();)*
        }
    };
}

lesson_test!(
    lesson_01,
    1,
    [lesson_01_one_fault_goes_thread_pager_physmem_pte_and_back]
);
lesson_test!(
    lesson_02,
    2,
    [lesson_02_lazy_binding_binds_exactly_the_touched_pages]
);
lesson_test!(
    lesson_03,
    3,
    [lesson_03_cyclic_scan_application_policy_beats_lru_fivefold]
);
lesson_test!(
    lesson_04,
    4,
    [lesson_04_buffer_pool_keeps_its_index_with_priorities]
);
lesson_test!(
    lesson_05,
    5,
    [
        lesson_05_discardable_cache_drops_instead_of_writing_out,
        lesson_05_under_pressure_a_discardable_cache_returns_frames_for_free
    ]
);
lesson_test!(
    lesson_06,
    6,
    [
        lesson_06_a_task_that_ignores_pressure_loses_its_extra_frames,
        lesson_06_a_task_that_complies_writes_out_and_loses_nothing,
        lesson_06_a_task_asking_for_more_extra_than_is_free_pages_instead_of_dying
    ]
);
lesson_test!(lesson_07, 7, [lesson_07_access_patterns_faults_and_the_tlb]);
lesson_test!(
    lesson_08,
    8,
    [lesson_08_the_callback_code_and_stack_are_pinned_and_never_evicted]
);
lesson_test!(lesson_10, 10, []);
lesson_test!(
    lesson_09,
    9,
    [lesson_09_without_invlpg_stale_translations_corrupt_memory]
);
lesson_test!(
    lesson_11,
    11,
    [
        lesson_11_the_table_of_faults,
        lesson_11_fifos_small_memory_holds_pages_its_large_one_lacks_and_lrus_never_does,
        lesson_11_a_real_run_shows_the_anomaly_under_clock,
        simulated_faults_are_measured_on_a_string_or_a_recorded_run,
    ]
);
lesson_test!(
    lesson_12,
    12,
    [
        lesson_12_the_column_walk_needs_every_page_it_touches,
        lesson_12_the_row_walk_needs_two_frames,
    ]
);
lesson_test!(
    lesson_13,
    13,
    [
        lesson_13_a_file_fault_costs_a_block_read_and_twelve_messages_a_cache_hit_six,
        file_counters_need_a_file_server,
    ]
);
lesson_test!(
    lesson_14,
    14,
    [lesson_14_a_private_copy_is_one_the_file_never_sees]
);
lesson_test!(
    lesson_15,
    15,
    [lesson_15_under_pressure_the_cache_gives_frames_back_and_nothing_is_lost]
);

#[test]
fn every_lesson_has_a_test_above_and_parses() {
    let all = lessons::all().expect("every lesson parses");
    assert_eq!(all.len(), 15, "add a lesson_test! line for the new lesson");
    for (i, l) in all.iter().enumerate() {
        assert_eq!(l.number, i + 1);
        assert!(
            !l.step.is_empty() && !l.question.is_empty(),
            "lesson {}",
            l.number
        );
    }
}

#[test]
fn stepping_back_past_a_step_unticks_it() {
    let lesson = lessons::lesson(1).expect("lesson 1");
    let mut s = Session::new(presets::scenario(&lesson.scenario).expect("preset")).expect("boots");
    Act::NextFault.apply(&mut s);
    assert!(lesson.ticked(0, &s));
    Act::StepBack.apply(&mut s);
    assert!(
        !lesson.ticked(0, &s),
        "the fault is undone, so its step is not done"
    );
    let other = presets::scenario("lazy-binding").expect("preset");
    let mut s = Session::new(other).expect("boots");
    Act::NextFault.apply(&mut s);
    assert!(
        !lesson.ticked(0, &s),
        "a fault in another scenario does not tick lesson 1"
    );
}

#[test]
fn bad_lesson_numbers_are_refused_with_a_message() {
    let e = lessons::lesson(0).expect_err("no lesson 0");
    assert_eq!(
        e.to_string(),
        "there is no lesson 0: the lessons are numbered 1 to 15"
    );
    assert!(lessons::lesson(16).is_err());
    let e = lessons::parse(1, "broken", "title = 3").expect_err("malformed");
    assert!(e.to_string().starts_with("lesson broken:"), "{e}");
}

#[test]
fn bad_link_targets_are_refused_by_the_loader_with_the_reason() {
    let lesson = |link: &str| {
        format!(
            "title = \"t\"\ngoal = \"g\"\nscenario = \"first-fault\"\nscenarios = \"s\"\n\
             [[step]]\ntext = \"x\"\ncheck = {{ kind = \"ended\" }}\n\
             [[step]]\ntext = \"y\"\ncheck = {{ kind = \"ended\" }}\nlink = {link}\n"
        )
    };
    let refused = |link: &str| {
        lessons::parse(1, "bad", &lesson(link))
            .expect_err("refused")
            .to_string()
    };
    let good =
        r#"{ pane = "walk", target = { kind = "pte", task = 1, vaddr = 0x401000 }, label = "l" }"#;
    assert!(lessons::parse(1, "good", &lesson(good)).is_ok());
    assert_eq!(
        refused(r#"{ pane = "frames", target = { kind = "pte", task = 1, vaddr = 0x401000 }, label = "l" }"#),
        "lesson bad, step 2: the link is wrong: a pte target is shown in the walk pane, not in “frames”"
    );
    assert_eq!(
        refused(r#"{ pane = "timeline", target = { kind = "fault", task = 3 }, label = "l" }"#),
        "lesson bad, step 2: the link is wrong: the scenario first-fault has tasks 1 to 1, so there is no task 3 (a forked child can be named when the step's check waits for it)"
    );
    assert!(refused(
        r#"{ pane = "frames", target = { kind = "frame", pfn = 100000 }, label = "l" }"#
    )
    .ends_with("so there is no frame 100000"));
    assert!(refused(
        r#"{ pane = "events", target = { kind = "record", event = "fualt" }, label = "l" }"#
    )
    .contains("the trace has no records of kind “fualt”"));
    assert!(refused(r#"{ pane = "walk", walk = 0x5000, target = { kind = "pte", task = 1, vaddr = 0x401000 }, label = "l" }"#)
        .ends_with("walk = 0x5000 and the PTE target 0x401000 name different pages"));
    assert!(refused(r#"{ pane = "wlak", label = "l" }"#).contains("there is no pane called “wlak”"));
    assert!(refused(
        r#"{ pane = "timeline", target = { kind = "fault", task = 1, nth = 0 }, label = "l" }"#
    )
    .ends_with("nth counts from 1, so nth = 0 names nothing"));
    assert!(
        refused(r#"{ pane = "frames", target = { kind = "frame", frame = 9 }, label = "l" }"#)
            .starts_with("lesson bad:"),
        "an unknown field is a parse error"
    );
}

#[test]
fn docs_lessons_are_generated_from_the_sources() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/lessons");
    let all = lessons::all().expect("every lesson parses");
    for (file, want) in markdown::pages(&all) {
        let have = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
        assert!(
            have.trim_end() == want.trim_end(),
            "docs/lessons/{file} is stale: run `cargo xtask lessons`"
        );
    }
}

#[test]
fn every_preset_scenario_runs_to_completion_and_no_task_is_killed() {
    for name in presets::scenario_names() {
        let s = run(name);
        if name == "stale-tlb-broken" {
            // Lesson 9 is about this kill.
            continue;
        }
        for t in &s.summary().tasks {
            assert!(
                t.status.starts_with("exited"),
                "{name}: task {} {}",
                t.name,
                t.status
            );
        }
    }
}
