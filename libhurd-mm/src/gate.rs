//! The library gate: how a workload calls libhurd-mm. In the Hurd the library lives in the
//! task, so this is a library call, not a kernel call; the playground traps it with
//! `int 0x30` so the emulator can hand it over.
//!
//! EAX = function, arguments in EBX, ECX, EDX, ESI, EDI; the result comes back in EAX
//! (a negative errno on error: -22 EINVAL, -12 ENOMEM, -17 EEXIST, -38 ENOSYS, -2 ENOENT,
//! -9 EBADF, -13 EACCES).
//!
//! | EAX | function                   | EBX            | ECX       | EDX               | ESI                   | EAX on success          |
//! |-----|----------------------------|----------------|-----------|-------------------|-----------------------|-------------------------|
//! | 1   | mmap                       | addr (0 = any) | len       | prot: r=4 w=2 x=1 | flags: 1 = discardable | start address          |
//! | 2   | munmap                     | addr           | len       |                   |                       | 0                       |
//! | 3   | advise                     | addr           | len       | advice (below)    |                       | 0                       |
//! | 4   | set_policy                 | policy (below) |           |                   |                       | 0                       |
//! | 5   | set_priority               | addr           | len       | priority (signed) |                       | 0                       |
//! | 6   | print                      | ptr            | len       |                   |                       | 0 (core reads the text) |
//! | 7   | yield                      |                |           |                   |                       | 0                       |
//! | 8   | exit                       | code (signed)  |           |                   |                       | does not return         |
//! | 9   | register_eviction_callback | entry EIP      | stack top |                   |                       | 0                       |
//! | 10  | fork                       |                |           |                   |                       | child id / 0 in child   |
//! | 11  | open                       | path pointer   | path len  | 0 read-only, 1 read-write |               | fd                      |
//! | 12  | close                      | fd             |           |                   |                       | 0                       |
//! | 13  | mmap_file                  | addr (0 = any) | len       | prot, +0x100 shared | fd (EDI: file offset) | start address         |
//! | 14  | msync                      | addr           | len       |                   |                       | 0 (pages on the disk)   |
//! | 15  | file_size                  | fd             |           |                   |                       | size in bytes           |
//!
//! mmap_file's EDX is the protection (r=4 w=2 x=1) plus 0x100 for a shared mapping (else
//! private); EDI is the page-aligned offset in the file. Core reads open's path from the task.
//!
//! Advice: 0 normal, 1 will-need (prefetch), 2 don't-need (release now, contents dropped),
//! 3 read-once, 4 discardable.
//!
//! Policies: 0 fifo, 1 clock, 2 lru, 3 mru, 4 random, 5 app (application-directed),
//! 6 callback, 7 opt (refused with -EINVAL: OPT needs the future).
//!
//! How core runs the eviction callback (registers, where the candidate array goes) is
//! core's business: the pager only sees `PagerEnv::ask_callback`. Registering it pins the
//! entry's page and the stack page below the stack top (they must be inside regions).

use crate::advice::Advice;
use crate::env::PagerEnv;
use crate::error::{MmError, EINVAL, ENOSYS};
use crate::pager::MemoryManager;
use crate::policy::PolicyKind;
use crate::region::{Prot, RegionKind};
use physmem::PAGE_SIZE;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The interrupt vector of the library gate.
pub const GATE_VECTOR: u8 = 0x30;

/// The registers the gate reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRegs {
    /// Function number.
    pub eax: u32,
    /// First argument.
    pub ebx: u32,
    /// Second argument.
    pub ecx: u32,
    /// Third argument.
    pub edx: u32,
    /// Fourth argument.
    pub esi: u32,
    /// Fifth argument.
    pub edi: u32,
}

/// Gate function numbers (the value in EAX).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[repr(u32)]
pub enum GateFn {
    /// Map anonymous memory.
    Mmap = 1,
    /// Unmap a range.
    Munmap = 2,
    /// Give advice on a range.
    Advise = 3,
    /// Switch the eviction policy.
    SetPolicy = 4,
    /// Set the eviction priority of a range.
    SetPriority = 5,
    /// Print a string.
    Print = 6,
    /// Yield the CPU.
    Yield = 7,
    /// Exit the task.
    Exit = 8,
    /// Register an x86 eviction callback.
    RegisterEvictionCallback = 9,
    /// Fork the task: the child shares every resident page copy-on-write.
    Fork = 10,
    /// Open a file of the file server.
    Open = 11,
    /// Close a file descriptor.
    Close = 12,
    /// Map a file, shared or private.
    MmapFile = 13,
    /// Write a range's dirty shared file pages to the disk.
    Msync = 14,
    /// The size of an open file.
    FileSize = 15,
}

