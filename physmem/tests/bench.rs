//! Micro-benchmark of the server's hot paths. Run with
//! `cargo test -p physmem --release --test bench -- --ignored --nocapture`.
//! It prints numbers and asserts nothing about time (machines here are shared and noisy).

use std::time::Instant;

use physmem::{CopyMode, Handle, Pfn, Physmem, Reply, Request, Rights, TaskId, PAGE_SIZE};

const T: TaskId = TaskId(1);

fn setup(frames: u32) -> (Physmem, Handle) {
    let mut pm = Physmem::new((0..frames).map(Pfn));
    let control = pm.create_control(T, frames / 2).expect("guarantee");
    let Ok(Reply::Handle(c)) = pm.handle(T, Request::ContainerCreate { control }).result else {
        panic!("container")
    };
    (pm, c)
}

fn ok(pm: &mut Physmem, req: Request) -> Reply {
    match pm.handle(T, req).result {
        Ok(r) => r,
        Err(e) => panic!("bench request refused: {e}"),
    }
}

#[test]
#[ignore = "benchmark: run explicitly with --ignored --nocapture"]
fn throughput() {
    let (mut pm, c) = setup(4096);
    // One round: allocate 64 KiB (one 16-page frame), map it, deallocate it.
    let rounds = 20_000u32;
    let t0 = Instant::now();
    for i in 0..rounds {
        let start = (i % 16) * 0x10000;
        ok(
            &mut pm,
            Request::ContainerAllocate {
                container: c,
                start,
                size: 0x10000,
            },
        );
        ok(
            &mut pm,
            Request::ContainerMap {
                container: c,
                rights: Rights::RW,
                vaddr: start,
                index: start,
                size: 0x10000,
            },
        );
        ok(
            &mut pm,
            Request::ContainerDeallocate {
                container: c,
                start,
                size: 0x10000,
            },
        );
    }
    let dt = t0.elapsed();
    println!(
        "allocate+map+deallocate of a 16-page frame: {:.0} rounds/s ({:.2} us/round, {:.0} pages/s)",
        f64::from(rounds) / dt.as_secs_f64(),
        dt.as_secs_f64() * 1e6 / f64::from(rounds),
        f64::from(rounds * 16) / dt.as_secs_f64()
    );

    // Page-sized: allocate, map, deallocate one 4 KiB page.
    let t0 = Instant::now();
    for i in 0..rounds {
        let start = (i % 64) * PAGE_SIZE;
        ok(
            &mut pm,
            Request::ContainerAllocate {
                container: c,
                start,
                size: PAGE_SIZE,
            },
        );
        ok(
            &mut pm,
            Request::ContainerMap {
                container: c,
                rights: Rights::RW,
                vaddr: start,
                index: start,
                size: PAGE_SIZE,
            },
        );
        ok(
            &mut pm,
            Request::ContainerDeallocate {
                container: c,
                start,
                size: PAGE_SIZE,
            },
        );
    }
    let dt = t0.elapsed();
    println!(
        "allocate+map+deallocate of one page: {:.0} rounds/s ({:.2} us/round)",
        f64::from(rounds) / dt.as_secs_f64(),
        dt.as_secs_f64() * 1e6 / f64::from(rounds)
    );

    // COW: copy one bound page, then a write fault breaks it; repeat.
    let (mut pm, a) = setup(4096);
    let control = pm.create_control(T, 16).expect("guarantee");
    let Ok(Reply::Handle(b)) = pm.handle(T, Request::ContainerCreate { control }).result else {
        panic!()
    };
    ok(
        &mut pm,
        Request::ContainerAllocate {
            container: a,
            start: 0,
            size: PAGE_SIZE,
        },
    );
    ok(
        &mut pm,
        Request::ContainerMap {
            container: a,
            rights: Rights::RW,
            vaddr: 0,
            index: 0,
            size: PAGE_SIZE,
        },
    );
    let copy = Request::ContainerCopy {
        src: a,
        src_start: 0,
        dest: b,
        dest_start: 0,
        count: PAGE_SIZE,
        mode: CopyMode::CopyOnWrite,
        all_or_none: true,
    };
    let write_fault = Request::ContainerMap {
        container: b,
        rights: Rights::RW,
        vaddr: 0x100000,
        index: 0,
        size: PAGE_SIZE,
    };
    let (mut copy_time, mut break_time) = (0.0, 0.0);
    for _ in 0..rounds {
        let t0 = Instant::now();
        ok(&mut pm, copy.clone());
        let t1 = Instant::now();
        ok(&mut pm, write_fault.clone());
        let t2 = Instant::now();
        copy_time += (t1 - t0).as_secs_f64();
        break_time += (t2 - t1).as_secs_f64();
    }
    println!(
        "COW copy of one page: {:.2} us; COW break (write fault -> private copy): {:.2} us",
        copy_time * 1e6 / f64::from(rounds),
        break_time * 1e6 / f64::from(rounds)
    );
    pm.check_invariants()
        .expect("consistent after the benchmark");
}
