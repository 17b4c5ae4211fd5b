//! The first page fault, served end to end in core: #PF → fault IPC to the task's pager →
//! physmem RPCs → PTE written in emulated RAM → the instruction restarts and completes.

use selfpage_core::{
    presets, views, AccessKind, Endpoint, Event, Session, Stopped, ThreadState, Until, FAULT_LABEL,
};

fn session() -> Session {
    let scenario = presets::scenario("first-fault").expect("the preset exists");
    Session::new(scenario).expect("the preset boots")
}

#[test]
fn the_first_instruction_faults_on_the_unmapped_buffer() {
    let mut s = session();
    let stop = s.run(1_000, Until::Event("fault"));
    assert!(matches!(stop, Stopped::Event { .. }), "no fault: {stop:?}");
    let k = s.kernel();
    let task = k.task(1).expect("task 1");
    let buffer = task.program.symbols["buffer"];
    let fault = k.trace().records().iter().find_map(|r| match &r.event {
        Event::Fault {
            task,
            addr,
            access,
            ip,
            error_code,
        } => Some((*task, *addr, *access, *ip, *error_code)),
        _ => None,
    });
    // U/S=1 (user), W/R=0 (read), P=0 (not present).
    assert_eq!(
        fault,
        Some((1, buffer, AccessKind::Read, task.program.entry, 0b100))
    );
    assert_eq!(
        task.cpu.eip, task.program.entry,
        "the faulting instruction has not retired"
    );
    let walk = views::walk(k, 1, buffer).expect("walk");
    assert!(
        walk.phys.is_none(),
        "the buffer is not mapped before the fault is served"
    );
}

#[test]
fn the_pager_maps_a_frame_and_the_instruction_restarts() {
    let mut s = session();
    s.run(1_000, Until::Event("fault"));
    let fault_seq = s.kernel().trace().len() - 1;
    let stop = s.run(1_000, Until::Event("resumed"));
    assert!(
        matches!(stop, Stopped::Event { .. }),
        "thread never resumed: {stop:?}"
    );
    let k = s.kernel();
    let buffer = k.task(1).expect("task 1").program.symbols["buffer"];
    let kinds: Vec<&Event> = k
        .trace()
        .since(fault_seq)
        .iter()
        .map(|r| &r.event)
        .collect();

    // The fault message goes from the thread to its pager with the L4 label and words.
    assert!(kinds.iter().any(|e| matches!(e,
        Event::Ipc { from: Endpoint::Thread(1), to: Endpoint::Pager(1), label, words }
            if *label == FAULT_LABEL | 4 && words[0] == buffer)));
    // The pager asks physmem for memory, and physmem's map item is installed as a PTE.
    assert!(kinds.iter().any(|e| matches!(
        e,
        Event::Rpc {
            task: 1,
            request: physmem::Request::ContainerMap { .. }
        }
    )));
    let mapped = kinds.iter().find_map(|e| match e {
        Event::Mapped {
            task: 1,
            vaddr,
            pfn,
            ..
        } if *vaddr == buffer => Some(*pfn),
        _ => None,
    });
    let pfn = mapped.expect("the buffer page was mapped");
    // The PTE is real: the page-table walk in emulated RAM reaches that frame.
    let walk = views::walk(k, 1, buffer).expect("walk");
    assert_eq!(walk.phys, Some(pfn * 4096));
    assert_eq!(walk.levels.len(), 2);
    assert!(
        walk.levels[1].bits.contains(&"P".to_string())
            && walk.levels[1].bits.contains(&"US".to_string())
    );
    // The frame belongs to the task in the frame map, and is not the kernel's.
    let cell = views::frame_map(k)[pfn as usize];
    assert_eq!(cell.owner, 1);
    assert_ne!(cell.marks & views::mark::MAPPED, 0);
    assert_eq!(cell.marks & views::mark::KERNEL, 0);
    assert!(!k.pool().owns(x86_emu::Pfn(pfn)));
    // Then the instruction completes: the next step retires it without another fault.
    let faults_before = k.task(1).map(|t| t.counters.faults);
    let eip_before = k.task(1).map(|t| t.cpu.eip);
    s.step();
    let t = s.kernel().task(1).expect("task 1");
    assert_eq!(Some(t.counters.faults), faults_before);
    assert_ne!(Some(t.cpu.eip), eip_before);
}

#[test]
fn the_workload_runs_to_its_exit_and_the_frames_return() {
    let mut s = session();
    assert_eq!(s.run_to_end(), Stopped::AllDone);
    let k = s.kernel();
    let t = k.task(1).expect("task 1");
    assert_eq!(
        t.state,
        ThreadState::Exited(42),
        "the program writes 42 and exits with it"
    );
    let held = views::frame_map(k).iter().filter(|c| c.owner == 1).count();
    assert_eq!(held, 0, "an exited task holds no frame");
    assert_eq!(
        k.pool().available(),
        k.pool().total(),
        "its page tables went back to the kernel pool"
    );
}

#[test]
fn the_same_scenario_gives_the_same_trace() {
    let mut a = session();
    let mut b = session();
    a.run_to_end();
    b.run_to_end();
    assert_eq!(a.summary().trace_hash, b.summary().trace_hash);
    assert!(a.kernel().trace().len() > 10);
}

#[test]
fn stepping_back_returns_to_the_state_before_the_fault() {
    let mut s = session();
    s.run(1_000, Until::Event("resumed"));
    s.step();
    let after = s.kernel().task(1).map(|t| t.cpu.clone());
    s.step_back();
    s.step();
    assert_eq!(s.kernel().task(1).map(|t| t.cpu.clone()), after);
    s.rewind_to(0);
    assert!(views::walk(
        s.kernel(),
        1,
        s.kernel().task(1).expect("t").program.symbols["buffer"]
    )
    .expect("walk")
    .phys
    .is_none());
}

#[test]
fn jumping_to_an_event_shows_the_machine_as_it_was_then() {
    let mut s = session();
    s.run(1_000, Until::Event("fault"));
    let fault = s.kernel().trace().len() - 2;
    let regs_at_fault = s.kernel().task(1).map(|t| t.cpu.clone());
    s.run_to_end();
    assert!(s.goto_event(fault));
    assert!(s.kernel().trace().len() > fault);
    assert!(matches!(
        s.kernel()
            .trace()
            .records()
            .get(fault as usize)
            .map(|r| &r.event),
        Some(Event::Fault { .. })
    ));
    assert_eq!(s.kernel().task(1).map(|t| t.cpu.clone()), regs_at_fault);
    assert!(!s.goto_event(1_000_000), "an event that never happened");
}

#[test]
fn the_disassembly_keeps_its_rows_with_eip_down_to_the_last_instruction() {
    const ROWS: usize = 3;
    let mut s = session();
    let mut seen_last = false;
    for _ in 0..100 {
        let k = s.kernel();
        let t = k.task(1).expect("task 1");
        if matches!(t.state, ThreadState::Exited(_)) {
            break;
        }
        let rows = views::disassembly(k, 1, ROWS);
        let eip = t.cpu.eip;
        assert_eq!(
            rows.len(),
            ROWS,
            "the pane keeps its height at EIP {eip:#x}"
        );
        assert!(rows.iter().any(|r| r.addr == eip), "EIP {eip:#x} is shown");
        // Only at the last instruction does EIP sit on the bottom row.
        seen_last |= rows.last().is_some_and(|r| r.addr == eip);
        s.step();
    }
    assert!(
        seen_last,
        "the run reached the program's last instruction, on the bottom row"
    );
}
