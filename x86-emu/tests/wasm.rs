//! The emulator on wasm32 (Node): the same program gives the same registers, faults and
//! TLB counts as natively. (`cargo xtask test` runs this file on both.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use x86_emu::asm::assemble;
use x86_emu::{flat_address_space, Machine, Pfn, Ram, Stop, Vector, VirtAddr};

/// Sums 1..=100 into EAX, then writes it to a page that is not mapped.
const PROGRAM: &str = "
_start:
    xor eax, eax
    mov ecx, 100
again:
    add eax, ecx
    loop again
    mov [0x900000], eax
";

#[test]
fn a_program_runs_and_faults_the_same_on_wasm() {
    let program = assemble(PROGRAM).expect("assembles");
    let mut ram = Ram::new(64).expect("ram");
    let text = &program.segments[0];
    let space = flat_address_space(&mut ram, &[VirtAddr(text.addr)], Pfn(1)).expect("pages");
    space
        .load(&mut ram, VirtAddr(text.addr), &text.bytes)
        .expect("load");
    let mut m = Machine::new(ram);
    m.set_cr3(space.cr3);
    m.set_cpu(x86_emu::CpuState::at(program.entry, 0));
    let run = m.run(10_000);
    assert_eq!(m.cpu().regs[x86_emu::cpu::EAX], 5050);
    match run.stop {
        Stop::Exception(e) => {
            assert_eq!(e.vector, Vector::PageFault);
            assert_eq!(e.cr2, Some(0x90_0000));
            assert_eq!(
                e.error_code,
                Some(0b110),
                "user write to a not-present page"
            );
        }
        other => panic!("expected #PF, got {other:?}"),
    }
    assert_eq!(
        run.retired,
        2 + 2 * 100,
        "the faulting store did not retire"
    );
    assert!(m.tlb().hits() > 0, "the loop's fetches hit the TLB");
}
