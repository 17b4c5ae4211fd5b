//! `selfpage exec`: one program on the bare emulator, in a flat user address space with a
//! stack and no pager: every section is mapped up front, anything else faults. The library
//! gate answers print (its text becomes the report's `output`), exit, and mmap (fresh pages
//! mapped at once, for `malloc`); advise, set_policy, set_priority, munmap and yield do
//! nothing here (there is no pager), and fork and the eviction callback need a scenario.

use serde::Serialize;

use x86_emu::asm::{self, Program};
use x86_emu::{CpuState, Machine, Pfn, PhysAddr, Ram, Stop, VirtAddr, PAGE_SIZE};

use crate::pagetable;
use crate::pool::KernelPool;

/// Frames of RAM for an exec run.
const EXEC_FRAMES: u32 = 4096;
/// Frames for page tables.
const EXEC_TABLE_FRAMES: u32 = 64;
/// Top of the stack (exclusive).
pub const EXEC_STACK_TOP: u32 = 0xC000_0000;
/// Pages of stack.
const EXEC_STACK_PAGES: u32 = 16;
/// Function number of exit in the library gate.
const GATE_EXIT: u32 = 8;
/// Function numbers of the library gate that exec answers.
const GATE_MMAP: u32 = 1;
const GATE_PRINT: u32 = 6;
/// Gate calls that change nothing without a pager: munmap, advise, set_policy, set_priority, yield.
const GATE_NO_OPS: [u32; 5] = [2, 3, 4, 5, 7];
/// Where exec's mmap places memory, and its end.
const EXEC_HEAP: u32 = 0x1000_0000;
const EXEC_HEAP_END: u32 = 0x2000_0000;
/// Most text a program may print in one exec run.
const MAX_OUTPUT: usize = 1 << 20;
/// Linux's exit system call number (so nasm programs written for Linux run unchanged).
const LINUX_EXIT: u32 = 1;

/// How an exec run ended and the machine state then.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExecReport {
    /// until | exit | budget | fault | error.
    pub stop: &'static str,
    /// EIP at the stop.
    pub eip: u32,
    /// EAX.
    pub eax: u32,
    /// EBX.
    pub ebx: u32,
    /// ECX.
    pub ecx: u32,
    /// EDX.
    pub edx: u32,
    /// ESI.
    pub esi: u32,
    /// EDI.
    pub edi: u32,
    /// EBP.
    pub ebp: u32,
    /// ESP.
    pub esp: u32,
    /// EFLAGS.
    pub eflags: u32,
    /// The status flags of `eflags` the architecture leaves undefined at the stop (a mask
    /// of EFLAGS bits; their values are the emulator's model, see `x86_emu::undefined`).
    pub undefined_flags: u32,
    /// Instructions retired.
    pub steps: u64,
    /// Exception vector, for a fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<u8>,
    /// CR2, for a page fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cr2: Option<u32>,
    /// Error code, for faults that push one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u32>,
    /// What went wrong, in words (fault or error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The exit code, for a program that exited (EBX of the exit call).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Everything the program printed through the gate.
    pub output: String,
}

impl ExecReport {
    fn new(stop: &'static str, cpu: &CpuState, steps: u64) -> ExecReport {
        let r = |i: usize| cpu.regs[i];
        ExecReport {
            stop,
            eip: cpu.eip,
            eax: r(x86_emu::cpu::EAX),
            ebx: r(x86_emu::cpu::EBX),
            ecx: r(x86_emu::cpu::ECX),
            edx: r(x86_emu::cpu::EDX),
            esi: r(x86_emu::cpu::ESI),
            edi: r(x86_emu::cpu::EDI),
            ebp: r(x86_emu::cpu::EBP),
            esp: r(x86_emu::cpu::ESP),
            eflags: cpu.eflags,
            undefined_flags: cpu.undefined.mask(),
            steps,
            vector: None,
            cr2: None,
            error_code: None,
            message: None,
            exit_code: None,
            output: String::new(),
        }
    }

