//! The big property test of files paged at user level: random opens, shared and private
//! mappings, writes, reads, msyncs, munmaps, closes, evictions and memory pressure over
//! several tasks and files. After every step what each mapping reads and what the ramdisk
//! holds match a simple model, and physmem's invariants hold.

#[path = "files/world.rs"]
mod world;

use fs::{CachePolicy, FsConfig};
use libhurd_mm::Prot;
use proptest::prelude::*;
use std::collections::BTreeMap;
use world::{file, World};

const PAGE: u32 = 4096;
const TASKS: u32 = 3;
const FILES: usize = 2;
const PAGES: u32 = 3;

#[derive(Clone, Debug)]
enum Op {
    Map {
        t: u32,
        f: usize,
        shared: bool,
    },
    Write {
        t: u32,
        m: usize,
        p: u32,
        at: u16,
        b: u8,
    },
    Read {
        t: u32,
        m: usize,
        p: u32,
        at: u16,
    },
    Msync {
        t: u32,
        m: usize,
    },
    Munmap {
        t: u32,
        m: usize,
    },
    Close {
        t: u32,
        f: usize,
    },
    Evict(u32),
    ServerPressure(u32),
    TaskPressure(u32),
}

fn op() -> impl Strategy<Value = Op> {
    let t = 3..3 + TASKS;
    prop_oneof![
        2 => (t.clone(), 0..FILES, any::<bool>()).prop_map(|(t, f, shared)| Op::Map { t, f, shared }),
        6 => (t.clone(), 0usize..4, 0..PAGES, any::<u16>(), any::<u8>())
            .prop_map(|(t, m, p, at, b)| Op::Write { t, m, p, at, b }),
        6 => (t.clone(), 0usize..4, 0..PAGES, any::<u16>())
            .prop_map(|(t, m, p, at)| Op::Read { t, m, p, at }),
        1 => (t.clone(), 0usize..4).prop_map(|(t, m)| Op::Msync { t, m }),
        1 => (t.clone(), 0usize..4).prop_map(|(t, m)| Op::Munmap { t, m }),
        1 => (t.clone(), 0..FILES).prop_map(|(t, f)| Op::Close { t, f }),
        1 => (1u32..3).prop_map(Op::Evict),
        1 => (1u32..3).prop_map(Op::ServerPressure),
        1 => t.prop_map(Op::TaskPressure),
    ]
}

/// One mapping of the model: its start, file, and for a private one the pages it copied.
struct Mapping {
    start: u32,
    f: usize,
    shared: bool,
    private: BTreeMap<u32, Vec<u8>>,
}

struct Model {
    /// What shared mappings of each file read.
    files: Vec<Vec<u8>>,
    /// Each task's mappings, oldest first.
    maps: BTreeMap<u32, Vec<Mapping>>,
    /// Each task's open descriptors by file.
    fds: BTreeMap<(u32, usize), u32>,
}

impl Model {
    /// What byte `at` of page `p` of mapping `m` reads (copying a private page at first touch).
    fn byte(&mut self, t: u32, m: usize, p: u32, at: u32) -> &mut u8 {
        let files = &mut self.files;
        let map = &mut self.maps.get_mut(&t).unwrap()[m];
        let off = (p * PAGE + at) as usize;
        if map.shared {
            return &mut files[map.f][off];
        }
        let page = map
            .private
            .entry(p)
            .or_insert_with(|| files[map.f][(p * PAGE) as usize..][..PAGE as usize].to_vec());
        &mut page[at as usize]
    }
}

