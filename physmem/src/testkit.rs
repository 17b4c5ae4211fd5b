//! Helpers shared by the unit tests.

use crate::*;

/// Task 1.
pub const T1: TaskId = TaskId(1);
/// Task 2.
pub const T2: TaskId = TaskId(2);

/// A server owning frames 0..n.
pub fn boot(frames: u32) -> Physmem {
    Physmem::new((0..frames).map(Pfn))
}

/// A new control capability for `task` and a container paid by it.
pub fn container(pm: &mut Physmem, task: TaskId, guaranteed: u32) -> Handle {
    let control = pm
        .create_control(task, guaranteed)
        .expect("container: guarantee");
    create(pm, task, control)
}

/// `ContainerCreate` by `task` under `control`: the new container; panics on refusal.
pub fn create(pm: &mut Physmem, task: TaskId, control: Handle) -> Handle {
    match pm.handle(task, Request::ContainerCreate { control }).result {
        Ok(Reply::Handle(h)) => h,
        other => panic!("container: {other:?}"),
    }
}

/// A server with one task (T1, guaranteed `guaranteed`) and one container; T2 is known too.
pub fn one_task(frames: u32, guaranteed: u32) -> (Physmem, Handle) {
    let mut pm = boot(frames);
    let c = container(&mut pm, T1, guaranteed);
    pm.create_control(T2, 0).expect("one_task: T2");
    (pm, c)
}

/// `ContainerAllocate`.
pub fn alloc(
    pm: &mut Physmem,
    task: TaskId,
    c: Handle,
    start: u32,
    size: u32,
) -> Result<Reply, PhysmemError> {
    pm.handle(
        task,
        Request::ContainerAllocate {
            container: c,
            start,
            size,
        },
    )
    .result
}

/// A `ContainerMap` request.
pub fn map_req(c: Handle, rights: Rights, vaddr: u32, index: u32, size: u32) -> Request {
    Request::ContainerMap {
        container: c,
        rights,
        vaddr,
        index,
        size,
    }
}

/// One `ContainerMap`.
pub fn map(
    pm: &mut Physmem,
    task: TaskId,
    c: Handle,
    rights: Rights,
    vaddr: u32,
    index: u32,
    size: u32,
) -> Result<Reply, PhysmemError> {
    pm.handle(task, map_req(c, rights, vaddr, index, size))
        .result
}

/// `ContainerMap` looping on `next`, as a client does; panics on refusal.
pub fn map_all(
    pm: &mut Physmem,
    task: TaskId,
    c: Handle,
    rights: Rights,
    vaddr: u32,
    index: u32,
    size: u32,
) -> Vec<MapItem> {
    let (mut all, mut at) = (Vec::new(), index);
    loop {
        let (v, left) = (vaddr + (at - index), size - (at - index));
        match map(pm, task, c, rights, v, at, left) {
            Ok(Reply::Mapped { items, next }) => {
                all.extend_from_slice(&items);
                match next {
                    Some(n) => at = n,
                    None => return all,
                }
            }
            other => panic!("map_all: {other:?}"),
        }
    }
}

/// `ContainerShare` from `from` to `to`: the receiver's handle.
pub fn share(pm: &mut Physmem, from: TaskId, c: Handle, to: TaskId) -> Handle {
    match pm
        .handle(
            from,
            Request::ContainerShare {
                container: c,
                with: to,
            },
        )
        .result
    {
        Ok(Reply::Handle(h)) => h,
        other => panic!("share: {other:?}"),
    }
}

/// The frames of a container as (offset, order).
pub fn frame_orders(pm: &Physmem, c: Handle) -> Vec<(u32, u8)> {
    let Some(crate::caps::Cap {
        object: crate::caps::Object::Container(id),
        ..
    }) = pm.caps.get(c)
    else {
        panic!("frame_orders: not a container")
    };
    pm.containers[id]
        .slots
        .iter()
        .map(|(o, s)| (o, s.order))
        .collect()
}
