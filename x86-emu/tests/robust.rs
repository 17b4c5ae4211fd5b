//! Robustness: random bytes executed as code never panic and never hang; every outcome is a
//! `Stop`, and a fault leaves the registers as they were.

use proptest::prelude::*;
use x86_emu::{flat_address_space, page_range, CpuState, Machine, Pfn, Ram, Stop, VirtAddr};

const CODE: u32 = 0x0040_0000;

fn machine(code: &[u8], regs: [u32; 8]) -> Machine {
    let mut ram = Ram::new(32).unwrap();
    let mut pages = page_range(VirtAddr(CODE), 0x2000);
    pages.extend(page_range(VirtAddr(0x0080_0000 - 0x2000), 0x2000));
    pages.push(VirtAddr(0));
    let space = flat_address_space(&mut ram, &pages, Pfn(1)).unwrap();
    // The code page's tail wraps onto the second code page so crossing fetches happen too.
    space
        .load(
            &mut ram,
            VirtAddr(CODE + 0x1000 - code.len() as u32 / 2),
            code,
        )
        .unwrap();
    let mut m = Machine::new(ram);
    m.set_cr3(space.cr3);
    let mut s = CpuState::at(CODE + 0x1000 - code.len() as u32 / 2, 0x0080_0000 - 0x100);
    s.regs = regs;
    s.regs[4] = 0x0080_0000 - 0x100;
    m.set_cpu(s);
    m
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_code_always_stops(code in proptest::collection::vec(any::<u8>(), 1..64),
                                regs in any::<[u32; 8]>(),
                                zero_ecx in any::<bool>()) {
        let mut regs = regs;
        if zero_ecx { regs[1] &= 0xff; }
        let mut m = machine(&code, regs);
        let mut total = 0;
        for _ in 0..50 {
            let before = m.cpu();
            let r = m.run(200);
            total += r.retired;
            match r.stop {
                Stop::Budget => break,
                Stop::Exception(e) => {
                    // A fault changed nothing but CR2 (traps such as INT3 retire first).
                    if r.retired == 0 && e.vector != x86_emu::Vector::Breakpoint && e.vector != x86_emu::Vector::Overflow {
                        let after = m.cpu();
                        prop_assert_eq!(CpuState { cr2: 0, ..after }, CpuState { cr2: 0, ..before });
                    }
                    break;
                }
                Stop::Interrupt(_) | Stop::Watchpoint { .. } | Stop::Breakpoint(_) => continue,
            }
        }
        prop_assert!(total <= 50 * 200);
    }
}

/// Found by `cargo xtask fuzz`: `jmp far [edx]` read its 6-byte pointer into a 4-byte buffer
/// when the pointer crossed a page (a panic). A far transfer through memory reads the pointer
/// (faulting like any read), then raises #GP: the flat model has no segments to load.
#[test]
fn far_jump_through_memory_reads_the_pointer_then_raises_gp() {
    // cdq (edx = 0xffffffff); and bl, al; jmp far [edx]: the pointer wraps past 4 GiB.
    let mut m = machine(
        &[0x99, 0x20, 0xc3, 0xff, 0x2a],
        [0x8000_0000, 0, 0, 0, 0, 0, 0, 0],
    );
    let r = m.run(10);
    let Stop::Exception(e) = r.stop else {
        panic!("expected a fault, got {:?}", r.stop)
    };
    assert_eq!(
        e.vector,
        x86_emu::Vector::PageFault,
        "the unmapped pointer faults first"
    );
    // jmp far [ebx] with the pointer on the mapped stack page: #GP, nothing changed.
    let stack = 0x0080_0000 - 0x100;
    let mut m = machine(&[0xff, 0x2b], [0, 0, 0, stack, 0, 0, 0, 0]);
    let before = m.cpu();
    let r = m.run(10);
    let Stop::Exception(e) = r.stop else {
        panic!("expected #GP, got {:?}", r.stop)
    };
    assert_eq!(e.vector, x86_emu::Vector::GeneralProtection);
    assert_eq!(m.cpu(), before);
}
