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

#[test]
fn every_lesson_has_a_test_above_and_parses() {
    let all = lessons::all().expect("every lesson parses");
    assert_eq!(all.len(), 10, "add a lesson_test! line for the new lesson");
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
        "there is no lesson 0: the lessons are numbered 1 to 10"
    );
    assert!(lessons::lesson(11).is_err());
    let e = lessons::parse(1, "broken", "title = 3").expect_err("malformed");
    assert!(e.to_string().starts_with("lesson broken:"), "{e}");
}

#[test]
fn docs_lessons_are_generated_from_the_sources() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/lessons");
    let all = lessons::all().expect("every lesson parses");
    let mut pages: Vec<(String, String)> = all
        .iter()
        .map(|l| (l.doc_file(), markdown::page(l)))
        .collect();
    pages.push(("README.md".into(), markdown::index(&all)));
    for (file, want) in pages {
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

/// A claim of the lesson, measured.
fn lesson_01_one_fault_goes_thread_pager_physmem_pte_and_back() {
    let s = run("first-fault");
    let sum = s.summary();
    assert_eq!(only(&sum).faults, 1);
    assert_eq!(only(&sum).status, "exited 42");
    let kinds: Vec<&str> = s
        .kernel()
        .trace()
        .records()
        .iter()
        .map(|r| r.event.kind())
        .skip_while(|k| *k != "fault")
        .filter(|k| ["fault", "rpc", "mapped", "resumed"].contains(k))
        .collect();
    assert_eq!(
        &kinds[..5],
        ["fault", "rpc", "rpc", "mapped", "resumed"],
        "allocate, map, PTE, resume"
    );
}

/// A claim of the lesson, measured.
fn lesson_02_lazy_binding_binds_exactly_the_touched_pages() {
    let s = run("lazy-binding");
    let records = s.kernel().trace().records();
    let (mmap_at, base) = records
        .iter()
        .find_map(|r| match &r.event {
            Event::Gate { call, result, .. } if call.starts_with("mmap") => {
                Some((r.seq, *result as u32))
            }
            _ => None,
        })
        .expect("the program calls mmap");
    let buffer = base..base + 16 * 4096;
    let touched: Vec<u32> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Mapped { vaddr, .. } if buffer.contains(vaddr) => Some(*vaddr),
            _ => None,
        })
        .collect();
    assert_eq!(touched, vec![base, base + 5 * 4096, base + 10 * 4096]);
    // mmap itself allocates nothing: the next allocation follows a fault in the buffer.
    let next_alloc = records
        .iter()
        .filter(|r| r.seq > mmap_at)
        .find(|r| {
            matches!(
                r.event,
                Event::Rpc {
                    request: Request::ContainerAllocate { .. },
                    ..
                }
            )
        })
        .expect("an allocation after mmap");
    let fault_at = records
        .iter()
        .find(|r| matches!(&r.event, Event::Fault { addr, .. } if buffer.contains(addr)))
        .expect("a fault in the buffer")
        .seq;
    assert!(fault_at < next_alloc.seq);
    let allocs = records
        .iter()
        .filter(|r| {
            r.seq > mmap_at
                && matches!(
                    r.event,
                    Event::Rpc {
                        request: Request::ContainerAllocate { .. },
                        ..
                    }
                )
        })
        .count();
    assert_eq!(allocs, 3, "one frame per touched page");
    assert_eq!(only(&s.summary()).faults, 3);
}

/// A claim of the lesson, measured.
fn lesson_03_cyclic_scan_application_policy_beats_lru_fivefold() {
    let lru = only(&run("cyclic-hints-lru").summary()).clone();
    let app = only(&run("cyclic-hints-app").summary()).clone();
    assert_eq!(lru.faults, 16 * 30, "LRU faults on every access");
    assert!(
        lru.faults >= 5 * app.faults,
        "LRU {} vs app {}",
        lru.faults,
        app.faults
    );
    // The 8-page scan of cyclic-scan.asm: MRU beats LRU too.
    let l8 = only(&run("cyclic-scan-lru").summary()).faults;
    let m8 = only(&run("cyclic-scan-mru").summary()).faults;
    assert!(m8 < l8, "MRU {m8} vs LRU {l8}");
    // Live MRU evicts the code page: it is always the most recently used.
    let mru = run("cyclic-scan-mru");
    assert!(pager_events(&mru, 1).iter().any(|e| matches!(
        e,
        PagerEvent::Evict {
            vaddr: 0x40_0000,
            ..
        }
    )));
    // OPT on the scan's reference string, with the frames left after the code page.
    let refs = cyclic_refs(16, 30);
    let opt = assert_opt_is_best("cyclic", 15, &refs);
    assert!(
        u64::from(opt) <= app.faults,
        "OPT {opt} vs the app's {}",
        app.faults
    );
    assert_opt_is_best("cyclic-8", 7, &cyclic_refs(8, 20));
}

