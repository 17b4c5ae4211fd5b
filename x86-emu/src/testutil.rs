//! Test helpers: a machine with code, stack and data pages mapped, and an assembler shortcut.

use crate::addr::{Pfn, VirtAddr};
use crate::layout::{flat_address_space, page_range, FlatSpace};
use crate::machine::{Machine, Stop};
use crate::ram::Ram;
use crate::CpuState;
use iced_x86::code_asm::CodeAssembler;

/// Where test code is loaded.
pub const CODE: u32 = 0x0040_0000;
/// Initial ESP (the stack is the 4 pages below it).
pub const STACK_TOP: u32 = 0x0080_0000;
/// A 4-page read-write data area.
pub const DATA: u32 = 0x0060_0000;

/// Assemble with iced's code assembler at [`CODE`].
pub fn asm(f: impl FnOnce(&mut CodeAssembler) -> Result<(), iced_x86::IcedError>) -> Vec<u8> {
    let mut a = CodeAssembler::new(32).expect("asm: bitness");
    f(&mut a).expect("asm: instruction");
    a.assemble(CODE as u64).expect("asm: assemble")
}

/// A machine with `code` at [`CODE`] (plus an INT 0x80 after it), stack and data mapped.
pub fn machine(code: &[u8]) -> (Machine, FlatSpace) {
    let mut ram = Ram::new(64).expect("ram");
    let mut pages = page_range(VirtAddr(CODE), code.len() as u32 + 2);
    pages.extend(page_range(VirtAddr(STACK_TOP - 0x4000), 0x4000));
    pages.extend(page_range(VirtAddr(DATA), 0x4000));
    let space = flat_address_space(&mut ram, &pages, Pfn(1)).expect("layout");
    let mut bytes = code.to_vec();
    bytes.extend([0xcd, 0x80]);
    space.load(&mut ram, VirtAddr(CODE), &bytes).expect("load");
    let mut m = Machine::new(ram);
    m.set_cr3(space.cr3);
    m.set_cpu(CpuState::at(CODE, STACK_TOP));
    (m, space)
}

/// Run until the trailing INT 0x80 (panics on any other stop).
pub fn run_to_end(m: &mut Machine) {
    let r = m.run(1_000_000);
    assert_eq!(
        r.stop,
        Stop::Interrupt(0x80),
        "run_to_end: {:?} at {:#x}",
        r.stop,
        m.cpu().eip
    );
}

/// Assemble, run to the end, return the machine.
pub fn exec(f: impl FnOnce(&mut CodeAssembler) -> Result<(), iced_x86::IcedError>) -> Machine {
    let (mut m, _) = machine(&asm(f));
    run_to_end(&mut m);
    m
}
