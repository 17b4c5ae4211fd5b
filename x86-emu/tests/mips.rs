//! Speed probe (ignored by default): prints emulated MIPS (per CPU second of this thread) for
//! a 2-instruction `dec`/`jnz` delay loop (block dispatch cost), a 10-instruction register
//! loop and a loop touching 1,024 pages with paging on, next to the native speed of the same
//! loops (a ratio measured in one run). Run with
//! `cargo test -p x86-emu --release --test mips -- --ignored --nocapture`.
//! `MIPS_ONLY=nop|dec|reg|page|rmw|mem` runs only that loop (without the native comparison);
//! `MIPS_SCALE=n` divides the budgets (valgrind).

use iced_x86::code_asm::*;
use std::process::Command;
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

/// CPU time of this thread in seconds (Linux), so other load on the machine does not count.
fn thread_cpu() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

/// CPU time of waited-for children in seconds (Linux, 10 ms resolution).
fn children_cpu() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(13)?.parse::<f64>().ok()? + f.get(14)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Native MIPS of a nasm loop body run `iters` times (`None` if nasm/ld/ELF32 are missing).
fn native_mips(body: &str, setup: &str, instrs_per_iter: u64, iters: u64) -> Option<f64> {
    let dir = std::env::temp_dir().join(format!("x86emu-mips-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let src = format!(
        "BITS 32\nglobal _start\nsection .bss\nalignb 4096\nbuf: resb 4096*1025\nsection .text\n_start:\n{setup}\nmov esp, {iters}\ntop:\n{body}\ndec esp\njnz top\nmov eax, 1\nxor ebx, ebx\nint 0x80\n"
    );
    std::fs::write(dir.join("l.asm"), src).ok()?;
    let ok = |c: &mut Command| c.status().map(|s| s.success()).unwrap_or(false);
    if !ok(Command::new("nasm")
        .args(["-f", "elf32", "-o"])
        .arg(dir.join("l.o"))
        .arg(dir.join("l.asm")))
        || !ok(Command::new("ld")
            .args(["-m", "elf_i386", "-o"])
            .arg(dir.join("l"))
            .arg(dir.join("l.o")))
    {
        return None;
    }
    let t = Instant::now();
    let c0 = children_cpu();
    if !ok(&mut Command::new(dir.join("l"))) {
        return None;
    }
    let dt = match (c0, children_cpu()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => t.elapsed().as_secs_f64(),
    };
    let _ = std::fs::remove_dir_all(&dir);
    Some(((instrs_per_iter + 2) * iters) as f64 / dt / 1e6)
}

fn measure(name: &str, m: &mut Machine, budget: u64) -> f64 {
    // MIPS_SCALE=n divides the budgets (for runs under valgrind).
    let scale = std::env::var("MIPS_SCALE")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(1);
    let budget = budget / scale.max(1);
    let _ = m.run(1000); // warm the decode cache and TLB
    let t = Instant::now();
    let c0 = thread_cpu();
    let r = m.run(budget);
    let dt = match (c0, thread_cpu()) {
        (Some(a), Some(b)) => b - a,
        _ => t.elapsed().as_secs_f64(),
    };
    assert_eq!(r.stop, Stop::Budget);
    let mips = r.retired as f64 / dt / 1e6;
    println!(
        "{name}: {mips:.0} MIPS ({} instructions in {:.3} s; TLB hits {} misses {})",
        r.retired,
        dt,
        m.tlb().hits(),
        m.tlb().misses()
    );
    mips
}

fn report(name: &str, emu: f64, native: Option<f64>) {
    match native {
        Some(n) => println!(
            "{name}: native {n:.0} MIPS, x86-emu {emu:.0} MIPS = {:.2}% of the real CPU",
            100.0 * emu / n
        ),
        None => println!("{name}: SKIPPED native comparison (nasm, ld or 32-bit ELF unavailable)"),
    }
}

/// Whether `MIPS_ONLY` is unset or names this loop.
fn wanted(name: &str) -> bool {
    std::env::var("MIPS_ONLY").map_or(true, |only| only.is_empty() || only == name)
}

/// Whether the native comparisons run (not when one loop was asked for).
fn compare() -> bool {
    std::env::var("MIPS_ONLY").map_or(true, |only| only.is_empty())
}

#[test]
#[ignore]
fn mips() {
    if wanted("nop") {
        nop_loop();
    }
    if wanted("dec") {
        dec_loop();
    }
    if wanted("reg") {
        register_loop();
    }
    if wanted("page") {
        page_loop();
    }
    if wanted("rmw") {
        rmw_loop();
    }
    if wanted("mem") {
        memory_forms_loop();
    }
}

/// Fetch and dispatch overhead alone: 9 NOPs and a JMP.
fn nop_loop() {
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
}

/// Block dispatch overhead: a 2-instruction delay loop (`dec esi` / `jnz`), one block
/// that branches to itself, as in the workloads' `work:` loops.
fn dec_loop() {
    let mut a = CodeAssembler::new(32).unwrap();
    let mut top = a.create_label();
    a.set_label(&mut top).unwrap();
    a.dec(esi).unwrap();
    a.jnz(top).unwrap();
    let code = a.assemble(CODE as u64).unwrap();
    let mut m = machine(&code, 1);
    let emu = measure("dec/jnz loop", &mut m, 200_000_000);
    if compare() {
        // The native harness's own `dec esp` / `jnz top` is the whole loop.
        report("dec/jnz loop", emu, native_mips("", "", 0, 2_000_000_000));
    }
}

/// 10 instructions per iteration, registers only.
fn register_loop() {
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
    let emu = measure("register loop", &mut m, 200_000_000);
    let body = "add eax, ebx\nxor ecx, eax\nsub edx, 3\ninc esi\nshl edi, 1\nor edi, ecx\nmov ebp, eax\nand ebp, 0xff";
    if compare() {
        report(
            "register loop",
            emu,
            native_mips(body, "", 8, 1_000_000_000),
        );
    }
}

/// Touch one dword in each of 1,024 pages, round and round (10 instructions per page).
fn page_loop() {
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
    let emu = measure("1,024-page loop", &mut m, 100_000_000);
    let body = "mov eax, [esi]\nadd eax, ecx\nmov [esi+4], eax\nadd ebx, eax\nxor edx, ebx\ninc edi\nadd esi, 4096\nsub ebp, 1\ndec ecx\njnz .same\nmov esi, buf\nmov ecx, 1024\n.same:";
    if compare() {
        report(
            "1,024-page loop",
            emu,
            native_mips(body, "mov esi, buf\nmov ecx, 1024", 10, 50_000_000),
        );
    }
}

/// The second data page: its TLB slot is not the code page's (the first one's is).
const DATA2: u32 = DATA + 0x1000;

/// The workloads' page toucher: `add dword [edi], 1` in a 3-instruction loop.
fn rmw_loop() {
    let mut a = CodeAssembler::new(32).unwrap();
    let mut top = a.create_label();
    a.mov(edi, DATA2).unwrap();
    a.set_label(&mut top).unwrap();
    a.add(dword_ptr(edi), 1).unwrap();
    a.dec(esi).unwrap();
    a.jnz(top).unwrap();
    let code = a.assemble(CODE as u64).unwrap();
    let mut m = machine(&code, 2);
    let emu = measure("add [mem], 1 loop", &mut m, 100_000_000);
    if compare() {
        report(
            "add [mem], 1 loop",
            emu,
            native_mips("add dword [esi], 1", "mov esi, buf", 1, 500_000_000),
        );
    }
}

/// 13 instructions per iteration: one of each memory form compiled code uses most, and a call.
fn memory_forms_loop() {
    let mut a = CodeAssembler::new(32).unwrap();
    let mut top = a.create_label();
    let mut f = a.create_label();
    a.mov(esp, DATA2 + 4096).unwrap();
    a.mov(edi, DATA2).unwrap();
    a.jmp(top).unwrap();
    a.set_label(&mut f).unwrap();
    a.inc(dword_ptr(edi + 4)).unwrap();
    a.ret().unwrap();
    a.set_label(&mut top).unwrap();
    a.add(dword_ptr(edi), 1).unwrap();
    a.add(dword_ptr(edi + 8), eax).unwrap();
    a.cmp(dword_ptr(edi + 12), 5).unwrap();
    a.mov(dword_ptr(edi + 16), 7u32).unwrap();
    a.movzx(eax, byte_ptr(edi)).unwrap();
    a.movsx(ebx, word_ptr(edi + 2)).unwrap();
    a.push(eax).unwrap();
    a.pop(edx).unwrap();
    a.call(f).unwrap();
    a.dec(esi).unwrap();
    a.jnz(top).unwrap();
    let code = a.assemble(CODE as u64).unwrap();
    let mut m = machine(&code, 2);
    measure("memory forms loop", &mut m, 100_000_000);
}
