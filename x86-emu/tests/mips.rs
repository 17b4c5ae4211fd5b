//! Speed probe (ignored by default): prints emulated MIPS for a 10-instruction register loop
//! and for a loop touching 1,024 pages with paging on. Run with
//! `cargo test -p x86-emu --release --test mips -- --ignored --nocapture`.

use iced_x86::code_asm::*;
use std::time::Instant;
use x86_emu::{flat_address_space, page_range, CpuState, Machine, Pfn, Ram, Stop, VirtAddr};

const CODE: u32 = 0x0040_0000;
const DATA: u32 = 0x1000_0000;

fn machine(code: &[u8], data_pages: u32) -> Machine {
    let mut ram = Ram::new(data_pages + 64).unwrap();
    let mut pages = page_range(VirtAddr(CODE), code.len() as u32);
    pages.extend(page_range(VirtAddr(DATA), data_pages * 4096));
    let space = flat_address_space(&mut ram, &pages, Pfn(1)).unwrap();
    space.load(&mut ram, VirtAddr(CODE), code).unwrap();
    let mut m = Machine::new(ram);
    m.set_cr3(space.cr3);
    m.set_cpu(CpuState::at(CODE, 0));
    m
}

fn measure(name: &str, m: &mut Machine, budget: u64) {
    let _ = m.run(1000); // warm the decode cache and TLB
    let t = Instant::now();
    let r = m.run(budget);
    let dt = t.elapsed().as_secs_f64();
    assert_eq!(r.stop, Stop::Budget);
    println!(
        "{name}: {:.0} MIPS ({} instructions in {:.3} s; TLB hits {} misses {})",
        r.retired as f64 / dt / 1e6,
        r.retired,
        dt,
        m.tlb().hits(),
        m.tlb().misses()
    );
}

#[test]
#[ignore]
fn mips() {
    // Fetch and dispatch overhead alone: 9 NOPs and a JMP.
    let mut a = CodeAssembler::new(32).unwrap();
    let mut top = a.create_label();
    a.set_label(&mut top).unwrap();
    for _ in 0..9 {
        a.nop().unwrap();
    }
    a.jmp(top).unwrap();
    let code = a.assemble(CODE as u64).unwrap();
    let mut m = machine(&code, 1);
    measure("nop loop", &mut m, 100_000_000);
    if std::env::var_os("MIPS_NOP_ONLY").is_some() {
        return;
    }

    // 10 instructions per iteration, registers only.
    let mut a = CodeAssembler::new(32).unwrap();
    let mut top = a.create_label();
    a.set_label(&mut top).unwrap();
    a.add(eax, ebx).unwrap();
    a.xor(ecx, eax).unwrap();
    a.sub(edx, 3).unwrap();
    a.inc(esi).unwrap();
    a.shl(edi, 1).unwrap();
    a.or(edi, ecx).unwrap();
    a.mov(ebp, eax).unwrap();
    a.and(ebp, 0xff).unwrap();
    a.cmp(ebp, 0x100).unwrap();
    a.jne(top).unwrap();
    let code = a.assemble(CODE as u64).unwrap();
    let mut m = machine(&code, 1);
    measure("register loop", &mut m, 200_000_000);

    // Touch one dword in each of 1,024 pages, round and round (10 instructions per page).
    let mut a = CodeAssembler::new(32).unwrap();
    let mut outer = a.create_label();
    let mut inner = a.create_label();
    a.set_label(&mut outer).unwrap();
    a.mov(esi, DATA).unwrap();
    a.mov(ecx, 1024u32).unwrap();
    a.set_label(&mut inner).unwrap();
    a.mov(eax, dword_ptr(esi)).unwrap();
    a.add(eax, ecx).unwrap();
    a.mov(dword_ptr(esi + 4), eax).unwrap();
    a.add(ebx, eax).unwrap();
    a.xor(edx, ebx).unwrap();
    a.inc(edi).unwrap();
    a.add(esi, 4096).unwrap();
    a.sub(ebp, 1).unwrap();
    a.dec(ecx).unwrap();
    a.jnz(inner).unwrap();
    a.jmp(outer).unwrap();
    let code = a.assemble(CODE as u64).unwrap();
    let mut m = machine(&code, 1024);
    measure("1,024-page loop", &mut m, 100_000_000);
}
