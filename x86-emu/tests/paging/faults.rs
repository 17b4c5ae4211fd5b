//! Faults with exact error codes that change nothing (protection, not present, page-crossing
//! accesses, stack pushes and pops, string instructions), their clean restart, and the other
//! exceptions and interrupts that stop the machine.

use super::*;

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
