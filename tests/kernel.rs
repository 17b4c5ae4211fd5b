//! The kernel model's visible behaviour: policies on a cyclic scan, the workload's own
//! callback, killed tasks, budgets, memory pressure between tasks, determinism and rewind.

use selfpage_core::{
    presets, views, Event, Scenario, Session, Stopped, TaskSpec, ThreadState, Until,
};

fn task(name: &str, source: &str, guaranteed: u32, extra: u32) -> TaskSpec {
    TaskSpec {
        name: name.into(),
        source: Some(source.into()),
        preset: None,
        lang: None,
        guaranteed,
        extra,
        policy: "lru".into(),
        ignore_pressure: false,
        start_at: 0,
    }
}

fn scenario(ram_frames: u32, tasks: Vec<TaskSpec>) -> Scenario {
    Scenario {
        name: "test".into(),
        ram_frames,
        kernel_frames: None,
        seed: 7,
        max_steps: 5_000_000,
        invlpg: true,
        tasks,
        disk: None,
        fs: None,
        files: Vec::new(),
    }
}

fn run(s: Scenario) -> Session {
    let mut session = Session::new(s).expect("boots");
    session.run_to_end();
    session
}

fn preset(name: &str) -> Session {
    run(presets::scenario(name).expect("preset"))
}

fn faults(s: &Session) -> u64 {
    s.summary().tasks[0].faults
}

#[test]
fn lru_faults_on_every_access_of_a_cyclic_scan_one_page_too_large() {
    let lru = preset("cyclic-scan-lru");
    let mru = preset("cyclic-scan-mru");
    // 8 data pages + the text page cycle through 8 frames; 20 rounds of 8 accesses.
    assert_eq!(faults(&lru), 160, "LRU evicts exactly the page needed next");
    assert!(
        faults(&mru) * 3 < faults(&lru) * 2,
        "MRU: {} faults",
        faults(&mru)
    );
    for s in [&lru, &mru] {
        assert_eq!(
            s.kernel().task(1).map(|t| t.state.clone()),
            Some(ThreadState::Exited(0))
        );
    }
}

#[test]
fn the_workloads_own_x86_callback_chooses_the_victims() {
    let s = preset("own-policy");
    let recs = s.kernel().trace().records();
    let answers: Vec<Option<u32>> = recs
        .iter()
        .filter_map(|r| match &r.event {
            Event::Callback { answer, .. } => Some(*answer),
            _ => None,
        })
        .collect();
    assert!(!answers.is_empty(), "the pager called the callback");
    assert!(
        answers.iter().all(Option::is_some),
        "every call returned: {answers:?}"
    );
    let evictions = recs
        .iter()
        .filter(|r| {
            matches!(
                &r.event,
                Event::Pager {
                    event: libhurd_mm::PagerEvent::Evict { .. },
                    ..
                }
            )
        })
        .count();
    assert_eq!(
        evictions,
        answers.len(),
        "each eviction was the callback's choice"
    );
    // Evicting the highest page keeps the scan's next pages resident: far fewer faults
    // than the 100 accesses of the scan.
    assert!(faults(&s) < 50, "{} faults", faults(&s));
    assert_eq!(
        s.kernel().task(1).map(|t| t.state.clone()),
        Some(ThreadState::Exited(0))
    );
}

#[test]
fn a_task_that_touches_memory_outside_its_regions_is_killed_and_its_frames_return() {
    let bad = "_start:\n    mov eax, [0x10]\n";
    let s = run(scenario(64, vec![task("wild", bad, 8, 0)]));
    let t = s.kernel().task(1).expect("task");
    match &t.state {
        ThreadState::Killed(reason) => {
            assert!(
                reason.contains("segmentation fault") && reason.contains("0x10"),
                "{reason}"
            )
        }
        other => panic!("not killed: {other:?}"),
    }
    assert!(
        views::frame_map(s.kernel()).iter().all(|c| c.owner != 1),
        "no frame is left with the dead task"
    );
    assert_eq!(s.kernel().pool().available(), s.kernel().pool().total());
    assert_eq!(
        s.kernel().physmem().stats().free,
        s.kernel().physmem().stats().total
    );
}

