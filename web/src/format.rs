//! Small text formatters shared by the views.

use selfpage_core::rpc::{PhysmemError, Reply, Request};
use selfpage_core::{AccessKind, Endpoint, Event, Kernel};

/// A 32-bit value as 0x-prefixed, 8 hex digits.
pub fn hex32(v: u32) -> String {
    format!("0x{v:08x}")
}

/// The name of an IPC endpoint as the timeline labels it.
pub fn endpoint(e: &Endpoint) -> String {
    match e {
        Endpoint::Thread(t) => format!("thread {t}"),
        Endpoint::Pager(t) => format!("pager {t}"),
        Endpoint::Physmem => "physmem".into(),
        Endpoint::Kernel => "kernel".into(),
        Endpoint::FileServer => "file server".into(),
        Endpoint::Ramdisk => "ramdisk".into(),
    }
}

/// " at line N" for the source line (C or assembly) of task `task`'s instruction at `ip`,
/// or nothing where it has none (C's start-up code and library headers).
pub fn line_suffix(k: &Kernel, task: u32, ip: u32) -> String {
    k.source_line(task, ip)
        .map(|l| format!(" at line {l}"))
        .unwrap_or_default()
}

/// An access kind in words.
pub fn access(a: AccessKind) -> &'static str {
    match a {
        AccessKind::Read => "read",
        AccessKind::Write => "write",
        AccessKind::Execute => "fetch",
    }
}

/// One trace event in one line of words.
pub fn event(e: &Event) -> String {
    match e {
        Event::Boot {
            ram_frames,
            kernel_frames,
            physmem_frames,
        } => {
            format!("boot: {ram_frames} frames of RAM; kernel keeps {kernel_frames}, sigma0 gives {physmem_frames} to physmem")
        }
        Event::TaskStarted {
            task,
            name,
            guaranteed,
            extra,
            policy,
        } => {
            format!("task {task} '{name}' starts: {guaranteed} guaranteed + {extra} extra frames, policy {policy}")
        }
        Event::Fault {
            task,
            addr,
            access: a,
            ip,
            error_code,
        } => format!(
            "#PF in task {task}: {} of {} at eip {} (error code {error_code:#x})",
            access(*a),
            hex32(*addr),
            hex32(*ip)
        ),
        Event::Ipc {
            from,
            to,
            label,
            words,
        } => {
            let w: Vec<String> = words.iter().map(|w| hex32(*w)).collect();
            format!(
                "IPC {} → {} label {label:#06x} {}",
                endpoint(from),
                endpoint(to),
                w.join(" ")
            )
        }
        Event::Rpc { task, request: r } => format!("pager {task} → physmem: {}", request(r)),
        Event::RpcReply { task, result } => format!("physmem → pager {task}: {}", reply(result)),
        Event::FrameZeroed { pfn } => format!("kernel zero-fills frame {pfn}"),
        Event::FrameCopied { from, to } => format!("kernel copies frame {from} → {to}"),
        Event::Mapped {
            task,
            vaddr,
            pfn,
            rights,
        } => {
            format!(
                "map {} → frame {pfn} in task {task} (rights {})",
                hex32(*vaddr),
                rights_str(rights.0)
            )
        }
        Event::Unmapped {
            task,
            vaddr,
            pfn,
            referenced,
            dirty,
        } => format!(
            "unmap {} (frame {pfn}) in task {task}: referenced={referenced} dirty={dirty}",
            hex32(*vaddr)
        ),
        Event::Revoked {
            pfn,
            rights,
            mappings,
        } => {
            format!(
                "physmem revokes {} on frame {pfn} ({mappings} mappings)",
                rights_str(rights.0)
            )
        }
        Event::PressureRequest {
            task,
            count,
            deadline,
            ignored,
        } => format!(
            "physmem asks task {task} to return {count} frames by time {deadline}{}",
            if *ignored { " — ignored" } else { "" }
        ),
        Event::Reclaimed { task, offset, pfn } => {
            format!("physmem reclaims frame {pfn} (offset {offset:#x}) from task {task}")
        }
        Event::Pager { task, event } => format!("pager {task}: {event}"),
        Event::Callback { task, candidates, answer, instructions, outcome } => format!(
            "pager {task} asks the workload's callback among {candidates} pages: {outcome} after {instructions} instructions{}",
            answer.map(|a| format!(" → {}", hex32(a))).unwrap_or_default()
        ),
        Event::Gate { task, call, result } => format!("task {task} calls {call} → {result}"),
        Event::Print { task, text } => format!("task {task} prints {:?}", text),
        Event::Resumed { task } => format!("thread {task} resumes"),
        Event::TaskExited { task, code } => format!("task {task} exits with {code}"),
        Event::TaskKilled { task, reason } => format!("task {task} killed: {reason}"),
        Event::Fs { event } => event.to_string(),
    }
}

/// A physmem request in a few words (offsets and sizes, not handles).
pub fn request(r: &Request) -> String {
    let kib = |n: &u32| format!("{} KiB", n / 1024);
    match r {
        Request::ContainerCreate { .. } => "container_create".into(),
        Request::ContainerShare { with, .. } => format!("container_share(with task {})", with.0),
        Request::ContainerAllocate { start, size, .. } => {
            format!("container_allocate({start:#x}, {})", kib(size))
        }
        Request::ContainerDeallocate { start, size, .. } => {
            format!("container_deallocate({start:#x}, {})", kib(size))
        }
        Request::ContainerMap {
            rights,
            vaddr,
            index,
            size,
            ..
        } => {
            format!(
                "container_map({index:#x} → {}, {}, {})",
                hex32(*vaddr),
                kib(size),
                rights_str(rights.0)
            )
        }
        Request::ContainerCopy {
            src_start,
            dest_start,
            count,
            mode,
            ..
        } => {
            format!(
                "container_copy({src_start:#x} → {dest_start:#x}, {}, {mode:?})",
                kib(count)
            )
        }
        Request::ControlSplit { frames, to, .. } => {
            format!("control_split({frames} frames to task {})", to.0)
        }
        Request::ControlDestroy { .. } => "control_destroy".into(),
        Request::FramesReturned { count, .. } => format!("frames_returned({count})"),
    }
}

/// physmem's answer in a few words.
pub fn reply(r: &Result<Reply, PhysmemError>) -> String {
    match r {
        Ok(Reply::Handle(_)) => "a new handle".into(),
        Ok(Reply::Amount(n)) => format!("{n:#x} bytes"),
        Ok(Reply::Mapped { items, .. }) => {
            let fpages: Vec<String> = items
                .iter()
                .map(|i| {
                    format!(
                        "{} → frame {} ({} KiB)",
                        hex32(i.vaddr),
                        i.pfn.0,
                        1u32 << i.log2_size.saturating_sub(10)
                    )
                })
                .collect();
            format!("map {}", fpages.join(", "))
        }
        Ok(Reply::Done) => "done".into(),
        Err(e) => format!("refused: {e}"),
    }
}

/// rwx rights as three letters.
pub fn rights_str(r: u8) -> String {
    let bit = |b: u8, c: char| if r & b != 0 { c } else { '-' };
    [bit(4, 'r'), bit(2, 'w'), bit(1, 'x')].iter().collect()
}