impl GateFn {
    /// The function with this EAX value.
    pub fn from_eax(eax: u32) -> Option<GateFn> {
        use GateFn::*;
        [
            Mmap,
            Munmap,
            Advise,
            SetPolicy,
            SetPriority,
            Print,
            Yield,
            Exit,
            RegisterEvictionCallback,
            Fork,
            Open,
            Close,
            MmapFile,
            Msync,
            FileSize,
        ]
        .into_iter()
        .find(|&f| f as u32 == eax)
    }
}

/// mmap flag: the memory is discardable.
pub const MMAP_DISCARDABLE: u32 = 1;
/// mmap_file flag (in EDX with the protection): a shared mapping.
pub const MAP_SHARED: u32 = 0x100;
/// The longest path open reads from the task.
pub const MAX_PATH_READ: u32 = PAGE_SIZE;

/// A decoded gate call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GateCall {
    /// mmap(addr or none, len, prot, kind).
    Mmap {
        /// Fixed address, or `None` for first fit.
        addr: Option<u32>,
        /// Length in bytes.
        len: u32,
        /// Protection.
        prot: Prot,
        /// Anonymous or discardable.
        kind: RegionKind,
    },
    /// munmap(addr, len).
    Munmap {
        /// Start.
        addr: u32,
        /// Length.
        len: u32,
    },
    /// advise(addr, len, advice).
    Advise {
        /// Start.
        addr: u32,
        /// Length.
        len: u32,
        /// The advice.
        advice: Advice,
    },
    /// set_policy(kind).
    SetPolicy(PolicyKind),
    /// print(ptr, len): core reads the string from the task.
    Print {
        /// Address of the text.
        ptr: u32,
        /// Its length in bytes.
        len: u32,
    },
    /// yield().
    Yield,
    /// exit(code).
    Exit(i32),
    /// fork(): EAX is the child's task id in the parent and 0 in the child.
    Fork,
    /// register_eviction_callback(entry, stack_top).
    RegisterEvictionCallback {
        /// The callback's first instruction.
        entry: u32,
        /// Top of the stack it runs on (pinned).
        stack_top: u32,
    },
    /// open(path, len, write): core reads the path from the task, then calls
    /// [`MemoryManager::open_file`].
    Open {
        /// Address of the path.
        ptr: u32,
        /// Its length in bytes.
        len: u32,
        /// Read-write (else read-only).
        write: bool,
    },
    /// close(fd).
    Close(u32),
    /// mmap_file(addr or none, len, prot | shared, fd, offset).
    MmapFile {
        /// Fixed address, or `None` for first fit.
        addr: Option<u32>,
        /// Length in bytes.
        len: u32,
        /// Protection.
        prot: Prot,
        /// Shared (else private).
        shared: bool,
        /// The open file.
        fd: u32,
        /// Byte offset in the file (page aligned).
        offset: u32,
    },
    /// msync(addr, len).
    Msync {
        /// Start.
        addr: u32,
        /// Length.
        len: u32,
    },
    /// file_size(fd).
    FileSize(u32),
}

/// Why a gate call could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum GateError {
    /// EAX is not a gate function.
    #[error("no library function {0} (EAX must be 1..=15)")]
    UnknownFunction(u32),
    /// Protection bits beyond r=4, w=2, x=1.
    #[error("protection {0:#x} is not a combination of r=4, w=2, x=1")]
    BadProt(u32),
    /// mmap flags other than 1 (discardable).
    #[error("mmap flags {0:#x} unknown (only 1 = discardable)")]
    BadFlags(u32),
    /// Advice number out of range.
    #[error(
        "advice {0} unknown (0 normal, 1 will-need, 2 don't-need, 3 read-once, 4 discardable)"
    )]
    BadAdvice(u32),
    /// open's mode other than 0 (read-only) or 1 (read-write).
    #[error("open mode {0} unknown (0 read-only, 1 read-write)")]
    BadMode(u32),
    /// open's path length is zero or longer than a page.
    #[error("path length {0} must be between 1 and 4096 bytes")]
    BadPathLength(u32),
    /// mmap_file's EDX has bits other than the protection and 0x100 (shared).
    #[error("mmap_file flags {0:#x} unknown (protection r=4 w=2 x=1, plus 0x100 for shared)")]
    BadFileFlags(u32),
    /// Policy number out of range.
    #[error(
        "policy {0} unknown (0 fifo, 1 clock, 2 lru, 3 mru, 4 random, 5 app, 6 callback, 7 opt)"
    )]
    BadPolicy(u32),
}