#[test]
fn a_runaway_program_stops_at_its_budget() {
    let mut sc = scenario(64, vec![task("spin", "_start:\n    jmp _start\n", 8, 0)]);
    sc.max_steps = 100_000;
    let mut s = Session::new(sc).expect("boots");
    assert_eq!(s.run_to_end(), Stopped::Budget);
    assert_eq!(s.kernel().retired(), 100_000);
    assert_eq!(
        s.run_to_end(),
        Stopped::Budget,
        "the budget holds on the next call too"
    );
    assert_eq!(s.kernel().retired(), 100_000);
}

/// Touches `PAGES` pages of a fresh mapping, then keeps touching them.
fn toucher(pages: u32, rounds: u32) -> String {
    format!(
        "PAGES equ {pages}\nROUNDS equ {rounds}\n_start:\n    mov eax, 1\n    xor ebx, ebx\n    mov ecx, PAGES * 4096\n    mov edx, 6\n    xor esi, esi\n    int 0x30\n    mov ebp, eax\n    mov edi, ROUNDS\nround:\n    xor ecx, ecx\npage:\n    mov eax, ecx\n    shl eax, 12\n    add dword [ebp + eax], 1\n    inc ecx\n    cmp ecx, PAGES\n    jb page\n    dec edi\n    jnz round\n    mov eax, 8\n    xor ebx, ebx\n    int 0x30\n"
    )
}

#[test]
fn a_task_that_ignores_pressure_loses_its_extra_frames_to_the_guaranteed_one() {
    // physmem owns 64 - 8 = 56 frames. The hog holds its 8 guaranteed frames and grabs
    // 40 extra ones while nobody else needs them; the worker arrives later with a guarantee
    // of 40 that can only be met by taking extra frames back.
    let mut hog = task("hog", &toucher(44, 2000), 8, 40);
    hog.ignore_pressure = true;
    let mut worker = task("worker", &toucher(30, 20), 40, 0);
    worker.start_at = 100_000;
    let s = run(scenario(64, vec![hog, worker]));
    let recs = s.kernel().trace().records();
    assert!(
        recs.iter().any(|r| matches!(
            r.event,
            Event::PressureRequest {
                task: 1,
                ignored: true,
                ..
            }
        )),
        "physmem asked the hog to return frames, and it ignored the request"
    );
    let reclaimed = recs
        .iter()
        .filter(|r| matches!(r.event, Event::Reclaimed { task: 1, .. }))
        .count();
    assert!(reclaimed > 0, "physmem took the hog's extra frames back");
    let worker = s.kernel().task(2).expect("worker");
    assert_eq!(
        worker.state,
        ThreadState::Exited(0),
        "the worker's guarantee was honoured"
    );
    assert!(
        recs.iter()
            .all(|r| !matches!(r.event, Event::Reclaimed { task: 2, .. })),
        "guarantees are never revoked"
    );
}

#[test]
fn running_in_pieces_or_rewinding_gives_the_same_trace() {
    let whole = preset("cyclic-scan-mru").summary().trace_hash;
    let mut s = Session::new(presets::scenario("cyclic-scan-mru").expect("preset")).expect("boots");
    let mut budget = 1;
    while s.run(budget, Until::Budget) == Stopped::Budget {
        budget = budget * 3 % 97 + 1;
    }
    assert_eq!(s.summary().trace_hash, whole, "pieces");
    let before: Vec<_> = s.kernel().trace().records().iter().cloned().collect();
    let mid = s.kernel().retired() / 2;
    s.rewind_to(mid);
    assert_eq!(s.kernel().retired(), mid);
    let now = s.kernel().trace().records();
    assert!(!now.is_empty() && now.len() < before.len());
    assert!(
        now.iter().eq(&before[..now.len()]),
        "the rewound trace is the run's own history"
    );
    s.run_to_end();
    assert_eq!(s.summary().trace_hash, whole, "rewind then replay");
}

