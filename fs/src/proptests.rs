//! The file server against a simple model: random writes and reads through shared and private
//! mappings of several tasks, syncs, evictions and memory pressure. After every step each
//! mapping reads what the model says, physmem's invariants hold, and after a sync the disk
//! holds the file.

use crate::disk::FileSpec;
use crate::env::FsEnv;
use crate::ramdisk::Ramdisk;
use crate::server::{FileServer, FsConfig, Opened};
use crate::testkit::{Harness, CLIENTS, DISK, SERVER};
use crate::{CachePolicy, FsError};
use physmem::{CopyMode, Handle, Request, Rights, TaskId, PAGE_SIZE};
use proptest::prelude::*;
use std::collections::BTreeMap;

const FILES: usize = 2;
const PAGES: u32 = 3;
/// Where client mappings go: file f, page p at SHARED + f * 0x10000 + p * PAGE_SIZE.
const SHARED: u32 = 0x40_0000;
const PRIVATE: u32 = 0x80_0000;

fn va(base: u32, file: usize, page: u32) -> u32 {
    base + file as u32 * 0x10000 + page * PAGE_SIZE
}

/// A client pager's side of a file mapping, as libhurd-mm does it.
struct Client {
    task: TaskId,
    opened: Vec<Opened>,
    container: Handle,
}

/// Serve a fault of `client` on page `page` of `file`: map the cached frame (shared) or a
/// copy-on-write copy in the client's own container (private).
fn fault(
    h: &mut Harness,
    fs: &mut FileServer,
    c: &Client,
    file: usize,
    page: u32,
    write: bool,
    private: bool,
) -> Result<(), FsError> {
    let o = c.opened[file];
    if !private {
        let g = fs.page(h, c.task, o.open, page * PAGE_SIZE, write)?;
        let rights = if g.writable { Rights::RW } else { Rights::R };
        h.map(c.task, o.container, va(SHARED, file, page), g.cache, rights)
            .map_err(|e| FsError::NoFrame(e.to_string()))?;
        return Ok(());
    }
    let mine = file as u32 * 0x10000 + page * PAGE_SIZE;
    if h.pm.frame_at(c.task, c.container, mine).is_none() {
        let g = fs.page(h, c.task, o.open, page * PAGE_SIZE, false)?;
        let copy = Request::ContainerCopy {
            src: o.container,
            src_start: g.cache,
            dest: c.container,
            dest_start: mine,
            count: PAGE_SIZE,
            mode: CopyMode::CopyOnWrite,
            all_or_none: true,
        };
        h.physmem(c.task, copy)
            .map_err(|e| FsError::NoFrame(e.to_string()))?;
    }
    let rights = if write { Rights::RW } else { Rights::R };
    h.map(c.task, c.container, va(PRIVATE, file, page), mine, rights)
        .map_err(|e| FsError::NoFrame(e.to_string()))?;
    Ok(())
}

