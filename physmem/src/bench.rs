//! The server's hot paths as repeatable workloads, for `cargo xtask bench` (timed natively)
//! and for the wasm build's bench entry point (timed by the page): the caller times a call.

use crate::{
    CopyMode, Handle, Pfn, Physmem, PhysmemError, Reply, Request, Rights, TaskId, PAGE_SIZE,
};

/// The task the workloads run as.
const TASK: TaskId = TaskId(1);
/// Frames of the server the workloads run on.
const FRAMES: u32 = 4096;

/// A server with `FRAMES` frames and one container of half of them guaranteed.
fn server() -> Result<(Physmem, Handle), PhysmemError> {
    let mut pm = Physmem::new((0..FRAMES).map(Pfn));
    let control = pm.create_control(TASK, FRAMES / 2)?;
    let container = container(&mut pm, control)?;
    Ok((pm, container))
}

/// A new container drawing on `control`.
fn container(pm: &mut Physmem, control: Handle) -> Result<Handle, PhysmemError> {
    match pm
        .handle(TASK, Request::ContainerCreate { control })
        .result?
    {
        Reply::Handle(c) => Ok(c),
        other => unreachable!("ContainerCreate replied {other:?}"),
    }
}

/// Sends `req`; a refusal ends the workload.
fn send(pm: &mut Physmem, req: Request) -> Result<(), PhysmemError> {
    pm.handle(TASK, req).result.map(drop)
}

/// `rounds` times: allocate one page, map it read/write (binding a zeroed frame), deallocate
/// it — a first-touch fault and a release as the pager makes them.
///
/// # Errors
/// A request was refused (a bug: the workload stays within its guarantee).
pub fn allocate_map_deallocate(rounds: u32) -> Result<(), PhysmemError> {
    let (mut pm, c) = server()?;
    for i in 0..rounds {
        let start = (i % 64) * PAGE_SIZE;
        let size = PAGE_SIZE;
        send(
            &mut pm,
            Request::ContainerAllocate {
                container: c,
                start,
                size,
            },
        )?;
        let rights = Rights::RW;
        let map = Request::ContainerMap {
            container: c,
            rights,
            vaddr: start,
            index: start,
            size,
        };
        send(&mut pm, map)?;
        send(
            &mut pm,
            Request::ContainerDeallocate {
                container: c,
                start,
                size,
            },
        )?;
    }
    Ok(())
}

/// `rounds` times: copy one bound page copy-on-write into a second container, then write to
/// the copy (a write map), which breaks the sharing with a private copy of the frame.
///
/// # Errors
/// A request was refused (a bug: the workload stays within its guarantee).
pub fn cow_copy_and_break(rounds: u32) -> Result<(), PhysmemError> {
    let (mut pm, a) = server()?;
    let control = pm.create_control(TASK, 16)?;
    let b = container(&mut pm, control)?;
    let size = PAGE_SIZE;
    send(
        &mut pm,
        Request::ContainerAllocate {
            container: a,
            start: 0,
            size,
        },
    )?;
    let rights = Rights::RW;
    send(
        &mut pm,
        Request::ContainerMap {
            container: a,
            rights,
            vaddr: 0,
            index: 0,
            size,
        },
    )?;
    for _ in 0..rounds {
        let copy = Request::ContainerCopy {
            src: a,
            src_start: 0,
            dest: b,
            dest_start: 0,
            count: PAGE_SIZE,
            mode: CopyMode::CopyOnWrite,
            all_or_none: true,
        };
        send(&mut pm, copy)?;
        let write = Request::ContainerMap {
            container: b,
            rights,
            vaddr: 0x10_0000,
            index: 0,
            size,
        };
        send(&mut pm, write)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workloads_are_served_without_a_refusal() {
        allocate_map_deallocate(200).expect("allocate/map/deallocate");
        cow_copy_and_break(200).expect("COW copy and break");
    }
}