impl GateError {
    /// The errno returned (negated) in EAX.
    pub fn errno(&self) -> i32 {
        match self {
            GateError::UnknownFunction(_) => ENOSYS,
            _ => EINVAL,
        }
    }
}

/// Decode the registers of an `int 0x30`.
///
/// # Errors
/// A [`GateError`] naming the bad register value.
pub fn decode(regs: GateRegs) -> Result<GateCall, GateError> {
    let GateRegs {
        eax,
        ebx,
        ecx,
        edx,
        esi,
        edi,
    } = regs;
    let f = GateFn::from_eax(eax).ok_or(GateError::UnknownFunction(eax))?;
    Ok(match f {
        GateFn::Mmap => GateCall::Mmap {
            addr: (ebx != 0).then_some(ebx),
            len: ecx,
            prot: Prot::from_bits(edx).map_err(|_| GateError::BadProt(edx))?,
            kind: match esi {
                0 => RegionKind::Anonymous,
                MMAP_DISCARDABLE => RegionKind::Discardable,
                f => return Err(GateError::BadFlags(f)),
            },
        },
        GateFn::Munmap => GateCall::Munmap {
            addr: ebx,
            len: ecx,
        },
        GateFn::Advise => GateCall::Advise {
            addr: ebx,
            len: ecx,
            advice: Advice::from_gate_number(edx).ok_or(GateError::BadAdvice(edx))?,
        },
        GateFn::SetPolicy => {
            GateCall::SetPolicy(PolicyKind::from_gate_number(ebx).ok_or(GateError::BadPolicy(ebx))?)
        }
        GateFn::SetPriority => GateCall::Advise {
            addr: ebx,
            len: ecx,
            advice: Advice::Priority(edx as i32),
        },
        GateFn::Print => GateCall::Print { ptr: ebx, len: ecx },
        GateFn::Yield => GateCall::Yield,
        GateFn::Exit => GateCall::Exit(ebx as i32),
        GateFn::RegisterEvictionCallback => GateCall::RegisterEvictionCallback {
            entry: ebx,
            stack_top: ecx,
        },
        GateFn::Fork => GateCall::Fork,
        GateFn::Open => GateCall::Open {
            ptr: ebx,
            len: match ecx {
                1..=MAX_PATH_READ => ecx,
                _ => return Err(GateError::BadPathLength(ecx)),
            },
            write: match edx {
                0 | 1 => edx == 1,
                _ => return Err(GateError::BadMode(edx)),
            },
        },
        GateFn::Close => GateCall::Close(ebx),
        GateFn::MmapFile => {
            if edx & !(MAP_SHARED | 7) != 0 {
                return Err(GateError::BadFileFlags(edx));
            }
            GateCall::MmapFile {
                addr: (ebx != 0).then_some(ebx),
                len: ecx,
                prot: Prot((edx & 7) as u8),
                shared: edx & MAP_SHARED != 0,
                fd: esi,
                offset: edi,
            }
        }
        GateFn::Msync => GateCall::Msync {
            addr: ebx,
            len: ecx,
        },
        GateFn::FileSize => GateCall::FileSize(ebx),
    })
}

/// EAX for a negative errno.
pub fn errno_eax(errno: i32) -> u32 {
    errno.wrapping_neg() as u32
}