#[test]
fn fork_shares_pages_copy_on_write_and_copies_exactly_the_written_one() {
    let s = preset("fork-cow");
    let k = s.kernel();
    assert_eq!(
        k.task(1).map(|t| t.state.clone()),
        Some(ThreadState::Exited(1)),
        "the parent still sees 1"
    );
    assert_eq!(
        k.task(2).map(|t| t.state.clone()),
        Some(ThreadState::Exited(2)),
        "the child wrote 2"
    );
    let recs = k.trace().records();
    let copies = recs
        .iter()
        .filter(|r| matches!(r.event, Event::FrameCopied { .. }))
        .count();
    assert_eq!(copies, 1, "only the page the child wrote was copied");
    assert!(recs.iter().any(|r| matches!(
        &r.event,
        Event::Rpc {
            task: 1,
            request: physmem::Request::ControlSplit { frames: 8, .. }
        }
    )));
    assert!(recs.iter().any(|r| matches!(
        &r.event,
        Event::Rpc {
            task: 1,
            request: physmem::Request::ContainerCopy {
                mode: physmem::CopyMode::CopyOnWrite,
                ..
            }
        }
    )));
    let pm = k.physmem().stats();
    assert_eq!(
        pm.free, pm.total,
        "both tasks ended: every frame is free again"
    );
}

#[test]
fn eight_tasks_compete_for_memory_and_all_finish() {
    let tasks = (0..8)
        .map(|i| task(&format!("t{i}"), &toucher(4 + i, 400), 4, 2))
        .collect();
    let s = run(scenario(128, tasks));
    let summary = s.summary();
    assert_eq!(summary.tasks.len(), 8);
    for t in &summary.tasks {
        assert_eq!(t.status, "exited 0", "{}: {}", t.name, t.status);
        assert!(
            t.faults >= 4,
            "{} touched its pages: {} faults",
            t.name,
            t.faults
        );
    }
    // Round robin with time slices: the last task ran before the first one finished.
    let recs = s.kernel().trace().records();
    let pos = |f: &dyn Fn(&Event) -> bool| recs.iter().position(|r| f(&r.event));
    let last_starts = pos(&|e| matches!(e, Event::Fault { task: 8, .. })).expect("task 8 ran");
    let first_ends =
        pos(&|e| matches!(e, Event::TaskExited { task: 1, .. })).expect("task 1 ended");
    assert!(last_starts < first_ends, "{last_starts} < {first_ends}");
}

#[test]
fn an_instruction_that_needs_more_pages_than_the_task_holds_is_stopped_not_spun() {
    // One frame, but the instruction is on the text page and its operand on another:
    // mapping either one evicts the other, forever.
    let s = run(scenario(
        64,
        vec![task(
            "tight",
            "_start:\n    mov eax, [buf]\nsection .bss\nbuf: resd 1\n",
            1,
            0,
        )],
    ));
    let t = s.kernel().task(1).expect("task");
    match &t.state {
        ThreadState::Killed(reason) => {
            assert!(reason.contains("faulted 64 times in a row"), "{reason}")
        }
        other => panic!("expected a kill, got {other:?}"),
    }
    assert!(t.counters.faults <= 65);
}

#[test]
fn a_fresh_page_in_a_reused_frame_reads_zero() {
    // Four pages are written and evicted (3 frames: the text page and 2 data pages); four
    // more pages are then read in the frames they left. Each must read as zero.
    let source = "_start:\n    mov eax, 1\n    xor ebx, ebx\n    mov ecx, 8 * 4096\n    mov edx, 6\n    xor esi, esi\n    int 0x30\n    mov edi, eax\n    mov ecx, 4\nfill:\n    mov dword [edi + 100], 0xdeadbeef\n    add edi, 4096\n    dec ecx\n    jnz fill\n    mov ecx, 4\ncheck:\n    mov ebx, [edi + 100]\n    test ebx, ebx\n    jnz done\n    add edi, 4096\n    dec ecx\n    jnz check\ndone:\n    mov eax, 8\n    int 0x30\n";
    let s = run(scenario(64, vec![task("reuser", source, 3, 0)]));
    let t = &s.summary().tasks[0];
    assert_eq!(
        t.status, "exited 0",
        "the exit status is what a fresh page read"
    );
    assert!(t.evictions >= 4, "{} evictions", t.evictions);
}
