//! Shared machinery of the differential tests: build a batch of cases into one nasm program,
//! run it natively as a 32-bit ELF and in x86-emu, and compare registers, flags, the top of
//! the stack and each case's memory buffer.
//!
//! Only what the architecture defines is compared. The emulator says which status flags the
//! manuals leave undefined at the end of each case (`x86_emu::undefined`, the one table) and
//! which instructions left their destination undefined; those flags, and registers still
//! holding such a result, are not compared. A case that *uses* undefined state (a Jcc, SETcc,
//! ADC, LAHF... reading an undefined flag, an instruction reading an undefined result, an
//! undefined result in memory) is *tainted*: nothing after that point is defined.

#![allow(dead_code)]

pub mod cases;
pub mod random;

use iced_x86::{Decoder, DecoderOptions, InstructionInfoFactory, OpAccess, OpKind, RflagsBits};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use x86_emu::cpu::eflags::{AF, CF, OF, PF, SF, ZF};
use x86_emu::{flat_address_space, page_range, CpuState, Machine, Pfn, Ram, Stop, VirtAddr};

/// Load address of the image (file offset 0x60 of an `ld -N` ELF, page-congruent).
pub const BASE: u32 = 0x0040_0060;
/// Bytes saved per case: 9 registers + EFLAGS padding + 16 stack dwords.
pub const SLOT: usize = 128;
/// Bytes of the per-case memory buffer (`BUF` in a case body).
pub const BUF_LEN: usize = 128;
/// Flags compared where defined: CF PF AF ZF SF OF DF.
pub const FLAG_MASK: u32 = 0x0cd5;

/// One test case: a body of nasm lines run from a known register and flag state.
#[derive(Clone, Debug)]
pub struct Case {
    /// Name shown on mismatch.
    pub name: String,
    /// Initial EAX ECX EDX EBX (ESP ignored) EBP ESI EDI.
    pub regs: [u32; 8],
    /// Initial arithmetic flags.
    pub flags: u32,
    /// nasm source; `BUF` is this case's 128-byte buffer; local labels start with `.`.
    pub body: String,
}