/// A claim of the lesson, measured.
fn lesson_04_buffer_pool_keeps_its_index_with_priorities() {
    let lru = run("db-pool-lru");
    let app = run("db-pool-app");
    let (l, a) = (lru.summary(), app.summary());
    let (lt, at) = (only(&l), only(&a));
    assert!(
        lt.faults >= 2 * at.faults,
        "LRU {} vs app {}",
        lt.faults,
        at.faults
    );
    assert!(
        l.time >= 10 * a.time,
        "time LRU {} vs app {}",
        l.time,
        a.time
    );
    assert_eq!(at.page_ins, 0, "the index never leaves memory");
    // Under the app policy every eviction is a table page (read once) or the image.
    for e in pager_events(&app, 1) {
        if let PagerEvent::Evict { reason, .. } = e {
            assert!(reason.contains("read-once"), "{reason}");
        }
    }
    assert_opt_is_best("db-pool", 7, &db_refs());
}

/// A claim of the lesson, measured.
fn lesson_05_discardable_cache_drops_instead_of_writing_out() {
    let d = run("zipf-cache").summary();
    let n = run("zipf-cache-anon").summary();
    assert_eq!(only(&d).page_outs, 0);
    assert_eq!(only(&d).page_ins, 0);
    assert!(only(&n).page_outs > 0);
    assert!(
        n.time >= 5 * d.time,
        "time anon {} vs discardable {}",
        n.time,
        d.time
    );
    // Same lookups, same faults: the difference is what an eviction costs.
    assert_eq!(only(&d).faults, only(&n).faults);
    assert_opt_is_best("zipf", 11, &zipf_refs());
}

/// Evictions of task `id` whose reason starts with "memory pressure".
fn pressure_evictions(s: &Session, id: u32) -> Vec<String> {
    pager_events(s, id)
        .into_iter()
        .filter_map(|e| match e {
            PagerEvent::Evict { reason, .. } if reason.starts_with("memory pressure") => {
                Some(reason)
            }
            _ => None,
        })
        .collect()
}

/// A claim of the lesson, measured.
fn lesson_05_under_pressure_a_discardable_cache_returns_frames_for_free() {
    let d = run("zipf-pressure");
    let n = run("zipf-anon-pressure");
    for s in [&d, &n] {
        let asked = s
            .kernel()
            .trace()
            .records()
            .iter()
            .find_map(|r| match r.event {
                Event::PressureRequest {
                    task: 1,
                    count,
                    ignored: false,
                    ..
                } => Some(count),
                _ => None,
            });
        assert_eq!(asked, Some(10), "{}", s.summary().scenario);
        assert_eq!(task(&s.summary(), "latecomer").status, "exited 0");
    }
    let dropped = pressure_evictions(&d, 1);
    assert_eq!(dropped.len(), 10);
    assert!(
        dropped.iter().all(|r| r.contains("discardable")),
        "{dropped:?}"
    );
    let (ds, ns) = (d.summary(), n.summary());
    assert_eq!(task(&ds, "cache").page_outs, 0);
    assert!(task(&ns, "cache").page_outs > 0);
    assert!(
        ns.time >= 5 * ds.time,
        "time anon {} vs discardable {}",
        ns.time,
        ds.time
    );
}

/// Whether task `id`'s pressure requests were ignored, and how many frames physmem took.
fn pressure_outcome(s: &Session, id: u32) -> (Option<(u32, bool)>, usize) {
    let records = s.kernel().trace().records();
    let asked = records.iter().find_map(|r| match r.event {
        Event::PressureRequest {
            task,
            count,
            ignored,
            ..
        } if task == id => Some((count, ignored)),
        _ => None,
    });
    let reclaimed = records
        .iter()
        .filter(|r| matches!(r.event, Event::Reclaimed { task, .. } if task == id))
        .count();
    (asked, reclaimed)
}

/// A claim of the lesson, measured.
fn lesson_06_a_task_that_ignores_pressure_loses_its_extra_frames() {
    let s = run("competing-tasks");
    assert_eq!(pressure_outcome(&s, 1), (Some((15, true)), 15));
    let sum = s.summary();
    // The other task's work completes, its pages intact.
    assert_eq!(task(&sum, "latecomer").status, "exited 0");
    // The hog finds the 15 pages whose frames were taken zero-filled: its data is gone.
    assert_eq!(task(&sum, "hog").status, "exited 15");
    let lost = pager_events(&s, 1)
        .iter()
        .filter(|e| matches!(e, PagerEvent::LostPage { .. }))
        .count();
    assert_eq!(lost, 15);
}

/// A claim of the lesson, measured.
fn lesson_06_a_task_that_complies_writes_out_and_loses_nothing() {
    let s = run("competing-tasks-polite");
    assert_eq!(pressure_outcome(&s, 1), (Some((15, false)), 0));
    assert_eq!(pressure_evictions(&s, 1).len(), 15);
    assert!(pager_events(&s, 1).contains(&PagerEvent::FramesReturned {
        asked: 15,
        returned: 15
    }));
    let sum = s.summary();
    assert_eq!(task(&sum, "latecomer").status, "exited 0");
    assert_eq!(task(&sum, "hog").status, "exited 0");
}

