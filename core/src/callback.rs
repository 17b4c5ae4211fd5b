//! The workload's own eviction policy: an x86 function in the task that the pager calls
//! with the candidate pages. It runs on its pinned code and stack, so it cannot fault into
//! the pager that is calling it.
//!
//! Calling convention: EBX points to an array of ECX candidate page addresses (dwords) on the
//! callback's stack; the callback returns its choice in EAX with `ret`.

use x86_emu::cpu::{EAX, EBX, ECX};
use x86_emu::{CpuState, Machine, PhysAddr, Stop, VirtAddr};

/// Where the callback returns to: an address no task can map (above user space). Reaching
/// it ends the call.
pub const CALLBACK_RETURN: u32 = 0xFFFF_F000;
/// Most instructions a callback may run before it is abandoned.
pub const CALLBACK_BUDGET: u64 = 100_000;

/// Runs the callback at `entry` in the address space `cr3` and restores the machine after.
/// Returns its answer, the instructions it ran, and how it ended.
pub(crate) fn run(
    m: &mut Machine,
    cr3: PhysAddr,
    entry: u32,
    stack_top: u32,
    candidates: &[u32],
) -> (Option<u32>, u64, String) {
    let saved_cpu = m.cpu();
    let saved_cr3 = m.cr3();
    // The callback is the pager's code, not the program's: its pages are not the task's
    // references.
    let log = m.pause_page_log();
    if saved_cr3 != cr3 {
        m.set_cr3(cr3);
    }
    let n = candidates.len() as u32;
    let array = stack_top.wrapping_sub(4 * n) & !3;
    let esp = array.wrapping_sub(4);
    let mut frame = CALLBACK_RETURN.to_le_bytes().to_vec();
    frame.extend(candidates.iter().flat_map(|c| c.to_le_bytes()));
    let outcome = match m.write_virt(VirtAddr(esp), &frame) {
        Err(e) => (None, 0, format!("its stack is not writable: {e}")),
        Ok(()) => {
            let mut cpu = CpuState::at(entry, esp);
            cpu.regs[EBX] = array;
            cpu.regs[ECX] = n;
            m.set_cpu(cpu);
            let added = m.breakpoints_mut().insert(CALLBACK_RETURN);
            let run = m.run(CALLBACK_BUDGET);
            if added {
                m.breakpoints_mut().remove(&CALLBACK_RETURN);
            }
            let eax = m.cpu().regs[EAX];
            match run.stop {
                Stop::Breakpoint(CALLBACK_RETURN) => {
                    (Some(eax), run.retired, format!("returned {eax:#x}"))
                }
                Stop::Budget => (
                    None,
                    run.retired,
                    format!("ran {CALLBACK_BUDGET} instructions without returning"),
                ),
                Stop::Exception(e) => (None, run.retired, format!("{e}")),
                other => (None, run.retired, format!("stopped: {other:?}")),
            }
        }
    };
    m.set_cpu(saved_cpu);
    if saved_cr3 != cr3 {
        m.set_cr3(saved_cr3);
    }
    m.resume_page_log(log);
    outcome
}
