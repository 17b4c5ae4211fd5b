//! The library gate: `int 0x30` with a function number in EAX. In the Hurd, libhurd-mm is a
//! library inside the task, so this is a library call, not a kernel call; the playground
//! traps it only so the emulated task can reach its Rust memory manager.

use libhurd_mm::gate::{self, GateCall, GateRegs};
use x86_emu::cpu::{EAX, EBX, ECX, EDI, EDX, ESI};
use x86_emu::{Vector, VirtAddr, PAGE_SIZE};

use crate::env::Env;
use crate::kernel::Kernel;
use crate::task::ThreadState;
use crate::trace::Event;

/// Longest text one print call may pass.
pub const MAX_PRINT: u32 = 4096;

/// Serves the gate call task `id` just made; its EIP is already past the `int`.
pub(crate) fn call(k: &mut Kernel, id: u32) {
    let Some(t) = k.sys.tasks.get_mut(id) else {
        return;
    };
    t.counters.gate_calls += 1;
    let mut cpu = t.cpu.clone();
    let regs = GateRegs {
        eax: cpu.regs[EAX],
        ebx: cpu.regs[EBX],
        ecx: cpu.regs[ECX],
        edx: cpu.regs[EDX],
        esi: cpu.regs[ESI],
        edi: cpu.regs[EDI],
    };
    let call = match gate::decode(regs) {
        Ok(c) => c,
        Err(e) => {
            let eax = gate::errno_eax(e.errno());
            cpu.regs[EAX] = eax;
            k.set_cpu(id, cpu);
            k.sys.emit(
                0,
                Event::Gate {
                    task: id,
                    call: format!("invalid call: {e}"),
                    result: eax as i32,
                },
            );
            return;
        }
    };
    let eax = match call {
        GateCall::Exit(code) => {
            k.sys.emit(
                0,
                Event::Gate {
                    task: id,
                    call: format!("exit({code})"),
                    result: 0,
                },
            );
            k.end_task(id, ThreadState::Exited(code));
            return;
        }
        GateCall::Yield => 0,
        GateCall::Fork => match crate::fork::fork(k, id) {
            Ok(child) => child,
            Err(reason) => {
                k.sys.emit(
                    0,
                    Event::Print {
                        task: id,
                        text: format!("fork: {reason}\n"),
                    },
                );
                gate::errno_eax(libhurd_mm::ENOMEM)
            }
        },
        GateCall::Print { ptr, len } => match read_user(k, id, ptr, len.min(MAX_PRINT)) {
            Some(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if let Some(t) = k.sys.tasks.get_mut(id) {
                    t.output.push_str(&text);
                }
                k.sys.emit(0, Event::Print { task: id, text });
                0
            }
            None if k.sys.tasks.get(id).is_some_and(|t| t.state.is_done()) => return,
            None => gate::errno_eax(libhurd_mm::EFAULT),
        },
        GateCall::Open { ptr, len, write } => match read_user(k, id, ptr, len) {
            Some(bytes) => {
                let path = String::from_utf8_lossy(&bytes).into_owned();
                let Some(mm) = k.managers.get_mut(id) else {
                    return;
                };
                let r = mm.open_file(&mut Env::new(&mut k.sys, id), &path, write);
                r.unwrap_or_else(|e| gate::errno_eax(e.errno()))
            }
            None if k.sys.tasks.get(id).is_some_and(|t| t.state.is_done()) => return,
            None => gate::errno_eax(libhurd_mm::EFAULT),
        },
        other => {
            // Served in place, as a fault is: taking the manager out and putting it back
            // moved the whole manager (328 bytes in wasm, a `memory.copy`) three times.
            let Some(mm) = k.managers.get_mut(id) else {
                return;
            };
            let eax = mm.gate(&mut Env::new(&mut k.sys, id), other).unwrap_or(0);
            if let (GateCall::RegisterEvictionCallback { entry, stack_top }, 0) = (other, eax) {
                if let Some(t) = k.sys.tasks.get_mut(id) {
                    t.eviction_callback = Some((entry, stack_top));
                }
            }
            eax
        }
    };
    cpu.regs[EAX] = eax;
    k.set_cpu(id, cpu);
    k.sys.emit(
        0,
        Event::Gate {
            task: id,
            call: describe(&call),
            result: eax as i32,
        },
    );
    if call == GateCall::Yield {
        k.rotate();
    }
}

fn describe(call: &GateCall) -> String {
    match call {
        GateCall::Mmap {
            addr,
            len,
            prot,
            kind,
        } => {
            format!(
                "mmap({}, {len:#x}, {prot:?}, {kind:?})",
                addr.map_or("any".into(), |a| format!("{a:#x}"))
            )
        }
        GateCall::Munmap { addr, len } => format!("munmap({addr:#x}, {len:#x})"),
        GateCall::Advise { addr, len, advice } => {
            format!("advise({addr:#x}, {len:#x}, {advice:?})")
        }
        GateCall::SetPolicy(p) => format!("set_policy({p:?})"),
        GateCall::Print { ptr, len } => format!("print({ptr:#x}, {len})"),
        GateCall::Yield => "yield()".into(),
        GateCall::Fork => "fork()".into(),
        GateCall::Exit(c) => format!("exit({c})"),
        GateCall::RegisterEvictionCallback { entry, stack_top } => {
            format!("register_eviction_callback({entry:#x}, {stack_top:#x})")
        }
        GateCall::Open { ptr, len, write } => {
            format!("open({ptr:#x}, {len}, {})", if *write { "rw" } else { "r" })
        }
        GateCall::Close(fd) => format!("close({fd})"),
        GateCall::MmapFile {
            addr,
            len,
            prot,
            shared,
            fd,
            offset,
        } => format!(
            "mmap_file({}, {len:#x}, {prot:?}, {}, fd {fd}, offset {offset:#x})",
            addr.map_or("any".into(), |a| format!("{a:#x}")),
            if *shared { "shared" } else { "private" }
        ),
        GateCall::Msync { addr, len } => format!("msync({addr:#x}, {len:#x})"),
        GateCall::FileSize(fd) => format!("file_size({fd})"),
    }
}

/// Reads `len` bytes of the task's memory as the library in the task would: a page that is
/// not present faults to the pager first. `None` if the range is not the task's.
fn read_user(k: &mut Kernel, id: u32, ptr: u32, len: u32) -> Option<Vec<u8>> {
    let mut out = vec![0u8; len as usize];
    let mut done = 0u32;
    while done < len {
        let va = ptr.checked_add(done)?;
        let chunk = (PAGE_SIZE - va % PAGE_SIZE).min(len - done);
        let buf = &mut out[done as usize..(done + chunk) as usize];
        let mut tries = 0;
        loop {
            match k.sys.machine.read_virt(VirtAddr(va), buf) {
                Ok(()) => break,
                Err(e) if e.vector == Vector::PageFault && tries < 2 => {
                    tries += 1;
                    crate::fault::page_fault(k, id, &e);
                    if k.sys.tasks.get(id).is_none_or(|t| t.state.is_done()) {
                        return None;
                    }
                }
                Err(_) => return None,
            }
        }
        done += chunk;
    }
    Some(out)
}