/// A claim of the lesson, measured.
fn lesson_06_a_task_asking_for_more_extra_than_is_free_pages_instead_of_dying() {
    let text = presets::scenario("competing-tasks")
        .expect("preset")
        .to_toml()
        .replace("extra = 33", "extra = 40");
    let scenario = Scenario::from_toml(&text).expect("valid");
    let mut s = Session::new(scenario).expect("boots");
    s.run_to_end();
    let sum = s.summary();
    let status = &task(&sum, "hog").status;
    assert!(
        status.starts_with("exited"),
        "the hog pages within its frames instead of dying: {status}"
    );
}

/// A claim of the lesson, measured.
fn lesson_07_access_patterns_faults_and_the_tlb() {
    let seq = run("seq-scan");
    let rnd = run("random-access");
    let rows = run("matrix-rows-tight");
    let cols = run("matrix-cols-tight");
    assert_eq!(only(&seq.summary()).faults, 32);
    assert_eq!(only(&rows.summary()).faults, 16);
    assert_eq!(only(&cols.summary()).faults, 16 * 256);
    // With frames for every row, both walks fault once per row.
    assert_eq!(only(&run("matrix-cols").summary()).faults, 16);
    let tlb = |s: &Session| {
        let t = views::tlb(s.kernel());
        (t.hits, t.misses)
    };
    let (sh, sm) = tlb(&seq);
    let (rh, rm) = tlb(&rnd);
    let miss_rate = |h: u64, m: u64| m as f64 / (h + m) as f64;
    assert!(
        miss_rate(sh, sm) * 5.0 < miss_rate(rh, rm),
        "sequential {sh}/{sm}, random {rh}/{rm}"
    );
    let seq_refs: Vec<u32> = (0..32).collect();
    assert_eq!(
        assert_opt_is_best("seq", 7, &seq_refs),
        32,
        "compulsory misses only"
    );
    assert_opt_is_best("random", 8, &random_refs());
    assert_opt_is_best("matrix-cols", 11, &cyclic_refs(16, 256));
    let row_refs: Vec<u32> = (0..16).flat_map(|r| std::iter::repeat_n(r, 256)).collect();
    assert_eq!(simulate(PolicyKind::Opt, 11, &row_refs, 1).misses, 16);
}

/// A claim of the lesson, measured.
fn lesson_08_the_callback_code_and_stack_are_pinned_and_never_evicted() {
    let s = run("callback-pin");
    let events = pager_events(&s, 1);
    let pinned: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            PagerEvent::Pin { vaddr } => Some(*vaddr),
            _ => None,
        })
        .collect();
    assert_eq!(pinned.len(), 2, "code page and stack page");
    let mut evictions = 0;
    for e in &events {
        if let PagerEvent::Evict { vaddr, reason, .. } = e {
            evictions += 1;
            assert!(!pinned.contains(vaddr), "pinned page {vaddr:#x} evicted");
            assert!(reason.contains("fell back to Clock"), "{reason}");
        }
    }
    assert!(evictions > 0);
    // core ran the callback once per eviction; it declined every time.
    let calls = s
        .kernel()
        .trace()
        .records()
        .iter()
        .filter(|r| r.event.kind() == "callback")
        .count();
    assert_eq!(calls, evictions);
}

/// A claim of the lesson, measured.
fn lesson_09_without_invlpg_stale_translations_corrupt_memory() {
    let with = run("stale-tlb");
    let without = run("stale-tlb-broken");
    assert!(with.scenario().invlpg && !without.scenario().invlpg);
    assert_eq!(only(&with.summary()).status, "exited 0");
    // FIFO evicts the code page first; its stale translation keeps the CPU fetching
    // "instructions" from the frame that now holds a zeroed buffer page.
    let first = pager_events(&without, 1).into_iter().find_map(|e| match e {
        PagerEvent::Evict { vaddr, .. } => Some(vaddr),
        _ => None,
    });
    assert_eq!(first, Some(0x40_0000));
    let status = only(&without.summary()).status.clone();
    assert!(
        status.starts_with("killed") && status.contains("0x401000"),
        "{status}"
    );
    assert!(only(&without.summary()).faults < only(&with.summary()).faults);
    // The kernel switch and the scenario field are the same thing.
    let by_config = run_with(
        "stale-tlb",
        KernelConfig {
            invlpg: false,
            ..KernelConfig::default()
        },
    );
    assert_eq!(only(&by_config.summary()).status, status);
    // LRU and Clock do not hide the bug: killed the same way, after 13 faults.
    for policy in ["lru", "clock"] {
        let mut scenario = presets::scenario("stale-tlb-broken").expect("preset");
        scenario.tasks[0].policy = policy.into();
        let mut s = Session::new(scenario).expect("boots");
        s.run_to_end();
        let sum = s.summary();
        assert_eq!(only(&sum).status, status, "{policy}");
        assert_eq!((only(&sum).faults, sum.time), (13, 49_839), "{policy}");
    }
}
