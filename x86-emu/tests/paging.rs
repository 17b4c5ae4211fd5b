//! Paging, TLB and clean-restart behaviour seen through the public API.

use iced_x86::code_asm::*;
use x86_emu::{
    flat_address_space, page_range, walk, CpuState, Exception, FlatSpace, Machine, PfErrorCode,
    Pfn, PhysAddr, PteFlags, Ram, Stop, Vector, VirtAddr, WatchAccess, Watchpoint,
};

const CODE: u32 = 0x0040_0000;
const DATA: u32 = 0x0060_0000;
const STACK_TOP: u32 = 0x0080_0000;
/// A page with a page table of its own (no other page shares its PDE).
const FAR: u32 = 0x9000_0000;

fn asm(f: impl FnOnce(&mut CodeAssembler) -> Result<(), IcedError>) -> Vec<u8> {
    let mut a = CodeAssembler::new(32).unwrap();
    f(&mut a).unwrap();
    a.int(0x80).unwrap();
    a.assemble(CODE as u64).unwrap()
}

/// Code at CODE, two data pages at DATA, one stack page below STACK_TOP.
fn setup(code: &[u8]) -> (Machine, FlatSpace) {
    let mut ram = Ram::new(64).unwrap();
    let mut pages = page_range(VirtAddr(CODE), code.len() as u32);
    pages.extend(page_range(VirtAddr(DATA), 0x2000));
    pages.push(VirtAddr(STACK_TOP - 0x1000));
    pages.push(VirtAddr(FAR));
    let space = flat_address_space(&mut ram, &pages, Pfn(1)).unwrap();
    space.load(&mut ram, VirtAddr(CODE), code).unwrap();
    let mut m = Machine::new(ram);
    m.set_cr3(space.cr3);
    m.set_cpu(CpuState::at(CODE, STACK_TOP));
    (m, space)
}

fn pte_addr(m: &Machine, va: u32) -> PhysAddr {
    walk(m.ram(), m.cr3(), VirtAddr(va)).pte_addr.unwrap()
}

fn pte(m: &Machine, va: u32) -> u32 {
    m.ram().read_u32(pte_addr(m, va)).unwrap()
}

fn pde(m: &Machine, va: u32) -> u32 {
    let w = walk(m.ram(), m.cr3(), VirtAddr(va));
    m.ram().read_u32(w.pde_addr).unwrap()
}

fn set_pte(m: &mut Machine, va: u32, v: u32) {
    let at = pte_addr(m, va);
    m.write_phys(at, &v.to_le_bytes()).unwrap();
}

fn pf(addr: u32, code: PfErrorCode) -> Stop {
    Stop::Exception(Exception::page_fault(addr, code))
}

const A: u32 = PteFlags::ACCESSED.bits();
const D: u32 = PteFlags::DIRTY.bits();
const U: PfErrorCode = PfErrorCode::USER;
const W: PfErrorCode = PfErrorCode::WRITE;
const P: PfErrorCode = PfErrorCode::PRESENT;

#[test]
fn accessed_at_both_levels_dirty_on_first_write() {
    let code = asm(|a| {
        a.mov(eax, dword_ptr(DATA))?;
        a.int(0x80)?;
        a.mov(dword_ptr(DATA), eax)
    });
    let (mut m, _) = setup(&code);
    assert_eq!(pte(&m, DATA) & (A | D), 0);
    assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
    assert_eq!(pte(&m, DATA) & (A | D), A, "read sets A, not D");
    assert_eq!(pde(&m, DATA) & A, A, "A in the PDE too");
    assert_eq!(pte(&m, CODE) & (A | D), A, "instruction fetch sets A");
    assert_eq!(pte(&m, DATA + 0x1000) & A, 0, "untouched page stays clear");
    // The TLB now holds DATA with D clear: the write must walk again to set D.
    assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
    assert_eq!(pte(&m, DATA) & (A | D), A | D);
    assert_eq!(pde(&m, DATA) & D, 0, "no D in a PDE");
}

