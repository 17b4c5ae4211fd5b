//! The emulator's one model of undefined state, pinned: for every rule of
//! `x86_emu::undefined`, instructions whose flags or results the manuals leave undefined run in
//! x86-emu alone, and their whole result (registers, all six status flags, which of them are
//! undefined) must equal the committed values in `undefined_golden.txt`. The differential tests
//! never compare these values with the host CPU (Intel and AMD differ there); this test keeps
//! them from drifting, so traces stay the same on every host and between native and wasm.
//!
//! After an intended change of the model, `UPDATE_GOLDEN=1 cargo test -p x86-emu --test
//! undefined_golden` rewrites the file; say why in the commit.

use x86_emu::asm::{assemble, SegmentKind};
use x86_emu::cpu::eflags::{AF, CF, OF, PF, SF, ZF};
use x86_emu::{flat_address_space, page_range, CpuState, Machine, Pfn, Ram, Stop, VirtAddr};

/// Registers every case starts from (EAX ECX EDX EBX ESP EBP ESI EDI), before its own moves.
const START: [u32; 8] = [
    0x89ab_cdef,
    0x0000_0003,
    0x0000_0001,
    0x1234_5678,
    0,
    0xfedc_ba98,
    0x8000_0001,
    0x7fff_fffe,
];

/// (name, body): each body ends with the instruction whose undefined state is pinned.
const CASES: &[(&str, &str)] = &[
    ("and", "and eax, ebx"),
    ("or 8-bit", "or al, 0x10"),
    ("test", "test esi, edi"),
    ("shl 32 by 1", "shl eax, 1"),
    ("shl 32 by 7", "shl eax, 7"),
    ("shl 32 by cl", "mov cl, 31\nshl esi, cl"),
    ("shl 8 by 8", "shl al, 8"),
    ("shl 8 by 9", "mov cl, 9\nshl bl, cl"),
    ("shl 16 by 16", "mov cl, 16\nshl si, cl"),
    ("shl 16 by 17", "mov cl, 17\nshl bp, cl"),
    ("shr 32 by 5", "shr eax, 5"),
    ("shr 8 by 8", "shr al, 8"),
    ("shr 16 by 31", "mov cl, 31\nshr bx, cl"),
    ("sar 32 by 4", "sar eax, 4"),
    ("sar 8 by 12", "mov cl, 12\nsar dh, cl"),
    ("rol 32 by 4 reg imm", "rol eax, 4"),
    ("rol 32 by cl", "mov cl, 4\nrol eax, cl"),
    ("rol 8 by 8", "mov cl, 8\nrol bl, cl"),
    ("ror 16 by 3", "ror si, 3"),
    (
        "ror mem by 2",
        "mov [buf], eax\nror dword [buf], 2\nmov edx, [buf]",
    ),
    ("rcl 32 by 3", "stc\nrcl eax, 3"),
    ("rcl 8 by 9", "stc\nrcl bl, 9"),
    ("rcr 16 by 17", "clc\nrcr si, 17"),
    ("rcr 16 by 5", "stc\nrcr di, 5"),
    ("shld 32 by 8", "shld eax, ebx, 8"),
    ("shrd 32 by 12", "shrd ebx, eax, 12"),
    ("shld 16 by 20", "mov cl, 20\nshld ax, bx, cl"),
    (
        "shrd 16 by 18",
        "mov dx, 0x8001\nmov cl, 18\nshrd dx, bx, cl",
    ),
    ("shld 16 by 16", "mov cl, 16\nshld si, di, cl"),
    ("mul 32", "mul ebx"),
    ("mul 8", "mov al, 0x80\nmov bl, 2\nmul bl"),
    ("mul zero", "xor eax, eax\nmul ebx"),
    ("imul 1op", "imul ebx"),
    ("imul 2op", "imul esi, edi"),
    ("imul 3op 16", "imul dx, bx, 300"),
    ("div 32", "xor edx, edx\nmov ecx, 7\ndiv ecx"),
    ("idiv 32", "cdq\nmov ecx, -7\nidiv ecx"),
    ("div 8", "mov ax, 1000\nmov bl, 9\ndiv bl"),
    ("idiv 16", "mov ax, -1000\ncwd\nmov bx, 7\nidiv bx"),
    (
        "div after add",
        "add eax, eax\nxor edx, edx\nmov ecx, 7\ndiv ecx",
    ),
    ("bt", "bt eax, 4"),
    (
        "bts mem",
        "mov [buf], eax\nbts dword [buf], 31\nmov edx, [buf]",
    ),
    ("btr after mul", "mul ebx\nbtr ebx, 3"),
    ("btc", "btc esi, 0"),
    ("bsf", "bsf ecx, ebx"),
    ("bsr", "bsr ecx, esi"),
    ("bsf zero", "xor eax, eax\nmov ecx, 0x1234\nbsf ecx, eax"),
    ("bsr zero 16", "xor eax, eax\nmov cx, 0x55\nbsr cx, ax"),
    ("bswap 16", "db 0x66, 0x0f, 0xcb"),
    (
        "inc after div",
        "xor edx, edx\nmov ecx, 7\ndiv ecx\ninc eax",
    ),
];

