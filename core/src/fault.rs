//! The L4 fault protocol: a #PF becomes a fault message from the faulting thread to its
//! pager (label 0xFFE0|rwx, MR1 = fault address, MR2 = faulting IP); the pager's reply
//! resumes the thread, which restarts the instruction.

use libhurd_mm::{Access, FaultMsg};
use x86_emu::{Exception, PfErrorCode};

use crate::env::Env;
use crate::kernel::Kernel;
use crate::task::ThreadState;
use crate::trace::{AccessKind, Endpoint, Event, Words};

/// Label of an L4 page-fault message, before the rwx bits.
pub const FAULT_LABEL: u32 = 0xFFE0;

/// Longest i386 instruction: a fault address within this many bytes of EIP is taken as a fetch.
const MAX_INSN_LEN: u32 = 15;

/// Faults in a row on one instruction after which the kernel gives up on the thread: the
/// instruction needs more pages at once than its task may hold, and would thrash forever.
pub const MAX_STALLED_FAULTS: u32 = 64;

/// The access that faulted. The i386 error code has no fetch bit, so a fault inside the
/// bytes of the instruction at EIP is an instruction fetch.
pub fn access_of(error_code: u32, addr: u32, ip: u32) -> AccessKind {
    if error_code & PfErrorCode::WRITE.bits() != 0 {
        AccessKind::Write
    } else if addr.wrapping_sub(ip) < MAX_INSN_LEN {
        AccessKind::Execute
    } else {
        AccessKind::Read
    }
}

/// The rwx bits of the fault label (r=4, w=2, x=1).
pub fn rwx(access: AccessKind) -> u32 {
    match access {
        AccessKind::Read => 4,
        AccessKind::Write => 2,
        AccessKind::Execute => 1,
    }
}

/// Raises a #PF of task `id`: the thread blocks and its fault message goes to its pager.
/// The pager serves it when the kernel next schedules (see [`serve`]), so a student can
/// stop between the fault and its service.
pub(crate) fn raise(k: &mut Kernel, id: u32, e: &Exception) {
    let addr = e.cr2.unwrap_or(0);
    let error_code = e.error_code.unwrap_or(0);
    let Some(task) = k.sys.tasks.get_mut(id) else {
        return;
    };
    let ip = task.cpu.eip;
    let access = access_of(error_code, addr, ip);
    task.counters.faults += 1;
    task.stalled += 1;
    if task.stalled > MAX_STALLED_FAULTS {
        let reason = format!(
            "the instruction at eip {ip:#010x} faulted {MAX_STALLED_FAULTS} times in a row without completing: \
             it needs more pages at once than the task's {} frames can hold",
            task.guaranteed + task.extra
        );
        k.kill(id, reason);
        return;
    }
    task.state = ThreadState::WaitingForPager;
    task.fault = Some(FaultMsg {
        addr,
        access: match access {
            AccessKind::Read => Access::Read,
            AccessKind::Write => Access::Write,
            AccessKind::Execute => Access::Execute,
        },
        ip,
    });
    let cost = k.sys.config.ipc_cost;
    k.sys.emit(
        0,
        Event::Fault {
            task: id,
            addr,
            access,
            ip,
            error_code,
        },
    );
    k.sys.emit(
        cost,
        Event::Ipc {
            from: Endpoint::Thread(id),
            to: Endpoint::Pager(id),
            label: FAULT_LABEL | rwx(access),
            words: Words::from_buf([addr, ip]),
        },
    );
}

/// The pager of task `id` serves its pending fault message and replies; the thread resumes
/// and restarts the instruction, or is killed if the access was not allowed.
pub(crate) fn serve(k: &mut Kernel, id: u32) {
    let Some(msg) = k.sys.tasks.get_mut(id).and_then(|t| t.fault.take()) else {
        return;
    };
    // Served in place: taking the manager out of the map and putting it back cost a tenth
    // of a first-touch fault (two tree updates, two moves of the whole manager).
    let Some(mm) = k.managers.get_mut(id) else {
        return;
    };
    let served = mm.handle_fault(&mut Env::new(&mut k.sys, id), msg);
    match served {
        Ok(()) => {
            k.sys.emit(
                k.sys.config.ipc_cost,
                Event::Ipc {
                    from: Endpoint::Pager(id),
                    to: Endpoint::Thread(id),
                    label: 0,
                    words: Words::new(),
                },
            );
            if let Some(t) = k.sys.tasks.get_mut(id) {
                t.state = ThreadState::Ready;
            }
            k.sys.emit(0, Event::Resumed { task: id });
        }
        Err(segv) => {
            let reason = match k.sys.kernel_error.take() {
                Some(why) => format!("{why} (the scenario's kernel_frames is too small)"),
                None => format!("segmentation fault: {segv}"),
            };
            k.kill(id, reason)
        }
    }
}

/// Raises and serves at once: a fault taken by the library inside the task (reading a
/// gate argument), which cannot stop half-way.
pub(crate) fn page_fault(k: &mut Kernel, id: u32, e: &Exception) {
    raise(k, id, e);
    serve(k, id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetches_are_told_from_reads_by_the_address() {
        assert_eq!(access_of(0, 0x40_0003, 0x40_0000), AccessKind::Execute);
        assert_eq!(access_of(0, 0x40_1000, 0x40_0000), AccessKind::Read);
        assert_eq!(access_of(2, 0x40_1000, 0x40_0000), AccessKind::Write);
        assert_eq!(FAULT_LABEL | rwx(AccessKind::Read), 0xFFE4);
    }
}