    fn error(message: String) -> ExecReport {
        let mut r = ExecReport::new("error", &CpuState::default(), 0);
        r.message = Some(message);
        r
    }
}

/// Maps every page of the program and the stack to fresh frames and copies the bytes in.
/// Returns the page directory and the first frame still free.
fn load(m: &mut Machine, program: &Program) -> Result<(PhysAddr, u32, KernelPool), String> {
    let mut pool = KernelPool::new(0, EXEC_TABLE_FRAMES);
    let cr3 = pagetable::new_directory(m, &mut pool).ok_or("no frame for a page directory")?;
    m.set_cr3(cr3);
    let mut next = EXEC_TABLE_FRAMES;
    let mut map_page = |m: &mut Machine, pool: &mut KernelPool, va: u32| -> Result<u32, String> {
        if let Some(old) = pagetable::lookup(m, cr3, va) {
            return Ok(old.pfn.0);
        }
        if next >= EXEC_FRAMES {
            return Err("the program and its stack need more than 16 MiB".into());
        }
        let pfn = next;
        next += 1;
        pagetable::map(m, pool, cr3, va, Pfn(pfn), true)
            .ok_or("out of page-table frames")?
            .apply(m, cr3);
        Ok(pfn)
    };
    for seg in &program.segments {
        let first = seg.addr & !(PAGE_SIZE - 1);
        let end = seg
            .addr
            .checked_add(seg.size.max(1))
            .ok_or("section wraps around 4 GiB")?;
        let mut va = first;
        while va < end {
            map_page(m, &mut pool, va)?;
            va += PAGE_SIZE;
        }
        for (i, b) in seg.bytes.iter().enumerate() {
            let at = seg.addr + i as u32;
            let pfn = map_page(m, &mut pool, at & !(PAGE_SIZE - 1))?;
            m.write_phys(PhysAddr(pfn * PAGE_SIZE + (at & (PAGE_SIZE - 1))), &[*b])
                .map_err(|e| e.to_string())?;
        }
    }
    for p in 1..=EXEC_STACK_PAGES {
        map_page(m, &mut pool, EXEC_STACK_TOP - p * PAGE_SIZE)?;
    }
    Ok((cr3, next, pool))
}

/// Assembles `source` and runs it for at most `max_steps` instructions, stopping before the
/// instruction at label `until` if given.
pub fn exec(source: &str, until: Option<&str>, max_steps: u64) -> ExecReport {
    match asm::assemble(source) {
        Ok(p) => exec_program(&p, until, max_steps),
        Err(e) => ExecReport::error(e.to_string()),
    }
}

/// Compiles C `source` and runs it like [`exec`]; `until` names a C function.
pub fn exec_c(source: &str, until: Option<&str>, max_steps: u64) -> ExecReport {
    match selfpage_cc::compile(source) {
        Ok(c) => {
            let label = until.map(selfpage_cc::parser::label_of);
            exec_program(&c.program, label.as_deref(), max_steps)
        }
        Err(e) => ExecReport::error(e.to_string()),
    }
}

/// The state of the exec address space's mmap: page directory, frames and where next.
struct Heap {
    cr3: PhysAddr,
    next_frame: u32,
    pool: KernelPool,
    next_va: u32,
}

impl Heap {
    /// mmap: maps `len` bytes of fresh zeroed pages; the address, or a negative errno.
    fn mmap(&mut self, m: &mut Machine, len: u32) -> u32 {
        let pages = len.div_ceil(PAGE_SIZE);
        let enomem = (-libhurd_mm::ENOMEM) as u32;
        let end = u64::from(self.next_va) + u64::from(pages) * u64::from(PAGE_SIZE);
        if len == 0 || end > u64::from(EXEC_HEAP_END) || self.next_frame + pages > EXEC_FRAMES {
            return enomem;
        }
        let addr = self.next_va;
        for k in 0..pages {
            let va = addr + k * PAGE_SIZE;
            let Some(flush) =
                pagetable::map(m, &mut self.pool, self.cr3, va, Pfn(self.next_frame), true)
            else {
                return enomem;
            };
            flush.apply(m, self.cr3);
            self.next_frame += 1;
        }
        self.next_va = addr + pages * PAGE_SIZE;
        addr
    }
}