#[test]
fn protection_faults_have_exact_error_codes_and_change_nothing() {
    let code = asm(|a| {
        a.mov(eax, 7u32)?;
        a.mov(dword_ptr(DATA), eax)
    });
    let (mut m, _) = setup(&code);
    let ro = pte(&m, DATA) & !PteFlags::WRITABLE.bits();
    set_pte(&mut m, DATA, ro);
    assert_eq!(m.step(), None);
    let before = m.cpu();
    assert_eq!(m.step(), Some(pf(DATA, P | W | U)));
    let after = m.cpu();
    assert_eq!(after.cr2, DATA);
    assert_eq!(
        CpuState { cr2: 0, ..after },
        CpuState { cr2: 0, ..before },
        "a fault changes nothing"
    );
    assert_eq!(pte(&m, DATA) & D, 0);

    // Supervisor-only at the directory level: a read faults with P=1.
    let code = asm(|a| a.mov(eax, dword_ptr(FAR)));
    let (mut m, _) = setup(&code);
    let w = walk(m.ram(), m.cr3(), VirtAddr(FAR));
    let v = w.pde.raw() & !PteFlags::USER.bits();
    m.write_phys(w.pde_addr, &v.to_le_bytes()).unwrap();
    assert_eq!(m.run(10).stop, pf(FAR, P | U));
    // Read-only at the directory level forbids writes even if the PTE allows them.
    let code = asm(|a| a.mov(dword_ptr(FAR), eax));
    let (mut m, _) = setup(&code);
    let w = walk(m.ram(), m.cr3(), VirtAddr(FAR));
    let v = w.pde.raw() & !PteFlags::WRITABLE.bits();
    m.write_phys(w.pde_addr, &v.to_le_bytes()).unwrap();
    assert_eq!(m.run(10).stop, pf(FAR, P | W | U));
}

#[test]
fn not_present_at_directory_and_table_level() {
    let far = 0xa000_0000u32; // no page table covers it
    let code = asm(|a| {
        a.mov(eax, dword_ptr(DATA + 0x2000))?; // same table, PTE not present
        a.mov(dword_ptr(far), eax)
    });
    let (mut m, _) = setup(&code);
    assert_eq!(m.run(10).stop, pf(DATA + 0x2000, U));
    assert_eq!(m.cpu().eip, CODE);
    m.set_cpu(CpuState {
        eip: CODE + 5,
        ..m.cpu()
    });
    assert_eq!(m.run(10).stop, pf(far, U | W));
    let w = walk(m.ram(), m.cr3(), VirtAddr(far));
    assert!(w.pte_addr.is_none() && !w.pde.present());
}

#[test]
fn stale_tlb_entry_is_used_until_invlpg() {
    let code = asm(|a| {
        a.mov(eax, dword_ptr(DATA))?;
        a.int(0x80)?;
        a.mov(ebx, dword_ptr(DATA))?;
        a.int(0x80)?;
        a.mov(ecx, dword_ptr(DATA))
    });
    let (mut m, space) = setup(&code);
    let old = space.phys(VirtAddr(DATA)).unwrap();
    let new = space.phys(VirtAddr(DATA + 0x1000)).unwrap();
    m.write_phys(old, &0x1111u32.to_le_bytes()).unwrap();
    m.write_phys(new, &0x2222u32.to_le_bytes()).unwrap();
    assert_eq!(m.run(10).stop, Stop::Interrupt(0x80));
    assert_eq!(m.cpu().eax(), 0x1111);
    // Core remaps DATA to the other frame in RAM but forgets INVLPG.
    let remapped = (pte(&m, DATA) & 0xfff) | (new.0 & !0xfff);
    set_pte(&mut m, DATA, remapped);
    assert_eq!(m.run(10).stop, Stop::Interrupt(0x80));
    assert_eq!(
        m.cpu().ebx(),
        0x1111,
        "the stale TLB entry still translates to the old frame"
    );
    assert!(m
        .tlb()
        .entries()
        .any(|e| e.vpn.0 == DATA >> 12 && e.pfn.0 == old.0 >> 12));
    m.invlpg(VirtAddr(DATA));
    assert_eq!(m.run(10).stop, Stop::Interrupt(0x80));
    assert_eq!(m.cpu().ecx(), 0x2222);
}

#[test]
fn unmapping_without_invlpg_keeps_access_cr3_reload_flushes() {
    let code = asm(|a| {
        a.mov(eax, dword_ptr(DATA))?;
        a.int(0x80)?;
        a.mov(eax, dword_ptr(DATA))?;
        a.int(0x80)?;
        a.mov(eax, dword_ptr(DATA))
    });
    let (mut m, _) = setup(&code);
    assert_eq!(m.run(10).stop, Stop::Interrupt(0x80));
    set_pte(&mut m, DATA, 0);
    assert_eq!(m.run(10).stop, Stop::Interrupt(0x80), "still cached");
    let misses = m.tlb().misses();
    let dir = m.cr3();
    m.set_cr3(dir);
    assert_eq!(m.tlb().entries().count(), 0);
    assert_eq!(m.run(10).stop, pf(DATA, U));
    assert!(m.tlb().misses() > misses);
}

