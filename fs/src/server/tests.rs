//! Tests of the file server: shared mappings, write-back, eviction, pressure and refusals.

use super::*;
use crate::env::FsEvent;
use crate::testkit::{Harness, CLIENTS, DISK, SERVER};
use crate::FsError;
use physmem::{Rights, PAGE_SIZE};

const A: TaskId = CLIENTS[0];
const B: TaskId = CLIENTS[1];

fn boot(limit: u32) -> (Harness, FileServer) {
    let mut h = Harness::new(64);
    let files = [
        FileSpec {
            path: "/data/table".into(),
            size: 3 * PAGE_SIZE,
            content: b"row ".to_vec(),
        },
        FileSpec {
            path: "/small".into(),
            size: 100,
            content: Vec::new(),
        },
    ];
    let disk = Ramdisk::new(DISK, 8).unwrap();
    let cfg = FsConfig {
        guaranteed: limit,
        extra: 0,
        policy: CachePolicy::Lru,
    };
    let control = h.controls[&SERVER];
    let fs = FileServer::boot(&mut h, SERVER, control, disk, &files, &cfg).unwrap();
    (h, fs)
}

/// Map the page at `offset` of an open file at `va` for `client`, as its pager would.
fn map_shared(
    h: &mut Harness,
    fs: &mut FileServer,
    client: TaskId,
    o: Opened,
    offset: u32,
    va: u32,
    write: bool,
) {
    let g = fs.page(h, client, o.open, offset, write).unwrap();
    let rights = if g.writable { Rights::RW } else { Rights::R };
    h.map(client, o.container, va, g.cache, rights).unwrap();
}

#[test]
fn a_write_through_a_shared_mapping_is_seen_at_once_and_reaches_the_disk_on_sync() {
    let (mut h, mut fs) = boot(4);
    let oa = fs.open(&mut h, A, "/data/table", true).unwrap();
    let ob = fs.open(&mut h, B, "/data/table", false).unwrap();
    assert_eq!(oa.size, 3 * PAGE_SIZE);
    map_shared(&mut h, &mut fs, A, oa, 0, 0x4000, false);
    map_shared(&mut h, &mut fs, B, ob, 0, 0x8000, false);
    assert_eq!(h.load(B, 0x8001), Some(b'o'));
    // The page came write-locked: the write faults, the pager asks to unlock it.
    assert!(!h.store(A, 0x4001, b'X'));
    map_shared(&mut h, &mut fs, A, oa, 0, 0x4000, true);
    assert!(h.store(A, 0x4001, b'X'));
    assert_eq!(h.load(B, 0x8001), Some(b'X'), "one frame, seen by both");
    assert_eq!(fs.stats().cache.misses, 1);
    assert_eq!(fs.stats().cache.hits, 2);
    assert_eq!(
        fs.contents("/data/table").unwrap()[1],
        b'o',
        "not on the disk yet"
    );
    assert_eq!(fs.sync(&mut h, A, oa.open, 0, u32::MAX), Ok(1));
    assert_eq!(fs.contents("/data/table").unwrap()[1], b'X');
    // Synced, the page is write-locked again: the next write faults once more.
    assert!(!h.store(A, 0x4002, b'Y'));
    assert_eq!(fs.stats().disk.blocks_written, 1);
}

#[test]
fn eviction_writes_back_and_unmaps_everywhere() {
    let (mut h, mut fs) = boot(1);
    let o = fs.open(&mut h, A, "/data/table", true).unwrap();
    map_shared(&mut h, &mut fs, A, o, 0, 0x4000, true);
    assert!(h.store(A, 0x4000, b'Z'));
    // A second page with a cache of one frame evicts the first.
    map_shared(&mut h, &mut fs, A, o, PAGE_SIZE, 0x5000, false);
    assert_eq!(h.load(A, 0x4000), None, "evicted page's mapping is gone");
    assert_eq!(fs.contents("/data/table").unwrap()[0], b'Z');
    assert_eq!(fs.stats().cache.written_back, 1);
    assert_eq!(fs.stats().cache.evicted, 1);
    assert!(h
        .events
        .iter()
        .any(|e| matches!(e, FsEvent::Evict { offset: 0, .. })));
    assert_eq!(h.pm.check_invariants(), Ok(()));
}

#[test]
fn pressure_returns_frames_and_loses_nothing() {
    let (mut h, mut fs) = boot(3);
    let o = fs.open(&mut h, A, "/data/table", true).unwrap();
    for p in 0..3 {
        map_shared(
            &mut h,
            &mut fs,
            A,
            o,
            p * PAGE_SIZE,
            0x4000 + p * PAGE_SIZE,
            true,
        );
        assert!(h.store(A, 0x4000 + p * PAGE_SIZE, b'0' + p as u8));
    }
    assert_eq!(fs.return_frames(&mut h, 2), 2);
    assert_eq!(fs.stats().cached, 1);
    let disk = fs.contents("/data/table").unwrap();
    assert_eq!(
        (disk[0], disk[4096]),
        (b'0', b'1'),
        "the two oldest were written back"
    );
    fs.sync_all(&mut h).unwrap();
    assert_eq!(fs.contents("/data/table").unwrap()[8192], b'2');
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    let (mut h, mut fs) = boot(2);
    assert_eq!(
        fs.open(&mut h, A, "/nope", false),
        Err(FsError::NotFound("/nope".into()))
    );
    let o = fs.open(&mut h, A, "/small", false).unwrap();
    let e = fs.page(&mut h, A, o.open, 0, true).unwrap_err();
    assert_eq!(
        e.to_string(),
        "file \"/small\" was opened read-only: writing to it is not allowed"
    );
    let e = fs.page(&mut h, A, o.open, PAGE_SIZE, false).unwrap_err();
    assert_eq!(e.errno(), crate::EFAULT);
    assert!(
        e.to_string()
            .contains("past the end of file \"/small\" (100 bytes)"),
        "{e}"
    );
    assert_eq!(
        fs.page(&mut h, A, o.open, 12, false),
        Err(FsError::Unaligned(12))
    );
    assert_eq!(
        fs.page(&mut h, B, o.open, 0, false),
        Err(FsError::BadOpen(o.open.0)),
        "not B's"
    );
    assert_eq!(fs.size(A, o.open), Ok(100));
    fs.close(A, o.open).unwrap();
    assert_eq!(fs.close(A, o.open), Err(FsError::BadOpen(o.open.0)));
    assert_eq!(fs.size(A, o.open), Err(FsError::BadOpen(o.open.0)));
    assert_eq!(
        fs.stats().cache.misses,
        0,
        "nothing refused touched the cache"
    );
}

#[test]
fn bytes_written_past_the_end_in_the_last_page_never_reach_the_file() {
    let (mut h, mut fs) = boot(2);
    let o = fs.open(&mut h, A, "/small", true).unwrap();
    map_shared(&mut h, &mut fs, A, o, 0, 0x4000, true);
    assert!(h.store(A, 0x4000 + 99, 7));
    assert!(h.store(A, 0x4000 + 100, 9));
    fs.sync_all(&mut h).unwrap();
    let c = fs.contents("/small").unwrap();
    assert_eq!((c.len(), c[99]), (100, 7));
    assert_eq!(fs.ramdisk().block(3).unwrap()[100], 0);
}
