//! Files paged at user level, end to end without x86: each task's libhurd-mm maps files of
//! the file server (shared and private), the server pages them with its libpager-style
//! library from the ramdisk, and physmem holds every frame.

#[path = "files/world.rs"]
mod world;

use fs::{CachePolicy, FsConfig, FsError};
use libhurd_mm::{MmError, PagerEvent, Prot, EACCES, EBADF, EINVAL, ENOENT};
use world::{file, World};

const PAGE: u32 = 4096;
const A: u32 = 3;
const B: u32 = 4;

fn cfg(guaranteed: u32, extra: u32) -> FsConfig {
    FsConfig {
        guaranteed,
        extra,
        policy: CachePolicy::Lru,
    }
}

fn world(files: &[fs::FileSpec], cache: u32) -> World {
    World::new(128, 32, files, &cfg(cache, 0), 2, 8).unwrap()
}

/// Open `path` and map all of it in task `t`; returns (fd, start).
fn map(w: &mut World, t: u32, path: &str, write: bool, prot: Prot, shared: bool) -> (u32, u32) {
    w.with(t, |mm, env| {
        let fd = mm.open_file(env, path, write).unwrap();
        let len = mm.file_size(fd).unwrap();
        let a = mm.mmap_file(env, None, len, prot, shared, fd, 0).unwrap();
        (fd, a)
    })
}

#[test]
fn a_write_through_a_shared_mapping_is_seen_by_the_reader_at_once_and_msync_puts_it_on_the_disk() {
    let mut w = world(&[file("/data/table", 4, "row ")], 4);
    let (_, wa) = map(&mut w, A, "/data/table", true, Prot::RW, true);
    let (_, ra) = map(&mut w, B, "/data/table", false, Prot::R, true);
    assert_eq!(w.read(B, ra + 4), Ok(b'r'));
    w.write(A, wa + 4, b'R').unwrap();
    assert_eq!(w.read(B, ra + 4), Ok(b'R'), "one frame for both tasks");
    assert_eq!(
        w.disk("/data/table")[4],
        b'r',
        "not on the disk before msync"
    );
    w.with(A, |mm, env| mm.msync(env, wa, PAGE)).unwrap();
    assert_eq!(w.disk("/data/table")[4], b'R');
    // The reader's mapping is read-only: writing through it is refused with a reason.
    let e = w.write(B, ra, b'x').unwrap_err();
    assert!(
        e.reason.starts_with("write to read-only region"),
        "{}",
        e.reason
    );
    // The shared pages are the server's frames, not the tasks'.
    assert_eq!(w.mms[&A].frames_held(), 0);
    let st = w.fs.as_ref().unwrap().stats();
    assert_eq!(
        (st.cache.misses, st.cache.written_back, st.disk.blocks_read),
        (1, 1, 1)
    );
    assert!(w.k.pager_events.iter().any(|(t, e)| *t == A
        && matches!(
            e,
            PagerEvent::FilePage {
                shared: true,
                writable: true,
                ..
            }
        )));
}

#[test]
fn a_private_mapping_is_modified_and_discarded_without_touching_the_file() {
    let mut w = world(&[file("/cfg", 2, "abc")], 4);
    let (_, pa) = map(&mut w, A, "/cfg", false, Prot::RW, false);
    let (_, sa) = map(&mut w, B, "/cfg", true, Prot::RW, true);
    assert_eq!(w.read(A, pa), Ok(b'a'));
    w.write(A, pa, b'Z').unwrap();
    assert_eq!(w.read(A, pa), Ok(b'Z'));
    assert_eq!(
        w.read(B, sa),
        Ok(b'a'),
        "the other task's shared mapping never sees it"
    );
    // A shared write after the private copy is not seen by the private mapping either.
    w.write(B, sa + 1, b'Q').unwrap();
    assert_eq!(w.read(A, pa + 1), Ok(b'b'));
    w.with(A, |mm, env| mm.munmap(env, pa, 2 * PAGE)).unwrap();
    w.with(B, |mm, env| mm.msync(env, sa, 2 * PAGE)).unwrap();
    assert_eq!(&w.disk("/cfg")[..3], b"aQc");
    assert_eq!(
        w.mms[&A].frames_held(),
        0,
        "the private copy's frame went back"
    );
    assert_eq!(w.k.pm.check_invariants(), Ok(()));
}

#[test]
fn a_scan_of_a_file_larger_than_the_cache_evicts_and_writes_back_and_loses_nothing() {
    let mut w = world(&[file("/big", 12, "0123456789")], 3);
    let (_, a) = map(&mut w, A, "/big", true, Prot::RW, true);
    for p in 0..12 {
        w.write(A, a + p * PAGE, b'A' + p as u8).unwrap();
    }
    for p in 0..12 {
        assert_eq!(w.read(A, a + p * PAGE), Ok(b'A' + p as u8));
        assert_eq!(
            w.read(A, a + p * PAGE + 1),
            Ok(b"0123456789"[((p * PAGE + 1) % 10) as usize])
        );
    }
    let st = w.fs.as_ref().unwrap().stats();
    assert_eq!(st.cached, 3);
    assert!(
        st.cache.evicted >= 9 && st.cache.written_back >= 9,
        "{st:?}"
    );
    let (fs, k) = w.server();
    fs.sync_all(k).unwrap();
    let disk = w.disk("/big");
    for p in 0..12 {
        assert_eq!(disk[(p * PAGE) as usize], b'A' + p as u8);
    }
}