#[test]
fn page_crossing_store_faults_on_second_page_and_writes_nothing() {
    let edge = DATA + 0x1ffe; // last two bytes of the second data page; next page unmapped
    let code = asm(|a| {
        a.mov(eax, 0xaabb_ccddu32)?;
        a.mov(dword_ptr(edge), eax)
    });
    let (mut m, space) = setup(&code);
    assert_eq!(m.run(10).stop, pf(DATA + 0x2000, U | W));
    let mut b = [0u8; 2];
    m.read_phys(space.phys(VirtAddr(edge)).unwrap(), &mut b)
        .unwrap();
    assert_eq!(b, [0, 0], "nothing written on the first page");
    assert_eq!(m.cpu().cr2, DATA + 0x2000);
}

#[test]
fn instruction_crossing_into_unmapped_page_faults_there() {
    // A 5-byte MOV whose last bytes lie on the (unmapped) next page.
    let mut ram = Ram::new(16).unwrap();
    let space = flat_address_space(&mut ram, &[VirtAddr(CODE)], Pfn(1)).unwrap();
    space
        .load(&mut ram, VirtAddr(CODE + 0xffd), &[0xb8, 1, 2])
        .unwrap();
    let mut m = Machine::new(ram);
    m.set_cr3(space.cr3);
    m.set_cpu(CpuState::at(CODE + 0xffd, 0));
    assert_eq!(m.step(), Some(pf(CODE + 0x1000, U)));
    assert_eq!(m.cpu().eip, CODE + 0xffd);
}

#[test]
fn push_and_call_to_unmapped_stack_fault_with_esp_unchanged() {
    let code = asm(|a| {
        a.push(eax)?;
        a.call(CODE as u64)
    });
    let (mut m, _) = setup(&code);
    let mut s = m.cpu();
    s.regs[4] = STACK_TOP - 0x1000; // bottom of the mapped stack page
    m.set_cpu(s.clone());
    assert_eq!(m.step(), Some(pf(STACK_TOP - 0x1004, U | W)));
    assert_eq!(m.cpu().esp(), s.esp());
    m.set_cpu(CpuState {
        eip: CODE + 1,
        ..s.clone()
    });
    assert_eq!(m.step(), Some(pf(STACK_TOP - 0x1004, U | W)));
    assert_eq!(m.cpu().esp(), s.esp());
    assert_eq!(m.cpu().eip, CODE + 1);
}

#[test]
fn rep_movs_faults_at_the_element_and_restarts() {
    // Copy 0x20 bytes from DATA+0x1ff0 to DATA+0x100: the source runs off the mapped pages.
    let code = asm(|a| {
        a.mov(esi, DATA + 0x1ff0)?;
        a.mov(edi, DATA + 0x100)?;
        a.mov(ecx, 0x20u32)?;
        a.rep().movsb()
    });
    let (mut m, mut space) = setup(&code);
    let r = m.run(100);
    assert_eq!(r.stop, pf(DATA + 0x2000, U));
    let s = m.cpu();
    assert_eq!(
        (s.esi(), s.edi(), s.ecx()),
        (DATA + 0x2000, DATA + 0x110, 0x10)
    );
    // Fix the fault: map the page (PTE in RAM + INVLPG), then resume.
    let frame = space.next_free;
    space.next_free = Pfn(frame.0 + 1);
    m.write_phys(frame.addr(), &[0x5a; 4096]).unwrap();
    let flags = PteFlags::PRESENT | PteFlags::WRITABLE | PteFlags::USER;
    set_pte(&mut m, DATA + 0x2000, x86_emu::Pte::new(frame, flags).raw());
    m.invlpg(VirtAddr(DATA + 0x2000));
    assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
    assert_eq!(m.cpu().ecx(), 0);
    let mut out = [0u8; 0x20];
    m.read_virt(VirtAddr(DATA + 0x100), &mut out).unwrap();
    assert_eq!(&out[0x10..], &[0x5a; 0x10]);
}