impl MemoryManager {
    /// Carry out a decoded gate call that belongs to the memory manager and return EAX.
    /// `None` for print, yield, exit, fork and open, which are core's (open: core reads the
    /// path, then calls [`MemoryManager::open_file`]). For
    /// `RegisterEvictionCallback` the pages are pinned here; core must also keep the entry
    /// and stack top to run the callback.
    pub fn gate(&mut self, env: &mut dyn PagerEnv, call: GateCall) -> Option<u32> {
        let r: Result<u32, MmError> = match call {
            GateCall::Mmap {
                addr,
                len,
                prot,
                kind,
            } => self.mmap(env, addr, len, prot, kind),
            GateCall::Munmap { addr, len } => self.munmap(env, addr, len).map(|()| 0),
            GateCall::Advise { addr, len, advice } => {
                self.advise(env, addr, len, advice).map(|()| 0)
            }
            GateCall::SetPolicy(kind) => self.set_policy(kind).map(|()| {
                self.flush(env);
                0
            }),
            GateCall::RegisterEvictionCallback { entry, stack_top } => self
                .register_eviction_callback(env, entry, stack_top)
                .map(|()| 0),
            GateCall::Close(fd) => self.close_file(env, fd).map(|()| 0),
            GateCall::MmapFile {
                addr,
                len,
                prot,
                shared,
                fd,
                offset,
            } => self.mmap_file(env, addr, len, prot, shared, fd, offset),
            GateCall::Msync { addr, len } => self.msync(env, addr, len).map(|()| 0),
            GateCall::FileSize(fd) => self.file_size(fd),
            GateCall::Print { .. }
            | GateCall::Yield
            | GateCall::Exit(_)
            | GateCall::Fork
            | GateCall::Open { .. } => return None,
        };
        Some(match r {
            Ok(v) => v,
            Err(e) => errno_eax(e.errno()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regs(eax: u32, ebx: u32, ecx: u32, edx: u32, esi: u32) -> GateRegs {
        GateRegs {
            eax,
            ebx,
            ecx,
            edx,
            esi,
            edi: 0,
        }
    }

    #[test]
    fn decodes_the_file_calls() {
        assert_eq!(
            decode(regs(11, 0x5000, 11, 1, 0)),
            Ok(GateCall::Open {
                ptr: 0x5000,
                len: 11,
                write: true
            })
        );
        assert_eq!(decode(regs(12, 3, 0, 0, 0)), Ok(GateCall::Close(3)));
        let r = GateRegs {
            edi: 0x2000,
            ..regs(13, 0, 0x3000, 0x106, 3)
        };
        assert_eq!(
            decode(r),
            Ok(GateCall::MmapFile {
                addr: None,
                len: 0x3000,
                prot: Prot::RW,
                shared: true,
                fd: 3,
                offset: 0x2000
            })
        );
        assert!(matches!(
            decode(regs(13, 0x8000, 1, 4, 3)),
            Ok(GateCall::MmapFile {
                addr: Some(0x8000),
                shared: false,
                ..
            })
        ));
        assert_eq!(
            decode(regs(14, 0x4000, 4096, 0, 0)),
            Ok(GateCall::Msync {
                addr: 0x4000,
                len: 4096
            })
        );
        assert_eq!(decode(regs(15, 4, 0, 0, 0)), Ok(GateCall::FileSize(4)));
        assert_eq!(
            decode(regs(11, 0, 0, 0, 0)),
            Err(GateError::BadPathLength(0))
        );
        assert_eq!(decode(regs(11, 0, 5, 2, 0)), Err(GateError::BadMode(2)));
        assert_eq!(
            decode(regs(13, 0, 1, 0x206, 3)),
            Err(GateError::BadFileFlags(0x206))
        );
        assert_eq!(
            decode(regs(16, 0, 0, 0, 0)),
            Err(GateError::UnknownFunction(16))
        );
    }

    #[test]
    fn decodes_every_function_of_the_table() {
        assert_eq!(
            decode(regs(1, 0, 8192, 6, 1)),
            Ok(GateCall::Mmap {
                addr: None,
                len: 8192,
                prot: Prot::RW,
                kind: RegionKind::Discardable
            })
        );
        assert_eq!(
            decode(regs(1, 0x8000, 1, 4, 0)),
            Ok(GateCall::Mmap {
                addr: Some(0x8000),
                len: 1,
                prot: Prot::R,
                kind: RegionKind::Anonymous
            })
        );
        assert_eq!(
            decode(regs(2, 0x4000, 4096, 0, 0)),
            Ok(GateCall::Munmap {
                addr: 0x4000,
                len: 4096
            })
        );
        assert_eq!(
            decode(regs(3, 0x4000, 4096, 1, 0)),
            Ok(GateCall::Advise {
                addr: 0x4000,
                len: 4096,
                advice: Advice::WillNeed
            })
        );
        assert_eq!(
            decode(regs(4, 2, 0, 0, 0)),
            Ok(GateCall::SetPolicy(PolicyKind::Lru))
        );
        assert_eq!(
            decode(regs(4, 7, 0, 0, 0)),
            Ok(GateCall::SetPolicy(PolicyKind::Opt))
        );
        assert_eq!(
            decode(regs(5, 0x4000, 4096, (-5i32) as u32, 0)),
            Ok(GateCall::Advise {
                addr: 0x4000,
                len: 4096,
                advice: Advice::Priority(-5)
            })
        );
        assert_eq!(
            decode(regs(6, 0x100, 5, 0, 0)),
            Ok(GateCall::Print { ptr: 0x100, len: 5 })
        );
        assert_eq!(decode(regs(7, 0, 0, 0, 0)), Ok(GateCall::Yield));
        assert_eq!(decode(regs(8, u32::MAX, 0, 0, 0)), Ok(GateCall::Exit(-1)));
        assert_eq!(
            decode(regs(9, 0x400000, 0x7000, 0, 0)),
            Ok(GateCall::RegisterEvictionCallback {
                entry: 0x400000,
                stack_top: 0x7000
            })
        );
    }

    #[test]
    fn bad_arguments_give_clear_errors_and_errnos() {
        assert_eq!(
            decode(regs(0, 0, 0, 0, 0)),
            Err(GateError::UnknownFunction(0))
        );
        assert_eq!(GateError::UnknownFunction(0).errno(), ENOSYS);
        assert_eq!(decode(regs(1, 0, 1, 8, 0)), Err(GateError::BadProt(8)));
        assert_eq!(decode(regs(1, 0, 1, 6, 2)), Err(GateError::BadFlags(2)));
        assert_eq!(decode(regs(3, 0, 1, 9, 0)), Err(GateError::BadAdvice(9)));
        assert_eq!(decode(regs(4, 8, 0, 0, 0)), Err(GateError::BadPolicy(8)));
        assert_eq!(GateError::BadPolicy(8).errno(), EINVAL);
        assert_eq!(errno_eax(EINVAL), (-22i32) as u32);
    }
}

#[cfg(test)]
mod dispatch_tests {
    use super::*;
    use crate::fake::FakeEnv;
    use crate::ENOMEM;

    /// The call a gate trap with these registers (EDI 0) makes.
    fn call(eax: u32, ebx: u32, ecx: u32, edx: u32, esi: u32) -> GateCall {
        decode(GateRegs {
            eax,
            ebx,
            ecx,
            edx,
            esi,
            edi: 0,
        })
        .expect("a valid gate call")
    }

    #[test]
    fn gate_calls_reach_the_memory_manager_and_errors_come_back_negative() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
        assert_eq!(mm.gate(&mut env, call(1, 0, 8192, 6, 0)), Some(0x4000));
        assert_eq!(mm.gate(&mut env, call(5, 0x4000, 4096, 3, 0)), Some(0));
        assert_eq!(mm.regions()[0].priority, 3);
        assert_eq!(mm.gate(&mut env, call(4, 5, 0, 0, 0)), Some(0));
        assert_eq!(mm.policy_kind(), PolicyKind::App);
        assert_eq!(
            mm.gate(&mut env, call(4, 7, 0, 0, 0)),
            Some(errno_eax(EINVAL))
        );
        assert_eq!(
            mm.gate(&mut env, call(3, 0x9000, 1, 0, 0)),
            Some(errno_eax(ENOMEM))
        );
        assert_eq!(mm.gate(&mut env, call(2, 0x4000, 8192, 0, 0)), Some(0));
        assert_eq!(mm.gate(&mut env, call(6, 0, 0, 0, 0)), None);
        assert_eq!(mm.gate(&mut env, call(8, 0, 0, 0, 0)), None);
    }

    #[test]
    fn file_calls_on_bad_descriptors_and_without_a_file_server_fail_cleanly() {
        use crate::{EBADF, ENOSYS};
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
        let e = mm.open_file(&mut env, "/data/table", false).unwrap_err();
        assert_eq!(e.errno(), ENOSYS);
        assert!(e.to_string().contains("no file server"), "{e}");
        assert_eq!(
            mm.gate(&mut env, call(11, 0x5000, 4, 0, 0)),
            None,
            "core reads the path"
        );
        assert_eq!(
            mm.gate(&mut env, call(12, 3, 0, 0, 0)),
            Some(errno_eax(EBADF))
        );
        assert_eq!(
            mm.gate(&mut env, call(15, 3, 0, 0, 0)),
            Some(errno_eax(EBADF))
        );
        assert_eq!(
            mm.gate(&mut env, call(13, 0, 4096, 0x104, 3)),
            Some(errno_eax(EBADF))
        );
        assert_eq!(
            mm.gate(&mut env, call(14, 0x4000, 4096, 0, 0)),
            Some(errno_eax(ENOMEM))
        );
        assert_eq!(
            mm.gate(&mut env, call(14, 0x4001, 4096, 0, 0)),
            Some(errno_eax(EINVAL))
        );
        assert_eq!(mm.frames_held(), 0);
    }
}