/// Runs an assembled program for at most `max_steps` instructions, stopping before the
/// instruction at label `until` if given.
pub fn exec_program(program: &Program, until: Option<&str>, max_steps: u64) -> ExecReport {
    let ram = match Ram::new(EXEC_FRAMES) {
        Ok(r) => r,
        Err(e) => return ExecReport::error(e.to_string()),
    };
    let mut m = Machine::new(ram);
    let mut heap = match load(&mut m, program) {
        Ok((cr3, next_frame, pool)) => Heap {
            cr3,
            next_frame,
            pool,
            next_va: EXEC_HEAP,
        },
        Err(e) => return ExecReport::error(e),
    };
    m.set_cpu(CpuState::at(program.entry, EXEC_STACK_TOP));
    if let Some(label) = until {
        match program.symbols.get(label) {
            Some(&addr) => {
                m.breakpoints_mut().insert(addr);
            }
            None => {
                return ExecReport::error(format!("--until: no label '{label}' in the program"))
            }
        }
    }
    let mut output: Vec<u8> = Vec::new();
    loop {
        let run = m.run(max_steps.saturating_sub(m.retired()));
        let mut cpu = m.cpu();
        let report = |stop, cpu: &CpuState, out: &[u8]| ExecReport {
            output: String::from_utf8_lossy(out).into_owned(),
            ..ExecReport::new(stop, cpu, m.retired())
        };
        let eax = cpu.regs[x86_emu::cpu::EAX];
        let (ebx, ecx) = (cpu.regs[x86_emu::cpu::EBX], cpu.regs[x86_emu::cpu::ECX]);
        return match run.stop {
            Stop::Interrupt(0x30) if eax == GATE_PRINT => {
                let len = ecx.min(crate::gate::MAX_PRINT) as usize;
                let mut buf = vec![0u8; len];
                cpu.regs[x86_emu::cpu::EAX] = match m.read_virt(VirtAddr(ebx), &mut buf) {
                    Ok(()) if output.len() + len <= MAX_OUTPUT => {
                        output.extend_from_slice(&buf);
                        0
                    }
                    Ok(()) => (-libhurd_mm::ENOMEM) as u32,
                    Err(_) => (-libhurd_mm::EFAULT) as u32,
                };
                m.set_cpu(cpu);
                continue;
            }
            Stop::Interrupt(0x30) if eax == GATE_MMAP => {
                cpu.regs[x86_emu::cpu::EAX] = heap.mmap(&mut m, ecx);
                m.set_cpu(cpu);
                continue;
            }
            Stop::Interrupt(0x30) if GATE_NO_OPS.contains(&eax) => {
                cpu.regs[x86_emu::cpu::EAX] = 0;
                m.set_cpu(cpu);
                continue;
            }
            Stop::Breakpoint(_) | Stop::Watchpoint { .. } => report("until", &cpu, &output),
            Stop::Budget => report("budget", &cpu, &output),
            Stop::Interrupt(0x30) if eax == GATE_EXIT => ExecReport {
                exit_code: Some(ebx as i32),
                ..report("exit", &cpu, &output)
            },
            Stop::Interrupt(0x80) if eax == LINUX_EXIT => ExecReport {
                exit_code: Some(ebx as i32),
                ..report("exit", &cpu, &output)
            },
            Stop::Interrupt(n) => ExecReport {
                message: Some(format!(
                    "int {n:#x} with eax={eax} is not a call exec knows (fork and the eviction callback need a scenario)"
                )),
                ..report("error", &cpu, &output)
            },
            Stop::Exception(e) => ExecReport {
                vector: Some(e.vector as u8),
                cr2: e.cr2,
                error_code: e.error_code,
                message: Some(e.to_string()),
                ..report("fault", &cpu, &output)
            },
        };
    }
}