#[derive(Clone, Debug)]
enum Op {
    Write {
        c: usize,
        f: usize,
        p: u32,
        at: u16,
        b: u8,
        private: bool,
    },
    Read {
        c: usize,
        f: usize,
        p: u32,
        at: u16,
        private: bool,
    },
    Sync(usize),
    Evict(u32),
    Pressure(u32),
    Unmap {
        c: usize,
        f: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let cfp = (0..CLIENTS.len(), 0..FILES, 0..PAGES, any::<u16>());
    prop_oneof![
        5 => (cfp.clone(), any::<u8>(), any::<bool>())
            .prop_map(|((c, f, p, at), b, private)| Op::Write { c, f, p, at, b, private }),
        5 => (cfp, any::<bool>())
            .prop_map(|((c, f, p, at), private)| Op::Read { c, f, p, at, private }),
        1 => (0..FILES).prop_map(Op::Sync),
        1 => (1u32..3).prop_map(Op::Evict),
        1 => (1u32..3).prop_map(Op::Pressure),
        1 => (0..CLIENTS.len(), 0..FILES).prop_map(|(c, f)| Op::Unmap { c, f }),
    ]
}

fn boot(extra: u32, policy: CachePolicy) -> (Harness, FileServer, Vec<Client>) {
    let mut h = Harness::new(96);
    let files: Vec<FileSpec> = (0..FILES)
        .map(|f| FileSpec {
            path: format!("/f{f}"),
            size: PAGES * PAGE_SIZE,
            content: format!("file {f} ").into_bytes(),
        })
        .collect();
    let disk = Ramdisk::new(DISK, 16).unwrap();
    let cfg = FsConfig {
        guaranteed: 2,
        extra,
        policy,
    };
    let control = h.controls[&SERVER];
    let mut fs = FileServer::boot(&mut h, SERVER, control, disk, &files, &cfg).unwrap();
    let clients = CLIENTS
        .iter()
        .map(|&task| {
            let opened = (0..FILES)
                .map(|f| fs.open(&mut h, task, &format!("/f{f}"), true).unwrap())
                .collect();
            let container = h.container(task);
            Client {
                task,
                opened,
                container,
            }
        })
        .collect();
    (h, fs, clients)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn mappings_and_disk_match_the_model(
        ops in proptest::collection::vec(op(), 1..70),
        extra in 0u32..4,
        fifo in any::<bool>(),
    ) {
        let policy = if fifo { CachePolicy::Fifo } else { CachePolicy::Lru };
        let (mut h, mut fs, clients) = boot(extra, policy);
        let mut file: Vec<Vec<u8>> = (0..FILES).map(|f| fs.contents(&format!("/f{f}")).unwrap()).collect();
        // A private page: copied from the file at its first touch, then the client's own.
        let mut private: BTreeMap<(usize, usize, u32), Vec<u8>> = BTreeMap::new();
        for o in ops {
            match o {
                Op::Write { c, f, p, at, b, private: priv_ } => {
                    let at = u32::from(at) % PAGE_SIZE;
                    let base = if priv_ { PRIVATE } else { SHARED };
                    let a = va(base, f, p) + at;
                    if !h.store(clients[c].task, a, b) {
                        fault(&mut h, &mut fs, &clients[c], f, p, true, priv_).unwrap();
                        prop_assert!(h.store(clients[c].task, a, b), "store after fault");
                    }
                    if priv_ {
                        let pg = private.entry((c, f, p)).or_insert_with(|| {
                            file[f][(p * PAGE_SIZE) as usize..][..PAGE_SIZE as usize].to_vec()
                        });
                        pg[at as usize] = b;
                    } else {
                        file[f][(p * PAGE_SIZE + at) as usize] = b;
                    }
                }
                Op::Read { c, f, p, at, private: priv_ } => {
                    let at = u32::from(at) % PAGE_SIZE;
                    let base = if priv_ { PRIVATE } else { SHARED };
                    let a = va(base, f, p) + at;
                    let got = match h.load(clients[c].task, a) {
                        Some(b) => b,
                        None => {
                            fault(&mut h, &mut fs, &clients[c], f, p, false, priv_).unwrap();
                            h.load(clients[c].task, a).unwrap()
                        }
                    };
                    let want = if priv_ {
                        private.entry((c, f, p)).or_insert_with(|| {
                            file[f][(p * PAGE_SIZE) as usize..][..PAGE_SIZE as usize].to_vec()
                        })[at as usize]
                    } else {
                        file[f][(p * PAGE_SIZE + at) as usize]
                    };
                    prop_assert_eq!(got, want, "read {:#x}", a);
                }
                Op::Sync(f) => {
                    for c in &clients {
                        fs.sync(&mut h, c.task, c.opened[f].open, 0, u32::MAX).unwrap();
                    }
                    prop_assert_eq!(&fs.contents(&format!("/f{f}")).unwrap(), &file[f]);
                }
                Op::Evict(n) => { fs.evict(&mut h, n).unwrap(); }
                Op::Pressure(n) => { fs.return_frames(&mut h, n); }
                Op::Unmap { c, f } => {
                    for p in 0..PAGES {
                        h.unmap(clients[c].task, va(SHARED, f, p));
                    }
                }
            }
            prop_assert_eq!(h.pm.check_invariants(), Ok(()));
            prop_assert!(fs.stats().cached <= 2 + extra);
        }
        fs.sync_all(&mut h).unwrap();
        for (f, want) in file.iter().enumerate() {
            prop_assert_eq!(&fs.contents(&format!("/f{f}")).unwrap(), want);
        }
    }
}
