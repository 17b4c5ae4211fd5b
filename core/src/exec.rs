//! `selfpage exec`: one program on the bare emulator, in a flat user address space with a
//! stack and no pager: every section is mapped up front, anything else faults.

use serde::Serialize;

use x86_emu::asm::{self, Program};
use x86_emu::{CpuState, Machine, Pfn, PhysAddr, Ram, Stop, PAGE_SIZE};

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
        }
    }

    fn error(message: String) -> ExecReport {
        let mut r = ExecReport::new("error", &CpuState::default(), 0);
        r.message = Some(message);
        r
    }
}

/// Maps every page of the program and the stack to fresh frames and copies the bytes in.
fn load(m: &mut Machine, program: &Program) -> Result<(), String> {
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
    Ok(())
}

/// Assembles `source` and runs it for at most `max_steps` instructions, stopping before the
/// instruction at label `until` if given.
pub fn exec(source: &str, until: Option<&str>, max_steps: u64) -> ExecReport {
    let program = match asm::assemble(source) {
        Ok(p) => p,
        Err(e) => return ExecReport::error(e.to_string()),
    };
    let ram = match Ram::new(EXEC_FRAMES) {
        Ok(r) => r,
        Err(e) => return ExecReport::error(e.to_string()),
    };
    let mut m = Machine::new(ram);
    if let Err(e) = load(&mut m, &program) {
        return ExecReport::error(e);
    }
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
    let run = m.run(max_steps);
    let cpu = m.cpu();
    let report = |stop| ExecReport::new(stop, &cpu, m.retired());
    let eax = cpu.regs[x86_emu::cpu::EAX];
    match run.stop {
        Stop::Breakpoint(_) | Stop::Watchpoint { .. } => report("until"),
        Stop::Budget => report("budget"),
        Stop::Interrupt(0x30) if eax == GATE_EXIT => report("exit"),
        Stop::Interrupt(0x80) if eax == LINUX_EXIT => report("exit"),
        Stop::Interrupt(n) => ExecReport {
            message: Some(format!(
                "int {n:#x} with eax={eax} is not a call exec knows"
            )),
            ..report("error")
        },
        Stop::Exception(e) => ExecReport {
            vector: Some(e.vector as u8),
            cr2: e.cr2,
            error_code: e.error_code,
            message: Some(e.to_string()),
            ..report("fault")
        },
    }
}