fn path(f: usize) -> String {
    format!("/f{f}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn every_mapping_and_the_disk_match_the_model(
        ops in proptest::collection::vec(op(), 1..60),
        extra in 0u32..3,
        task_frames in 2u32..5,
        fifo in any::<bool>(),
    ) {
        let files: Vec<_> = (0..FILES).map(|f| file(&path(f), PAGES, &format!("file {f}|"))).collect();
        let cfg = FsConfig {
            guaranteed: 2,
            extra,
            policy: if fifo { CachePolicy::Fifo } else { CachePolicy::Lru },
        };
        let mut w = World::new(160, 16, &files, &cfg, TASKS, task_frames).unwrap();
        let mut model = Model {
            files: (0..FILES).map(|f| w.disk(&path(f))).collect(),
            maps: BTreeMap::new(),
            fds: BTreeMap::new(),
        };
        for o in ops {
            match o {
                Op::Map { t, f, shared } => {
                    let fd = match model.fds.get(&(t, f)) {
                        Some(&fd) => fd,
                        None => {
                            let fd = w.with(t, |mm, env| mm.open_file(env, &path(f), true)).unwrap();
                            model.fds.insert((t, f), fd);
                            fd
                        }
                    };
                    let start = w.with(t, |mm, env| mm.mmap_file(env, None, PAGES * PAGE, Prot::RW, shared, fd, 0)).unwrap();
                    model.maps.entry(t).or_default().push(Mapping { start, f, shared, private: BTreeMap::new() });
                }
                Op::Write { t, m, p, at, b } => {
                    let Some(start) = model.maps.get(&t).and_then(|v| v.get(m)).map(|x| x.start) else { continue };
                    let at = u32::from(at) % PAGE;
                    w.write(t, start + p * PAGE + at, b).unwrap();
                    *model.byte(t, m, p, at) = b;
                }
                Op::Read { t, m, p, at } => {
                    let Some(start) = model.maps.get(&t).and_then(|v| v.get(m)).map(|x| x.start) else { continue };
                    let at = u32::from(at) % PAGE;
                    let got = w.read(t, start + p * PAGE + at).unwrap();
                    prop_assert_eq!(got, *model.byte(t, m, p, at));
                }
                Op::Msync { t, m } => {
                    let Some(map) = model.maps.get(&t).and_then(|v| v.get(m)) else { continue };
                    let (start, f, shared) = (map.start, map.f, map.shared);
                    w.with(t, |mm, env| mm.msync(env, start, PAGES * PAGE)).unwrap();
                    if shared {
                        prop_assert_eq!(&w.disk(&path(f)), &model.files[f], "disk after msync");
                    }
                }
                Op::Munmap { t, m } => {
                    let Some(v) = model.maps.get_mut(&t) else { continue };
                    if m >= v.len() { continue }
                    let map = v.remove(m);
                    w.with(t, |mm, env| mm.munmap(env, map.start, PAGES * PAGE)).unwrap();
                }
                Op::Close { t, f } => {
                    if let Some(fd) = model.fds.remove(&(t, f)) {
                        w.with(t, |mm, env| mm.close_file(env, fd)).unwrap();
                    }
                }
                Op::Evict(n) => {
                    let (fs, k) = w.server();
                    fs.evict(k, n).unwrap();
                }
                Op::ServerPressure(n) => {
                    let (fs, k) = w.server();
                    fs.return_frames(k, n);
                }
                Op::TaskPressure(t) => {
                    w.with(t, |mm, env| mm.return_frames(env, 1));
                    w.mms.get_mut(&t).unwrap().set_frame_limit(task_frames);
                }
            }
            prop_assert_eq!(w.k.pm.check_invariants(), Ok(()));
            // Every mapping reads as the model says at a fixed spot of every page.
            let spots: Vec<(u32, usize, u32)> = model.maps.iter()
                .flat_map(|(&t, v)| (0..v.len()).flat_map(move |m| (0..PAGES).map(move |p| (t, m, p))))
                .collect();
            for (t, m, p) in spots {
                let start = model.maps[&t][m].start;
                let got = w.read(t, start + p * PAGE + 5).unwrap();
                prop_assert_eq!(got, *model.byte(t, m, p, 5), "task {} mapping {} page {}", t, m, p);
            }
        }
        let (fs, k) = w.server();
        fs.sync_all(k).unwrap();
        for f in 0..FILES {
            prop_assert_eq!(&w.disk(&path(f)), &model.files[f]);
        }
    }
}