/// Runs `body` from [`START`] to its end.
fn machine_after(body: &str) -> Machine {
    let src = format!("section .text\n_start:\n{body}\nint 3\nsection .data\nbuf: dd 0\n");
    let program = assemble(&src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    let mut segments: Vec<(u32, Vec<u8>)> = Vec::new();
    for kind in [SegmentKind::Text, SegmentKind::Data] {
        if let Some(s) = program.segment(kind) {
            let mut bytes = s.bytes.clone();
            bytes.resize(s.size as usize, 0);
            segments.push((s.addr, bytes));
        }
    }
    let mut pages = Vec::new();
    for (addr, bytes) in &segments {
        pages.extend(page_range(VirtAddr(*addr), bytes.len() as u32));
    }
    let mut ram = Ram::new(pages.len() as u32 + 8).expect("ram");
    let space = flat_address_space(&mut ram, &pages, Pfn(1)).expect("space");
    for (addr, bytes) in &segments {
        space.load(&mut ram, VirtAddr(*addr), bytes).expect("load");
    }
    let mut m = Machine::new(ram);
    m.set_cr3(space.cr3);
    let mut cpu = CpuState::at(program.entry, 0);
    cpu.regs = START;
    m.set_cpu(cpu);
    let stop = m.run(1_000).stop;
    assert_eq!(stop, Stop::Interrupt(3), "{body}");
    m
}

/// Runs `body` from [`START`] and returns one line: registers, status flags, undefined flags.
fn run(body: &str) -> String {
    let cpu = machine_after(body).cpu();
    let regs: Vec<String> = cpu.regs.iter().map(|r| format!("{r:08x}")).collect();
    format!(
        "{} flags {} undefined {}",
        regs.join(" "),
        names(cpu.eflags),
        names(cpu.undefined.mask())
    )
}

/// Status flag names, e.g. `CF.ZF`, or `-`.
fn names(f: u32) -> String {
    let v: Vec<&str> = [
        (CF, "CF"),
        (PF, "PF"),
        (AF, "AF"),
        (ZF, "ZF"),
        (SF, "SF"),
        (OF, "OF"),
    ]
    .iter()
    .filter(|(b, _)| f & b != 0)
    .map(|&(_, n)| n)
    .collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(".")
    }
}

#[test]
fn undefined_state_matches_the_committed_model() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/undefined_golden.txt");
    let got: String = CASES
        .iter()
        .map(|(name, body)| format!("{name}: {}\n", run(body)))
        .collect();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).expect("write the golden file");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("tests/undefined_golden.txt");
    let diffs: Vec<String> = want
        .lines()
        .zip(got.lines())
        .filter(|(w, g)| w != g)
        .map(|(w, g)| format!("want {w}\n got {g}"))
        .collect();
    assert!(
        diffs.is_empty() && want.lines().count() == got.lines().count(),
        "the model of undefined state changed:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn every_rule_is_pinned_by_a_case() {
    use x86_emu::undefined::STATUS_FLAGS;
    let mut seen = std::collections::HashSet::new();
    for (_, body) in CASES {
        let m = machine_after(body);
        let undefined = m.cpu().undefined;
        seen.extend(STATUS_FLAGS.iter().filter_map(|&f| undefined.why(f)));
        seen.extend(m.undefined_result().map(|u| u.rule));
    }
    assert_eq!(
        seen.len(),
        x86_emu::undefined::RULES.len(),
        "rules pinned: {seen:?}"
    );
}
