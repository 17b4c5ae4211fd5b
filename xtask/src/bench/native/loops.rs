//! The two speed loops (a register loop and a 1,024-page loop): emulator MIPS against the
//! real CPU running the same source through nasm and ld.

use std::path::Path;
use std::process::Command;

use selfpage_core::exec;

use crate::bench::clock::{children_cpu, thread_cpu};
use crate::bench::{programs, Scale};

/// Why nasm, ld or running a 32-bit ELF cannot be used here, or `None` if they can.
pub(super) fn nasm_missing() -> Option<String> {
    for tool in ["nasm", "ld"] {
        if crate::cmd::which(tool).is_none() {
            return Some(format!(
                "{tool} is not installed (cargo xtask setup installs it)"
            ));
        }
    }
    None
}

/// One of the two speed loops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loop {
    /// The 10-instruction register loop.
    Alu,
    /// The 1,024-page loop.
    Pages,
}

impl Loop {
    /// Its name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Loop::Alu => "register loop",
            Loop::Pages => "1,024-page loop",
        }
    }

    /// Its source for `iters` iterations (rounds of all pages for the page loop).
    pub fn source(self, iters: u64) -> String {
        match self {
            Loop::Alu => programs::alu_loop(iters),
            Loop::Pages => programs::page_loop(iters),
        }
    }

    /// The (small, large) iteration counts: on the emulator, or on the real CPU.
    pub fn iters(self, scale: Scale, real_cpu: bool) -> (u64, u64) {
        let large = match (self, real_cpu) {
            (Loop::Alu, false) => 30_000_000,
            (Loop::Alu, true) => 1_000_000_000,
            (Loop::Pages, false) => 15_000,
            (Loop::Pages, true) => 100_000,
        } / scale.divisor();
        (large / 10, large)
    }

    /// The goal for the native build, in MIPS.
    pub(super) fn goal_native(self) -> u32 {
        match self {
            Loop::Alu => 400,
            Loop::Pages => 200,
        }
    }
}

/// An emulator speed measurement.
pub(super) struct Speed {
    /// Millions of instructions per CPU second.
    pub(super) mips: f64,
    /// Instructions per iteration, as the emulator counted them.
    pub(super) per_iter: u64,
}

/// Runs `source` with `selfpage exec`'s machine; instructions retired and CPU seconds.
fn exec_timed(source: &str) -> Result<(u64, f64), String> {
    let t = thread_cpu();
    let r = exec::exec(source, None, u64::MAX);
    let dt = thread_cpu() - t;
    if r.stop != "exit" {
        return Err(format!(
            "the loop stopped with {}: {}",
            r.stop,
            r.message.unwrap_or_default()
        ));
    }
    Ok((r.steps, dt))
}

/// Emulator MIPS on a loop: CPU time of the large run minus the small run (which removes
/// assembling, RAM allocation and loading), best of the scale's repetitions.
pub(super) fn emu_mips(kind: Loop, scale: Scale) -> Result<Speed, String> {
    let (small, large) = kind.iters(scale, false);
    let (small_src, large_src) = (kind.source(small), kind.source(large));
    let mut best: Option<Speed> = None;
    for _ in 0..scale.repetitions() {
        let (n0, t0) = exec_timed(&small_src)?;
        let (n1, t1) = exec_timed(&large_src)?;
        let per_iter = (n1 - n0) / (large - small);
        let mips = (n1 - n0) as f64 / (t1 - t0).max(1e-9) / 1e6;
        if best.as_ref().is_none_or(|b| mips > b.mips) {
            best = Some(Speed { mips, per_iter });
        }
    }
    best.ok_or_else(|| "no repetition ran".into())
}

/// Assembles `source` with nasm + ld into `dir/name`.
fn build_elf(source: &str, dir: &Path, name: &str) -> Result<std::path::PathBuf, String> {
    let asm = dir.join(format!("{name}.asm"));
    let obj = dir.join(format!("{name}.o"));
    let exe = dir.join(name);
    std::fs::write(&asm, programs::for_nasm_elf(source)).map_err(|e| e.to_string())?;
    let run = |c: &mut Command| -> Result<(), String> {
        let out = c.output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    };
    run(Command::new("nasm")
        .args(["-f", "elf32", "-o"])
        .arg(&obj)
        .arg(&asm))?;
    run(Command::new("ld")
        .args(["-m", "elf_i386", "-o"])
        .arg(&exe)
        .arg(&obj))?;
    Ok(exe)
}

/// CPU seconds of one run of `exe`, which must exit with status 0.
fn run_elf(exe: &Path) -> Result<f64, String> {
    let t = children_cpu();
    let status = Command::new(exe)
        .status()
        .map_err(|e| format!("cannot run a 32-bit ELF here: {e}"))?;
    if !status.success() {
        return Err(format!("the native loop failed ({status})"));
    }
    Ok(children_cpu() - t)
}

/// Real-CPU MIPS on a loop: the same source through nasm and ld, children's CPU time of
/// the large run minus the small one (which removes process start-up).
pub(super) fn cpu_mips(
    kind: Loop,
    scale: Scale,
    per_iter: u64,
    dir: &Path,
) -> Result<Speed, String> {
    let (small, large) = kind.iters(scale, true);
    let small_exe = build_elf(&kind.source(small), dir, "small")?;
    let large_exe = build_elf(&kind.source(large), dir, "large")?;
    let mut best: Option<f64> = None;
    for _ in 0..scale.repetitions() {
        let t0 = run_elf(&small_exe)?;
        let t1 = run_elf(&large_exe)?;
        let mips = (per_iter * (large - small)) as f64 / (t1 - t0).max(1e-9) / 1e6;
        best = Some(best.map_or(mips, |b: f64| b.max(mips)));
    }
    Ok(Speed {
        mips: best.unwrap_or_default(),
        per_iter,
    })
}

/// Whether `nasm -f bin` at the project assembler's text address gives the same text bytes.
pub(super) fn same_bytes(kind: Loop, dir: &Path) -> String {
    let source = kind.source(1000);
    let program = match x86_emu::asm::assemble(&source) {
        Ok(p) => p,
        Err(e) => return format!("project assembler failed: {e}"),
    };
    let Some(text) = program.segments.first() else {
        return "no text segment".into();
    };
    let (asm, bin) = (dir.join("bin.asm"), dir.join("bin.out"));
    let ok = std::fs::write(&asm, programs::for_nasm_bin(&source, text.addr)).is_ok()
        && Command::new("nasm")
            .args(["-f", "bin", "-o"])
            .arg(&bin)
            .arg(&asm)
            .output()
            .is_ok_and(|o| o.status.success());
    match std::fs::read(&bin) {
        Ok(bytes) if ok && bytes == text.bytes => "identical".into(),
        Ok(bytes) if ok => format!("DIFFERENT ({} vs {} bytes)", bytes.len(), text.bytes.len()),
        _ => "nasm -f bin failed".into(),
    }
}
