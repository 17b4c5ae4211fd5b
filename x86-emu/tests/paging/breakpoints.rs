//! Breakpoints and watchpoints, including on an instruction restarted after a fault and in a
//! loop.

use super::*;

#[test]
fn breakpoints_and_watchpoints() {
    let code = asm(|a| {
        a.mov(eax, 1u32)?;
        a.mov(dword_ptr(DATA + 8), eax)?;
        a.mov(ebx, 2u32)
    });
    let (mut m, _) = setup(&code);
    m.breakpoints_mut().insert(CODE + 5);
    let r = m.run(100);
    assert_eq!((r.stop, r.retired), (Stop::Breakpoint(CODE + 5), 1));
    m.watchpoints_mut().push(Watchpoint {
        addr: VirtAddr(DATA + 10),
        len: 1,
        access: WatchAccess::Write,
    });
    let r = m.run(100);
    assert_eq!(
        r.stop,
        Stop::Watchpoint {
            addr: DATA + 8,
            access: WatchAccess::Write
        }
    );
    assert_eq!(r.retired, 1, "the store retired");
    assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
}

/// Code whose second instruction (at `CODE + 5`) faults on the unmapped page `DATA + 0x3000`.
fn faulting_add() -> (Machine, FlatSpace) {
    setup(&asm(|a| {
        a.mov(eax, 5u32)?;
        a.add(dword_ptr(DATA + 0x3000), eax)?;
        a.mov(ebx, dword_ptr(DATA + 0x3000))
    }))
}

/// What the pager does: map a fresh frame at `DATA + 0x3000`.
fn serve_fault(m: &mut Machine, space: &FlatSpace) {
    let flags = PteFlags::PRESENT | PteFlags::WRITABLE | PteFlags::USER;
    set_pte(
        m,
        DATA + 0x3000,
        x86_emu::Pte::new(space.next_free, flags).raw(),
    );
    m.invlpg(VirtAddr(DATA + 0x3000));
}

#[test]
fn a_breakpoint_on_a_restarted_instruction_stops_once_more() {
    let at = CODE + 5;
    // Set after the fault, as a user inspecting it would: the restart stops there first.
    let (mut m, space) = faulting_add();
    assert_eq!(m.run(100).stop, pf(DATA + 0x3000, U));
    m.breakpoints_mut().insert(at);
    serve_fault(&mut m, &space);
    let r = m.run(100);
    assert_eq!((r.stop, r.retired), (Stop::Breakpoint(at), 0));
    assert_eq!(m.cpu().eax(), 5);
    let r = m.run(100);
    assert_eq!(
        (r.stop, r.retired),
        (Stop::Interrupt(0x80), 3),
        "continue executes it"
    );
    assert_eq!(m.cpu().ebx(), 5);

    // Set before: stop; continue (the instruction faults, it did not retire); after the
    // fault is served the restart stops at the breakpoint again, once.
    let (mut m, space) = faulting_add();
    m.breakpoints_mut().insert(at);
    let r = m.run(100);
    assert_eq!((r.stop, r.retired), (Stop::Breakpoint(at), 1));
    let r = m.run(100);
    assert_eq!((r.stop, r.retired), (pf(DATA + 0x3000, U), 0));
    serve_fault(&mut m, &space);
    let r = m.run(100);
    assert_eq!((r.stop, r.retired), (Stop::Breakpoint(at), 0));
    let r = m.run(100);
    assert_eq!((r.stop, r.retired), (Stop::Interrupt(0x80), 3));
}

#[test]
fn continuing_from_a_breakpoint_in_a_loop_stops_there_each_time_round() {
    let code = asm(|a| {
        let mut top = a.create_label();
        a.mov(ecx, 3u32)?;
        a.set_label(&mut top)?;
        a.add(eax, 1)?;
        a.dec(ecx)?;
        a.jnz(top)
    });
    let (mut m, _) = setup(&code);
    m.breakpoints_mut().insert(CODE + 5);
    let mut stops = Vec::new();
    loop {
        let r = m.run(100);
        stops.push((r.stop, r.retired));
        if r.stop == Stop::Interrupt(0x80) {
            break;
        }
    }
    let brk = Stop::Breakpoint(CODE + 5);
    assert_eq!(
        stops,
        [(brk, 1), (brk, 3), (brk, 3), (Stop::Interrupt(0x80), 4)]
    );
    assert_eq!(m.cpu().eax(), 3);
}
