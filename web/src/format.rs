//! Small text formatters shared by the views.

use selfpage_core::{AccessKind, Endpoint, Event};

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
    }
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
        Event::Rpc { task, request } => format!("pager {task} → physmem: {request:?}"),
        Event::RpcReply { task, result } => match result {
            Ok(r) => format!("physmem → pager {task}: {r:?}"),
            Err(e) => format!("physmem → pager {task}: refused: {e}"),
        },
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
    }
}

/// rwx rights as three letters.
pub fn rights_str(r: u8) -> String {
    let bit = |b: u8, c: char| if r & b != 0 { c } else { '-' };
    [bit(4, 'r'), bit(2, 'w'), bit(1, 'x')].iter().collect()
}