#[test]
fn restart_after_mapping_gives_the_same_result() {
    let code = asm(|a| {
        a.mov(eax, 5u32)?;
        a.add(dword_ptr(DATA + 0x3000), eax)?;
        a.mov(ebx, dword_ptr(DATA + 0x3000))
    });
    // Reference: the page was there from the start.
    let mut reference = {
        let mut ram = Ram::new(64).unwrap();
        let mut pages = page_range(VirtAddr(CODE), code.len() as u32);
        pages.extend(page_range(VirtAddr(DATA), 0x4000));
        pages.push(VirtAddr(STACK_TOP - 0x1000));
        let space = flat_address_space(&mut ram, &pages, Pfn(1)).unwrap();
        space.load(&mut ram, VirtAddr(CODE), &code).unwrap();
        space
            .load(&mut ram, VirtAddr(DATA + 0x3000), &37u32.to_le_bytes())
            .unwrap();
        let mut r = Machine::new(ram);
        r.set_cr3(space.cr3);
        r.set_cpu(CpuState::at(CODE, STACK_TOP));
        r
    };
    assert_eq!(reference.run(100).stop, Stop::Interrupt(0x80));

    let (mut m, space) = setup(&code);
    let r = m.run(100);
    assert_eq!(r.stop, pf(DATA + 0x3000, U));
    assert_eq!(r.retired, 1);
    let at_fault = m.cpu();
    assert_eq!(at_fault.eip, CODE + 5);
    // The pager maps a frame holding 37 there.
    let frame = space.next_free;
    m.write_phys(frame.addr(), &37u32.to_le_bytes()).unwrap();
    let flags = PteFlags::PRESENT | PteFlags::WRITABLE | PteFlags::USER;
    set_pte(&mut m, DATA + 0x3000, x86_emu::Pte::new(frame, flags).raw());
    m.invlpg(VirtAddr(DATA + 0x3000));
    assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
    let (got, want) = (m.cpu(), reference.cpu());
    assert_eq!(got.regs, want.regs);
    assert_eq!(got.eip, want.eip);
    assert_eq!(got.eflags, want.eflags);
    assert_eq!(got.ebx(), 42);
}

#[test]
fn privileged_undefined_and_divide_faults() {
    for (bytes, want) in [
        (vec![0xf4], Exception::gp0()),                            // HLT
        (vec![0xfa], Exception::gp0()),                            // CLI
        (vec![0x0f, 0x01, 0x38], Exception::gp0()),                // INVLPG [eax]
        (vec![0x0f, 0x22, 0xd8], Exception::gp0()),                // MOV CR3, EAX
        (vec![0xe4, 0x60], Exception::gp0()),                      // IN AL, 0x60
        (vec![0x0f, 0x0b], Exception::new(Vector::InvalidOpcode)), // UD2
        (
            vec![0x0f, 0xff, 0xff, 0xff],
            Exception::new(Vector::InvalidOpcode),
        ),
        (
            vec![0x31, 0xc9, 0xf7, 0xf1],
            Exception::new(Vector::DivideError),
        ), // xor ecx,ecx; div ecx
    ] {
        let (mut m, _) = setup(&bytes);
        let r = m.run(10);
        assert_eq!(r.stop, Stop::Exception(want), "{bytes:02x?}");
        assert!(m.cpu().eip < CODE + bytes.len() as u32);
    }
}

#[test]
fn int_n_stops_after_the_instruction() {
    let code = asm(|a| a.int(0x30));
    let (mut m, _) = setup(&code);
    let r = m.run(10);
    assert_eq!(r.stop, Stop::Interrupt(0x30));
    assert_eq!(r.retired, 1);
    assert_eq!(m.cpu().eip, CODE + 2);
}

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

#[test]
fn self_modifying_code_and_write_phys_keep_decode_cache_coherent() {
    // Loop twice over `mov eax, imm32`, patching the immediate in between.
    let code = asm(|a| {
        a.mov(eax, 1u32)?; // CODE: b8 01 00 00 00
        a.int(0x80)?;
        a.mov(byte_ptr(CODE + 1), 2u32)?;
        a.jmp(CODE as u64)
    });
    let (mut m, space) = setup(&code);
    assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
    assert_eq!(m.cpu().eax(), 1);
    assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
    assert_eq!(m.cpu().eax(), 2, "a guest store invalidates decoded code");
    m.write_phys(space.phys(VirtAddr(CODE + 1)).unwrap(), &[9])
        .unwrap();
    m.set_cpu(CpuState {
        eip: CODE,
        ..m.cpu()
    });
    assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
    assert_eq!(m.cpu().eax(), 9, "write_phys invalidates decoded code");
    let imm = space.phys(VirtAddr(CODE + 1)).unwrap();
    m.zero_phys(imm, 4).unwrap();
    m.set_cpu(CpuState {
        eip: CODE,
        ..m.cpu()
    });
    assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
    assert_eq!(m.cpu().eax(), 0, "zero_phys invalidates decoded code");
    m.write_phys_u32(imm, 0x1234_5678).unwrap();
    m.set_cpu(CpuState {
        eip: CODE,
        ..m.cpu()
    });
    assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
    assert_eq!(
        m.cpu().eax(),
        0x1234_5678,
        "write_phys_u32 invalidates decoded code"
    );
}