/// Why the tools cannot run here, if they cannot.
pub fn tools_missing() -> Option<String> {
    let dir = scratch("probe");
    let src = dir.join("p.asm");
    std::fs::write(
        &src,
        "BITS 32\nglobal _start\nsection .text\n_start:\nmov eax,1\nxor ebx,ebx\nint 0x80\n",
    )
    .ok()?;
    match build(&dir, "p") {
        Err(e) => Some(e),
        Ok(exe) => match Command::new(&exe).status() {
            Ok(s) if s.success() => None,
            Ok(s) => Some(format!("32-bit ELF ran but failed: {s}")),
            Err(e) => Some(format!("cannot run a 32-bit ELF: {e}")),
        },
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("x86emu-difftest-{}-{name}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Runs the build tool `name`; its stderr is the error if it is missing or fails.
fn tool(name: &str, cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{name} not available: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// nasm + ld; returns the executable.
fn build(dir: &std::path::Path, stem: &str) -> Result<PathBuf, String> {
    let asm = dir.join(format!("{stem}.asm"));
    let obj = dir.join(format!("{stem}.o"));
    let exe = dir.join(stem);
    tool(
        "nasm",
        Command::new("nasm")
            .args(["-f", "elf32", "-O0"])
            .arg(&asm)
            .arg("-o")
            .arg(&obj),
    )?;
    tool(
        "ld",
        Command::new("ld")
            .args([
                "-m",
                "elf_i386",
                "-N",
                "-Ttext=0x400060",
                "-e",
                "_start",
                "--no-warn-rwx-segments",
            ])
            .arg(&obj)
            .arg("-o")
            .arg(&exe),
    )?;
    Ok(exe)
}

fn source(cases: &[Case]) -> String {
    let mut s = String::from("BITS 32\nglobal _start\nsection .text\n_start:\n");
    for (k, c) in cases.iter().enumerate() {
        let _ = writeln!(s, "case_{k}:");
        let _ = writeln!(s, "  mov esp, stack_top");
        let _ = writeln!(
            s,
            "  cld\n  xor eax, eax\n  mov edi, stack_top-64\n  mov ecx, 16\n  rep stosd"
        );
        for (r, name) in ["eax", "ecx", "edx", "ebx", "", "ebp", "esi", "edi"]
            .iter()
            .enumerate()
        {
            if !name.is_empty() {
                let _ = writeln!(s, "  mov {name}, {:#x}", c.regs[r]);
            }
        }
        let _ = writeln!(
            s,
            "  push dword {:#x}\n  popfd",
            (c.flags & FLAG_MASK) | 0x202
        );
        let _ = writeln!(s, "body_{k}:");
        for line in c.body.lines() {
            let _ = writeln!(s, "  {}", line.replace("BUF", &format!("buf_{k}")));
        }
        let _ = writeln!(s, "end_{k}:");
        let slot = format!("slot_{k}");
        for (r, name) in ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
            .iter()
            .enumerate()
        {
            let _ = writeln!(s, "  mov [{slot}+{}], {name}", 4 * r);
        }
        let _ = writeln!(s, "  pushfd\n  pop dword [{slot}+32]");
        let _ = writeln!(
            s,
            "  cld\n  mov esi, stack_top-64\n  mov edi, {slot}+64\n  mov ecx, 16\n  rep movsd"
        );
    }
    s.push_str("dump:\n  mov eax, 4\n  mov ebx, 1\n  mov ecx, dump_start\n  mov edx, dump_end-dump_start\n  int 0x80\n");
    s.push_str("  mov eax, 1\n  xor ebx, ebx\n  int 0x80\nalign 16\ndump_start:\n");
    for k in 0..cases.len() {
        let _ = writeln!(s, "slot_{k}: times {SLOT} db 0");
    }
    for (k, _) in cases.iter().enumerate() {
        let _ = write!(s, "buf_{k}: db ");
        let bytes: Vec<String> = (0..BUF_LEN)
            .map(|b| format!("{:#x}", (b * 37 + k * 11 + 0x5a) as u8))
            .collect();
        let _ = writeln!(s, "{}", bytes.join(","));
    }
    s.push_str("dump_end:\n  times 8192 db 0\nstack_top:\n  times 64 db 0\n");
    s
}

/// What the emulator saw of one case's defined and undefined state.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// Status flags undefined at the end of the case (EFLAGS bits).
    pub undefined_flags: u32,
    /// Registers (bit n: `regs[n]`, EAX ECX EDX EBX ESP EBP ESI EDI) holding an undefined
    /// result at the end of the case.
    pub undefined_regs: u8,
    /// Why the case used undefined state, if it did: its end state cannot be compared.
    pub tainted: Option<String>,
}

/// Result of one batch: per case, native and emulated dumps.
pub struct BatchResult {
    /// The image's dump bytes natively.
    pub native: Vec<u8>,
    /// The same bytes from the emulator.
    pub emu: Vec<u8>,
    /// Instructions the emulator retired.
    pub retired: u64,
    /// Per case, what is undefined at its end.
    pub seen: Vec<Seen>,
}

/// Assemble, run natively and in the emulator.
pub fn run_batch(tag: &str, cases: &[Case]) -> Result<BatchResult, String> {
    let dir = scratch(tag);
    std::fs::write(dir.join("b.asm"), source(cases)).map_err(|e| e.to_string())?;
    let exe = build(&dir, "b")?;
    let out = Command::new(&exe).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("native run failed: {}", out.status));
    }
    let text = dir.join("b.text");
    let st = Command::new("objcopy")
        .args(["-O", "binary", "-j", ".text"])
        .arg(&exe)
        .arg(&text)
        .status()
        .map_err(|e| format!("objcopy: {e}"))?;
    if !st.success() {
        return Err("objcopy failed".into());
    }
    let image = std::fs::read(&text).map_err(|e| e.to_string())?;
    let bodies = case_bounds(&exe, cases.len())?;
    let (emu, retired, seen) = run_emu(&image, &bodies)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(BatchResult {
        native: out.stdout,
        emu,
        retired,
        seen,
    })
}

/// The addresses of `body_k` and `end_k` for every case, from the executable's symbols.
fn case_bounds(exe: &std::path::Path, n: usize) -> Result<Vec<(u32, u32)>, String> {
    let out = Command::new("nm")
        .arg(exe)
        .output()
        .map_err(|e| format!("nm: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut bounds = vec![(0u32, 0u32); n];
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(addr), Some(_), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(addr) = u32::from_str_radix(addr, 16) else {
            continue;
        };
        let slot = |prefix: &str| name.strip_prefix(prefix)?.parse::<usize>().ok();
        if let Some(k) = slot("body_").filter(|&k| k < n) {
            bounds[k].0 = addr;
        } else if let Some(k) = slot("end_").filter(|&k| k < n) {
            bounds[k].1 = addr;
        }
    }
    match bounds.iter().position(|&(b, e)| b == 0 || e == 0) {
        Some(k) => Err(format!("nm: no body_{k}/end_{k} symbols")),
        None => Ok(bounds),
    }
}

/// EFLAGS bits of iced-x86's flag bits.
fn eflags_of(rflags: u32) -> u32 {
    [
        (RflagsBits::CF, CF),
        (RflagsBits::PF, PF),
        (RflagsBits::AF, AF),
        (RflagsBits::ZF, ZF),
        (RflagsBits::SF, SF),
        (RflagsBits::OF, OF),
    ]
    .iter()
    .filter(|(r, _)| rflags & r != 0)
    .fold(0, |acc, (_, f)| acc | f)
}

/// Follows one case through the emulator, one instruction at a time, keeping track of the
/// registers that hold an undefined result and noting the first use of undefined state.
struct Tracker {
    info: InstructionInfoFactory,
    seen: Seen,
}

impl Tracker {
    /// Before `m` executes the instruction at its EIP: does it use undefined state?
    fn before(&mut self, m: &mut Machine) {
        let eip = m.cpu().eip;
        let mut bytes = [0u8; 16];
        if m.read_virt(VirtAddr(eip), &mut bytes).is_err() {
            return;
        }
        let i = Decoder::with_ip(32, &bytes, eip as u64, DecoderOptions::NONE).decode();
        let undefined = m.cpu().undefined.mask();
        let read = eflags_of(i.rflags_read()) & undefined;
        if read != 0 {
            self.taint(format!("`{i}` reads undefined {}", flag_names(read)));
        }
        let mut used_undefined = None;
        for used in self.info.info(&i).used_registers() {
            let Some(n) = gpr_index(used.register()) else {
                continue;
            };
            let bit = 1u8 << n;
            if self.seen.undefined_regs & bit == 0 {
                continue;
            }
            match used.access() {
                OpAccess::Write if used.register().size() == 4 => {
                    self.seen.undefined_regs &= !bit;
                }
                OpAccess::None => {}
                _ => used_undefined = Some(used.register()),
            }
        }
        if let Some(r) = used_undefined {
            self.taint(format!("`{i}` uses an undefined result in {r:?}"));
        }
    }

    /// After the instruction: if it left its destination undefined, remember where.
    fn after(&mut self, m: &mut Machine, eip: u32, results_before: u64) {
        let Some(u) = m.undefined_result().filter(|u| u.count != results_before) else {
            return;
        };
        let mut bytes = [0u8; 16];
        if m.read_virt(VirtAddr(eip), &mut bytes).is_err() {
            return;
        }
        let i = Decoder::with_ip(32, &bytes, eip as u64, DecoderOptions::NONE).decode();
        match gpr_index(i.op0_register()).filter(|_| i.op0_kind() == OpKind::Register) {
            Some(n) => self.seen.undefined_regs |= 1 << n,
            None => self.taint(format!("`{i}` leaves memory undefined ({:?})", u.rule)),
        }
    }

    fn taint(&mut self, why: String) {
        self.seen.tainted.get_or_insert(why);
    }
}

/// The index in `CpuState::regs` of a general register of any size.
fn gpr_index(r: iced_x86::Register) -> Option<usize> {
    use iced_x86::Register as R;
    let full = r.full_register32();
    [
        R::EAX,
        R::ECX,
        R::EDX,
        R::EBX,
        R::ESP,
        R::EBP,
        R::ESI,
        R::EDI,
    ]
    .iter()
    .position(|&g| g == full)
}

/// Run the image at [`BASE`] until its write(1, buf, len) system call; return the buffer,
/// the instructions retired, and what is undefined in each case (`bodies`: the addresses of
/// each case's first instruction and of its end).
pub fn run_emu(image: &[u8], bodies: &[(u32, u32)]) -> Result<(Vec<u8>, u64, Vec<Seen>), String> {
    let pages = page_range(VirtAddr(BASE), image.len() as u32);
    let frames = pages.len() as u32 + 16;
    let mut ram = Ram::new(frames).map_err(|e| e.to_string())?;
    let space = flat_address_space(&mut ram, &pages, Pfn(1)).map_err(|e| e.to_string())?;
    space
        .load(&mut ram, VirtAddr(BASE), image)
        .map_err(|e| e.to_string())?;
    let mut m = Machine::new(ram);
    m.set_cr3(space.cr3);
    m.set_cpu(CpuState::at(BASE, 0));
    let mut seen = vec![Seen::default(); bodies.len()];
    let mut current: Option<(usize, Tracker)> = None;
    let mut stop = None;
    for _ in 0..50_000_000u64 {
        let eip = m.cpu().eip;
        if let Some(k) = bodies.iter().position(|&(b, _)| b == eip) {
            let info = InstructionInfoFactory::new();
            let seen = Seen::default();
            current = Some((k, Tracker { info, seen }));
        }
        if let Some((k, t)) = current.take() {
            if bodies[k].1 == eip {
                seen[k] = Seen {
                    undefined_flags: m.cpu().undefined.mask(),
                    ..t.seen
                };
            } else {
                current = Some((k, t));
            }
        }
        let results_before = m.undefined_result().map_or(0, |u| u.count);
        if let Some((_, t)) = current.as_mut() {
            t.before(&mut m);
        }
        stop = m.step();
        if stop.is_some() {
            break;
        }
        if let Some((_, t)) = current.as_mut() {
            t.after(&mut m, eip, results_before);
        }
    }
    let cpu = m.cpu();
    if stop != Some(Stop::Interrupt(0x80)) || cpu.eax() != 4 {
        return Err(format!(
            "emulator stopped with {:?} at eip {:#x} ({:?})",
            stop, cpu.eip, cpu
        ));
    }
    let mut buf = vec![0u8; cpu.edx() as usize];
    m.read_virt(VirtAddr(cpu.ecx()), &mut buf)
        .map_err(|e| e.to_string())?;
    Ok((buf, m.retired(), seen))
}

fn dword(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Compare a batch's defined state; returns one message per mismatching case. Tainted cases
/// are not compared (see [`Seen::tainted`]).
pub fn compare(cases: &[Case], r: &BatchResult) -> Vec<String> {
    let mut bad = Vec::new();
    if r.native.len() != r.emu.len() {
        return vec![format!(
            "dump lengths differ: {} vs {}",
            r.native.len(),
            r.emu.len()
        )];
    }
    let names = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
    for (k, c) in cases.iter().enumerate() {
        let seen = &r.seen[k];
        if seen.tainted.is_some() {
            continue;
        }
        let (n, e) = (
            &r.native[k * SLOT..(k + 1) * SLOT],
            &r.emu[k * SLOT..(k + 1) * SLOT],
        );
        let mut diffs = Vec::new();
        for (j, name) in names.iter().enumerate() {
            let defined = seen.undefined_regs & (1 << j) == 0;
            if defined && dword(n, 4 * j) != dword(e, 4 * j) {
                diffs.push(format!(
                    "{name}: cpu {:#010x} emu {:#010x}",
                    dword(n, 4 * j),
                    dword(e, 4 * j)
                ));
            }
        }
        let compared = FLAG_MASK & !seen.undefined_flags;
        let (fn_, fe) = (dword(n, 32) & compared, dword(e, 32) & compared);
        if fn_ != fe {
            diffs.push(format!(
                "flags: cpu {} emu {}",
                flag_names(fn_),
                flag_names(fe)
            ));
        }
        for j in 0..16 {
            let at = 64 + 4 * j;
            if dword(n, at) != dword(e, at) {
                diffs.push(format!(
                    "[stack_top-{}]: cpu {:#010x} emu {:#010x}",
                    64 - 4 * j,
                    dword(n, at),
                    dword(e, at)
                ));
            }
        }
        let b0 = cases.len() * SLOT + k * BUF_LEN;
        if r.native[b0..b0 + BUF_LEN] != r.emu[b0..b0 + BUF_LEN] {
            diffs.push("memory buffer differs".into());
        }
        if !diffs.is_empty() {
            bad.push(format!(
                "case {} ({}):\n{}\n  {}",
                k,
                c.name,
                c.body,
                diffs.join("\n  ")
            ));
        }
    }
    bad
}

/// Flag names, e.g. `CF ZF`.
pub fn flag_names(f: u32) -> String {
    let mut v = Vec::new();
    for (bit, n) in [
        (0, "CF"),
        (2, "PF"),
        (4, "AF"),
        (6, "ZF"),
        (7, "SF"),
        (10, "DF"),
        (11, "OF"),
    ] {
        if f & (1 << bit) != 0 {
            v.push(n);
        }
    }
    format!("[{}]", v.join(" "))
}
