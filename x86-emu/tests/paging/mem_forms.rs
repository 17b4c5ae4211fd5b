//! Every memory-operand form faults on the right access (read or write) and restarts cleanly.

use super::*;

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