#[test]
fn memory_pressure_on_the_file_server_writes_back_and_the_tasks_fault_again() {
    let mut w = world(&[file("/f", 4, "")], 4);
    let (_, a) = map(&mut w, A, "/f", true, Prot::RW, true);
    for p in 0..4 {
        w.write(A, a + p * PAGE, 7 + p as u8).unwrap();
    }
    let (fs, k) = w.server();
    assert_eq!(fs.return_frames(k, 3), 3);
    assert_eq!(w.disk("/f")[0], 7);
    for p in 0..4 {
        assert_eq!(w.read(A, a + p * PAGE), Ok(7 + p as u8));
    }
}

#[test]
fn close_and_munmap_lose_nothing() {
    let mut w = world(&[file("/f", 1, "")], 2);
    let (fd, a) = map(&mut w, A, "/f", true, Prot::RW, true);
    w.with(A, |mm, env| mm.close_file(env, fd)).unwrap();
    w.write(A, a + 9, 99).unwrap();
    assert_eq!(w.with(A, |mm, _| mm.file_size(fd)), Err(MmError::BadFd(fd)));
    w.with(A, |mm, env| mm.munmap(env, a, PAGE)).unwrap();
    let (fs, k) = w.server();
    fs.sync_all(k).unwrap();
    assert_eq!(w.disk("/f")[9], 99);
    // The last mapping of a closed file gone, the server forgot the open.
    let server = w.fs.as_ref().unwrap();
    assert_eq!(
        server.size(physmem::TaskId(A), fs::OpenId(1)),
        Err(FsError::BadOpen(1))
    );
}

#[test]
fn bad_calls_get_a_negative_errno_and_change_nothing() {
    let mut w = world(&[file("/f", 1, ""), file("/g", 2, "")], 2);
    let errno = |r: Result<u32, MmError>| r.map_err(|e| e.errno());
    let (fd, a) = map(&mut w, A, "/g", false, Prot::R, true);
    w.with(A, |mm, env| {
        assert_eq!(errno(mm.open_file(env, "/nope", false)), Err(ENOENT));
        assert_eq!(
            errno(mm.mmap_file(env, None, PAGE, Prot::RW, true, fd, 0)),
            Err(EACCES)
        );
        assert_eq!(
            errno(mm.mmap_file(env, None, PAGE, Prot::R, true, 77, 0)),
            Err(EBADF)
        );
        assert_eq!(
            errno(mm.mmap_file(env, None, PAGE, Prot::R, true, fd, 12)),
            Err(EINVAL)
        );
        assert_eq!(
            errno(mm.mmap_file(env, None, 0, Prot::R, true, fd, 0)),
            Err(EINVAL)
        );
        assert_eq!(
            errno(mm.mmap_file(env, None, u32::MAX, Prot::R, true, fd, 0)),
            Err(EINVAL)
        );
        assert_eq!(
            errno(mm.mmap_file(env, Some(a), PAGE, Prot::R, true, fd, 0)),
            Err(libhurd_mm::EEXIST)
        );
        // A private writable mapping of a read-only open is fine: its writes are its own.
        assert!(mm
            .mmap_file(env, None, PAGE, Prot::RW, false, fd, 0)
            .is_ok());
        assert_eq!(mm.close_file(env, 77), Err(MmError::BadFd(77)));
    });
    // Past the end of the file: a SIGBUS with a reason, for shared and private mappings.
    let big = w
        .with(A, |mm, env| {
            mm.mmap_file(env, None, 4 * PAGE, Prot::R, true, fd, 0)
        })
        .unwrap();
    let e = w.read(A, big + 2 * PAGE).unwrap_err();
    assert!(
        e.reason.contains("past the end of file \"/g\"") && e.reason.contains("SIGBUS"),
        "{}",
        e.reason
    );
    assert_eq!(w.read(A, big + PAGE), Ok(0));
    assert_eq!(w.k.pm.check_invariants(), Ok(()));
}

#[test]
fn duplicate_paths_and_a_file_bigger_than_the_disk_are_refused() {
    let files = [file("/a", 1, ""), file("/a", 1, "")];
    assert!(matches!(
        World::new(64, 8, &files, &cfg(2, 0), 1, 4),
        Err(FsError::DuplicatePath(_))
    ));
    let e = World::new(64, 8, &[file("/huge", 9, "")], &cfg(2, 0), 1, 4)
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "file \"/huge\" needs 9 blocks of 4 KiB but only 8 of the disk's 8 are free"
    );
}
