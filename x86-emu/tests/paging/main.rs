//! Paging, TLB and clean-restart behaviour seen through the public API.

mod breakpoints;
mod faults;
mod mem_forms;
mod phys;
mod tlb;

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