#[test]
fn phys_u32_reads_and_writes_four_little_endian_bytes_and_nothing_outside_ram() {
    let (mut m, _) = setup(&[0x90]);
    let end = m.ram().len();
    m.write_phys(PhysAddr(0x3000), &[0x5a; 8]).unwrap();
    m.write_phys_u32(PhysAddr(0x3002), 0x0403_0201).unwrap();
    let mut bytes = [0u8; 8];
    m.read_phys(PhysAddr(0x3000), &mut bytes).unwrap();
    assert_eq!(bytes, [0x5a, 0x5a, 1, 2, 3, 4, 0x5a, 0x5a]);
    assert_eq!(m.read_phys_u32(PhysAddr(0x3002)), Ok(0x0403_0201));
    m.write_phys_u32(PhysAddr(end - 4), 7).unwrap();
    assert_eq!(m.read_phys_u32(PhysAddr(end - 4)), Ok(7));
    assert!(m.write_phys_u32(PhysAddr(end - 3), 9).is_err());
    assert!(m.read_phys_u32(PhysAddr(end - 3)).is_err());
    assert!(m.read_phys_u32(PhysAddr(u32::MAX - 1)).is_err());
    assert_eq!(
        m.read_phys_u32(PhysAddr(end - 4)),
        Ok(7),
        "a write past the end of RAM writes nothing"
    );
}

#[test]
fn zero_phys_zeroes_exactly_its_range_and_nothing_outside_ram() {
    let (mut m, _) = setup(&[0x90]);
    let end = m.ram().len();
    m.write_phys(PhysAddr(0x3000), &[0x5a; 4096]).unwrap();
    m.zero_phys(PhysAddr(0x3001), 4094).unwrap();
    let mut page = [0u8; 4096];
    m.read_phys(PhysAddr(0x3000), &mut page).unwrap();
    assert_eq!((page[0], page[4095]), (0x5a, 0x5a));
    assert!(page[1..4095].iter().all(|&b| b == 0));
    m.write_phys(PhysAddr(end - 4), &[7; 4]).unwrap();
    assert!(m.zero_phys(PhysAddr(end - 4), 5).is_err());
    let mut tail = [0u8; 4];
    m.read_phys(PhysAddr(end - 4), &mut tail).unwrap();
    assert_eq!(tail, [7; 4], "a zeroing past the end of RAM writes nothing");
}

#[test]
fn page_tables_outside_ram_stop_with_machine_check() {
    let (mut m, _) = setup(&[0x90]);
    m.set_cr3(PhysAddr(0x0100_0000));
    let r = m.run(1);
    match r.stop {
        Stop::Exception(e) => assert_eq!(e.vector, Vector::MachineCheck),
        other => panic!("{other:?}"),
    }
}

/// One memory instruction on the dword at DATA (EDI = DATA, EBX = 3), its name, and whether
/// it writes.
type MemForm = (
    &'static str,
    fn(&mut CodeAssembler) -> Result<(), IcedError>,
    bool,
);

const MEM_FORMS: [MemForm; 10] = [
    (
        "add [mem], imm",
        |a| a.add(dword_ptr(edi), 0x7fff_fff0),
        true,
    ),
    ("sub [mem], reg", |a| a.sub(dword_ptr(edi), ebx), true),
    (
        "xor [mem+disp], imm",
        |a| a.xor(dword_ptr(edi + 0), -1),
        true,
    ),
    ("inc [mem]", |a| a.inc(dword_ptr(edi)), true),
    ("dec [mem]", |a| a.dec(dword_ptr(edi)), true),
    ("cmp [mem], imm", |a| a.cmp(dword_ptr(edi), 0x20), false),
    ("test [mem], reg", |a| a.test(dword_ptr(edi), ebx), false),
    ("and reg, [mem]", |a| a.and(ebx, dword_ptr(edi)), false),
    (
        "movsx reg, word [mem]",
        |a| a.movsx(ebx, word_ptr(edi)),
        false,
    ),
    ("mov [mem], imm", |a| a.mov(dword_ptr(edi), 5u32), true),
];

