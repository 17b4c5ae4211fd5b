//! The teaching story, through the public API only: a task fills memory with extra frames,
//! forks a COW copy to a child, the child writes, and a late task's guarantee makes physmem
//! ask for frames back and finally take them.

use physmem::{
    CopyMode, Effect, FrameInfo, Handle, MapItem, Pfn, Physmem, PhysmemError, Reply, Request,
    Response, Rights, TaskId,
};

const PARENT: TaskId = TaskId(1);
const CHILD: TaskId = TaskId(2);
const LATE: TaskId = TaskId(3);

fn ok(r: Response) -> (Reply, Vec<Effect>) {
    match r.result {
        Ok(reply) => (reply, r.effects),
        Err(e) => panic!("refused: {e}"),
    }
}

fn handle(pm: &mut Physmem, task: TaskId, req: Request) -> Handle {
    match ok(pm.handle(task, req)).0 {
        Reply::Handle(h) => h,
        other => panic!("expected a handle, got {other:?}"),
    }
}

/// A client's map loop: ask until `next` is `None`.
fn map(
    pm: &mut Physmem,
    task: TaskId,
    c: Handle,
    rights: Rights,
    vaddr: u32,
    size: u32,
) -> (Vec<MapItem>, Vec<Effect>) {
    let (mut items, mut effects, mut index) = (Vec::new(), Vec::new(), 0);
    loop {
        let req = Request::ContainerMap {
            container: c,
            rights,
            vaddr: vaddr + index,
            index,
            size: size - index,
        };
        let (reply, fx) = ok(pm.handle(task, req));
        effects.extend(fx);
        let Reply::Mapped { items: batch, next } = reply else {
            panic!("not a map reply")
        };
        items.extend_from_slice(&batch);
        match next {
            Some(n) => index = n,
            None => return (items, effects),
        }
    }
}

#[test]
fn fork_write_and_pressure() {
    let mut pm = Physmem::new((64..128).map(Pfn)); // 64 frames; 0..64 are the kernel's
    pm.set_grace_steps(50);
    let parent_ctl = pm.create_control(PARENT, 16).unwrap();
    let child_ctl = pm.create_control(CHILD, 8).unwrap();
    let parent = handle(
        &mut pm,
        PARENT,
        Request::ContainerCreate {
            control: parent_ctl,
        },
    );
    let child = handle(
        &mut pm,
        CHILD,
        Request::ContainerCreate { control: child_ctl },
    );

    // The parent allocates 32 pages (16 guaranteed + 16 extra) and touches them all.
    ok(pm.handle(
        PARENT,
        Request::ContainerAllocate {
            container: parent,
            start: 0,
            size: 32 * 4096,
        },
    ));
    let (items, fx) = map(&mut pm, PARENT, parent, Rights::RW, 0x40_0000, 32 * 4096);
    assert_eq!(
        fx.iter().filter(|e| matches!(e, Effect::Zero(_))).count(),
        32
    );
    assert!(items.iter().all(|i| i.log2_size == 16)); // 64 KiB fpages
    assert_eq!(pm.stats().tasks[0].extra, 16);

    // Fork: the parent shares its container with the child, who COW-copies 4 pages.
    let parent_for_child = handle(
        &mut pm,
        PARENT,
        Request::ContainerShare {
            container: parent,
            with: CHILD,
        },
    );
    let copy = Request::ContainerCopy {
        src: parent_for_child,
        src_start: 0,
        dest: child,
        dest_start: 0,
        count: 4 * 4096,
        mode: CopyMode::CopyOnWrite,
        all_or_none: true,
    };
    let (_, fx) = ok(pm.handle(CHILD, copy));
    assert_eq!(fx.len(), 4); // write access revoked on the four frames
    let (items, _) = map(&mut pm, CHILD, child, Rights::R, 0x40_0000, 4 * 4096);
    assert_eq!(items[0].rights, Rights::R);
    let shared_frame = items[0].pfn;
    assert!(matches!(
        pm.frame(shared_frame),
        FrameInfo::Bound { cow: true, .. }
    ));

    // The child writes page 0: a private copy, the rest stays shared.
    let (items, fx) = map(&mut pm, CHILD, child, Rights::RW, 0x40_0000, 4096);
    assert!(matches!(fx[0], Effect::Copy { from, .. } if from == shared_frame));
    assert_eq!(items[0].rights, Rights::RW);
    assert!(matches!(
        pm.frame(shared_frame),
        FrameInfo::Bound { cow: false, .. }
    ));

    // The child cannot touch the parent's control capability.
    let r = pm.handle(
        CHILD,
        Request::ControlDestroy {
            control: parent_ctl,
        },
    );
    assert_eq!(r.result, Err(PhysmemError::PermissionDenied(parent_ctl)));

    // A late task is promised 32 frames: 31 are free and 7 of them are the child's unused
    // guarantee, so the parent's extra frames are needed.
    let late_ctl = pm.create_control(LATE, 32).unwrap();
    let late = handle(
        &mut pm,
        LATE,
        Request::ContainerCreate { control: late_ctl },
    );
    ok(pm.handle(
        LATE,
        Request::ContainerAllocate {
            container: late,
            start: 0,
            size: 32 * 4096,
        },
    ));
    let before = pm.stats().free;
    // Its first 64 KiB frame fits, the second must wait for the parent's extras.
    map(&mut pm, LATE, late, Rights::RW, 0, 16 * 4096);
    let r = pm.handle(
        LATE,
        Request::ContainerMap {
            container: late,
            rights: Rights::RW,
            vaddr: 0x10_0000,
            index: 16 * 4096,
            size: 16 * 4096,
        },
    );
    assert_eq!(r.result, Err(PhysmemError::MemoryShort { needed: 16 }));
    assert_eq!(pm.stats().free, before - 16);
    let fx = pm.tick(100);
    assert_eq!(
        fx,
        vec![Effect::ReturnFrames {
            task: PARENT,
            count: 8,
            deadline: 150
        }]
    );

    // The parent gives back 4 pages only, and says so.
    ok(pm.handle(
        PARENT,
        Request::ContainerDeallocate {
            container: parent,
            start: 28 * 4096,
            size: 4 * 4096,
        },
    ));
    ok(pm.handle(PARENT, Request::FramesReturned { count: 4 }));
    assert!(pm.tick(149).is_empty());
    let fx = pm.tick(150);
    let lost: Vec<u32> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Reclaimed { task, offset, .. } if *task == PARENT => Some(*offset / 4096),
            _ => None,
        })
        .collect();
    assert_eq!(lost, vec![27, 26, 25, 24]); // the most recently bound extras
    let (_, fx) = map(
        &mut pm,
        LATE,
        late,
        Rights::RW,
        0x10_0000 - 16 * 4096,
        32 * 4096,
    );
    assert_eq!(
        fx.iter().filter(|e| matches!(e, Effect::Zero(_))).count(),
        16
    );
    let s = pm.stats();
    assert_eq!((s.tasks[0].bound, s.tasks[0].extra), (24, 8));
    assert_eq!(s.free + s.bound, s.total);
    pm.check_invariants().unwrap();
}
