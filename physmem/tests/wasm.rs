//! physmem on wasm32 (Node): lazy binding, power-of-two frames and a copy-on-write break
//! give the same replies and effects as natively. (`cargo xtask test` runs it on both.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use physmem::{CopyMode, Effect, Pfn, Physmem, Reply, Request, Rights, TaskId};

fn handle(pm: &mut Physmem, task: TaskId, req: Request) -> physmem::Handle {
    match pm.handle(task, req).result {
        Ok(Reply::Handle(h)) => h,
        other => panic!("expected a handle, got {other:?}"),
    }
}

#[test]
fn lazy_binding_and_a_copy_on_write_break() {
    let mut pm = Physmem::new((0..64).map(Pfn));
    let (a, b) = (TaskId(1), TaskId(2));
    let ca = pm.create_control(a, 16).expect("guarantee");
    let cb = pm.create_control(b, 16).expect("guarantee");
    let src = handle(&mut pm, a, Request::ContainerCreate { control: ca });
    let dst = handle(&mut pm, b, Request::ContainerCreate { control: cb });
    // [0x1000, 0x8000) is covered by 4K@0x1000 + 8K@0x2000 + 16K@0x4000, bound lazily.
    let alloc = pm.handle(
        a,
        Request::ContainerAllocate {
            container: src,
            start: 0x1000,
            size: 0x7000,
        },
    );
    assert_eq!(alloc.result, Ok(Reply::Amount(0x7000)));
    assert_eq!(pm.stats().free, 64, "nothing is bound before the first map");
    let map = pm.handle(
        a,
        Request::ContainerMap {
            container: src,
            rights: Rights::RWX,
            vaddr: 0x1000,
            index: 0x1000,
            size: 0x1000,
        },
    );
    assert!(matches!(map.result, Ok(Reply::Mapped { .. })));
    assert_eq!(
        map.effects
            .iter()
            .filter(|e| matches!(e, Effect::Zero(_)))
            .count(),
        1
    );
    let shared = handle(
        &mut pm,
        b,
        Request::ContainerShare {
            container: dst,
            with: a,
        },
    );
    let copy = pm.handle(
        a,
        Request::ContainerCopy {
            src,
            src_start: 0x1000,
            dest: shared,
            dest_start: 0,
            count: 0x1000,
            mode: CopyMode::CopyOnWrite,
            all_or_none: true,
        },
    );
    assert_eq!(copy.result, Ok(Reply::Amount(0x1000)));
    assert!(copy
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Revoke { rights, .. } if *rights == Rights::W)));
    let write = pm.handle(
        b,
        Request::ContainerMap {
            container: dst,
            rights: Rights::RWX,
            vaddr: 0x5000,
            index: 0,
            size: 0x1000,
        },
    );
    assert!(
        write
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Copy { .. })),
        "the write breaks the sharing"
    );
    pm.check_invariants().expect("invariants hold");
}