/// A machine about to run `form` with [DATA] = 0x8010 and DATA's PTE set to `pte_of(old)`.
fn mem_form_machine(form: &MemForm, pte_of: impl Fn(u32) -> u32) -> Machine {
    let code = asm(|a| {
        a.mov(edi, DATA)?;
        a.mov(ebx, 3u32)?;
        a.int(0x81)?;
        (form.1)(a)
    });
    let (mut m, _) = setup(&code);
    let frame = PhysAddr(pte(&m, DATA) & !0xfff);
    m.write_phys(frame, &0x8010u32.to_le_bytes()).unwrap();
    let v = pte_of(pte(&m, DATA));
    set_pte(&mut m, DATA, v);
    assert_eq!(m.run(10).stop, Stop::Interrupt(0x81));
    m
}

fn data_word(m: &Machine) -> u32 {
    m.ram().read_u32(PhysAddr(pte(m, DATA) & !0xfff)).unwrap()
}

#[test]
fn memory_forms_fault_on_the_right_access_and_restart_cleanly() {
    for form in &MEM_FORMS {
        let (name, _, writes) = *form;
        // The reference: the page writable from the start.
        let mut want = mem_form_machine(form, |p| p);
        assert_eq!(want.run(10).stop, Stop::Interrupt(0x80), "{name}");

        // Read-only: a writer reads (A set), then faults on its write; nothing changes.
        let mut m = mem_form_machine(form, |p| p & !(PteFlags::WRITABLE.bits() | A));
        let before = m.cpu();
        let stop = m.run(10).stop;
        if writes {
            assert_eq!(stop, pf(DATA, P | W | U), "{name}");
            let after = CpuState { cr2: 0, ..m.cpu() };
            assert_eq!(after, CpuState { cr2: 0, ..before }, "{name}: changed");
            assert_eq!(data_word(&m), 0x8010, "{name}: memory written");
            let read_first = !name.starts_with("mov [");
            assert_eq!(pte(&m, DATA) & (A | D), read_first as u32 * A, "{name}");
            // Make it writable (with INVLPG): the restart completes as the reference did.
            let v = pte(&m, DATA) | PteFlags::WRITABLE.bits();
            set_pte(&mut m, DATA, v);
            m.invlpg(VirtAddr(DATA));
            assert_eq!(m.run(10).stop, Stop::Interrupt(0x80), "{name}");
        } else {
            assert_eq!(stop, Stop::Interrupt(0x80), "{name}");
        }
        assert_eq!(m.cpu().regs, want.cpu().regs, "{name}");
        assert_eq!(m.cpu().eflags, want.cpu().eflags, "{name}");
        assert_eq!(data_word(&m), data_word(&want), "{name}");
        assert_eq!(
            pte(&m, DATA) & (A | D),
            pte(&want, DATA) & (A | D),
            "{name}"
        );

        // Not present: the first access faults, a read without W (the 80386 reads first).
        let mut m = mem_form_machine(form, |p| p & !PteFlags::PRESENT.bits());
        let before = m.cpu();
        let code = if name.starts_with("mov [") { W | U } else { U };
        assert_eq!(m.run(10).stop, pf(DATA, code), "{name}");
        let after = CpuState { cr2: 0, ..m.cpu() };
        assert_eq!(after, CpuState { cr2: 0, ..before }, "{name}: changed");
    }
}

#[test]
fn pop_and_ret_from_an_unmapped_stack_fault_with_esp_unchanged() {
    for ret in [false, true] {
        let code = asm(|a| if ret { a.ret() } else { a.pop(ebx) });
        let (mut m, _) = setup(&code);
        let mut s = m.cpu();
        s.regs[4] = STACK_TOP; // the page above the stack is unmapped
        m.set_cpu(s.clone());
        assert_eq!(m.step(), Some(pf(STACK_TOP, U)), "ret {ret}");
        assert_eq!(CpuState { cr2: 0, ..m.cpu() }, s, "ret {ret}");
    }
}
