//! Accessed and dirty bits, TLB entries that outlive their PTE until invlpg or a CR3 reload,
//! and a decode cache that stays coherent with writes to code.

use super::*;

/// Reads DATA into eax, ebx, then ecx, trapping with `int 0x80` between reads.
fn three_reads_of_data() -> Vec<u8> {
    asm(|a| {
        a.mov(eax, dword_ptr(DATA))?;
        a.int(0x80)?;
        a.mov(ebx, dword_ptr(DATA))?;
        a.int(0x80)?;
        a.mov(ecx, dword_ptr(DATA))
    })
}

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
fn stale_tlb_entry_is_used_until_invlpg() {
    let (mut m, space) = setup(&three_reads_of_data());
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
    let (mut m, _) = setup(&three_reads_of_data());
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
