//! Property tests: long random sequences of requests by several tasks, checking the
//! server's invariants and a model of the mappings the kernel would hold after every step.

use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::testkit::boot;
use crate::*;

/// One step of a random run. Indices pick among what the task holds at that moment.
#[derive(Clone, Debug)]
enum Op {
    CreateContainer {
        task: u8,
        ctl: u8,
    },
    Allocate {
        task: u8,
        c: u8,
        start: u8,
        pages: u8,
    },
    Deallocate {
        task: u8,
        c: u8,
        start: u8,
        pages: u8,
    },
    Map {
        task: u8,
        c: u8,
        write: bool,
        vpage: u8,
        index: u8,
        pages: u8,
    },
    Copy {
        task: u8,
        src: u8,
        dest: u8,
        s: u8,
        d: u8,
        pages: u8,
        shared: bool,
        aon: bool,
    },
    Share {
        task: u8,
        c: u8,
        with: u8,
    },
    Split {
        task: u8,
        ctl: u8,
        frames: u8,
        to: u8,
    },
    Destroy {
        task: u8,
        ctl: u8,
    },
    Comply {
        task: u8,
    },
    Tick {
        dt: u16,
    },
    Forge {
        task: u8,
        pick: u16,
        kind: u8,
    },
    Kill {
        task: u8,
    },
    CreateControl {
        task: u8,
        guaranteed: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let t = 0u8..4;
    prop_oneof![
        4 => (t.clone(), any::<u8>()).prop_map(|(task, ctl)| Op::CreateContainer { task, ctl }),
        20 => (t.clone(), any::<u8>(), 0u8..48, 1u8..20).prop_map(|(task, c, start, pages)| Op::Allocate { task, c, start, pages }),
        8 => (t.clone(), any::<u8>(), 0u8..48, 1u8..8).prop_map(|(task, c, start, pages)| Op::Deallocate { task, c, start, pages }),
        30 => (t.clone(), any::<u8>(), any::<bool>(), any::<u8>(), 0u8..48, 1u8..12)
            .prop_map(|(task, c, write, vpage, index, pages)| Op::Map { task, c, write, vpage, index, pages }),
        12 => (t.clone(), any::<u8>(), any::<u8>(), 0u8..48, 0u8..48, 1u8..8, any::<bool>(), any::<bool>())
            .prop_map(|(task, src, dest, s, d, pages, shared, aon)| Op::Copy { task, src, dest, s, d, pages, shared, aon }),
        4 => (t.clone(), any::<u8>(), t.clone()).prop_map(|(task, c, with)| Op::Share { task, c, with }),
        2 => (t.clone(), any::<u8>(), 0u8..8, t.clone()).prop_map(|(task, ctl, frames, to)| Op::Split { task, ctl, frames, to }),
        1 => (t.clone(), any::<u8>()).prop_map(|(task, ctl)| Op::Destroy { task, ctl }),
        4 => t.clone().prop_map(|task| Op::Comply { task }),
        6 => (0u16..2000).prop_map(|dt| Op::Tick { dt }),
        5 => (t.clone(), any::<u16>(), 0u8..6).prop_map(|(task, pick, kind)| Op::Forge { task, pick, kind }),
        1 => t.clone().prop_map(|task| Op::Kill { task }),
        2 => (t, 0u8..40).prop_map(|(task, guaranteed)| Op::CreateControl { task, guaranteed }),
    ]
}

/// What the test knows: handles it saw handed to each task, and the kernel's mappings.
#[derive(Default)]
struct Model {
    /// Every handle seen, with the task it was given to and whether it names a container.
    handles: Vec<(Handle, TaskId, bool)>,
    /// (task, virtual page) -> (frame, rights), as the kernel would hold them.
    mappings: BTreeMap<(TaskId, u32), (u32, Rights)>,
    now: u64,
    /// Outcome counts, printed with PHYSMEM_PROP_DEBUG set.
    tally: BTreeMap<String, u32>,
}

impl Model {
    fn held(&self, task: TaskId, container: bool) -> Vec<Handle> {
        self.handles
            .iter()
            .filter(|h| h.1 == task && h.2 == container)
            .map(|h| h.0)
            .collect()
    }

    fn pick(&self, task: TaskId, container: bool, i: u8) -> Option<Handle> {
        let held = self.held(task, container);
        (!held.is_empty()).then(|| held[usize::from(i) % held.len()])
    }

    /// Apply effects the way core would.
    fn apply(&mut self, fx: &[Effect]) {
        for e in fx {
            if let Effect::Revoke { pfn, rights } = e {
                for m in self.mappings.values_mut().filter(|m| m.0 == pfn.0) {
                    m.1 = m.1.without(*rights);
                }
                self.mappings.retain(|_, m| m.1 != Rights(0));
            }
        }
    }
}

fn task(t: u8) -> TaskId {
    TaskId(u32::from(t) + 1)
}

fn page(p: u8) -> u32 {
    u32::from(p) * PAGE_SIZE
}

/// Container offsets start 32 pages below 4 MiB, where a container's slot table goes from
/// one leaf to the next, so ranges cross it (128 KiB aligned: frames are cut as at 0).
const BASE: u32 = 0x40_0000 - 32 * PAGE_SIZE;

/// The container offset of page `p` of the range the runs use.
fn offset(p: u8) -> u32 {
    BASE + page(p)
}

/// Run one step; returns the request sent (if any) with its response.
fn step(pm: &mut Physmem, m: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let before = pm.clone();
    let (caller, req) = match *op {
        Op::CreateContainer { task: t, ctl } => {
            let Some(control) = m.pick(task(t), false, ctl) else {
                return Ok(());
            };
            (task(t), Request::ContainerCreate { control })
        }
        Op::Allocate {
            task: t,
            c,
            start,
            pages,
        } => {
            let Some(container) = m.pick(task(t), true, c) else {
                return Ok(());
            };
            (
                task(t),
                Request::ContainerAllocate {
                    container,
                    start: offset(start),
                    size: page(pages),
                },
            )
        }
        Op::Deallocate {
            task: t,
            c,
            start,
            pages,
        } => {
            let Some(container) = m.pick(task(t), true, c) else {
                return Ok(());
            };
            let start = aim(pm, task(t), container, start);
            let pages = clip(pm, task(t), container, start, pages);
            (
                task(t),
                Request::ContainerDeallocate {
                    container,
                    start: offset(start),
                    size: page(pages),
                },
            )
        }
        Op::Map {
            task: t,
            c,
            write,
            vpage,
            index,
            pages,
        } => {
            let Some(container) = m.pick(task(t), true, c) else {
                return Ok(());
            };
            let index = aim(pm, task(t), container, index);
            let pages = clip(pm, task(t), container, index, pages);
            let rights = if write { Rights::RW } else { Rights::R };
            (
                task(t),
                Request::ContainerMap {
                    container,
                    rights,
                    vaddr: page(vpage),
                    index: offset(index),
                    size: page(pages),
                },
            )
        }
        Op::Copy {
            task: t,
            src,
            dest,
            s,
            d,
            pages,
            shared,
            aon,
        } => {
            let (Some(src), Some(dest)) = (m.pick(task(t), true, src), m.pick(task(t), true, dest))
            else {
                return Ok(());
            };
            let s = aim(pm, task(t), src, s);
            let pages = clip(pm, task(t), src, s, pages);
            let mode = if shared {
                CopyMode::Shared
            } else {
                CopyMode::CopyOnWrite
            };
            let count = page(pages);
            (
                task(t),
                Request::ContainerCopy {
                    src,
                    src_start: offset(s),
                    dest,
                    dest_start: offset(d),
                    count,
                    mode,
                    all_or_none: aon,
                },
            )
        }
        Op::Share { task: t, c, with } => {
            let Some(container) = m.pick(task(t), true, c) else {
                return Ok(());
            };
            (
                task(t),
                Request::ContainerShare {
                    container,
                    with: task(with),
                },
            )
        }
        Op::Split {
            task: t,
            ctl,
            frames,
            to,
        } => {
            let Some(control) = m.pick(task(t), false, ctl) else {
                return Ok(());
            };
            (
                task(t),
                Request::ControlSplit {
                    control,
                    frames: u32::from(frames),
                    to: task(to),
                },
            )
        }
        Op::Destroy { task: t, ctl } => {
            let Some(control) = m.pick(task(t), false, ctl) else {
                return Ok(());
            };
            (task(t), Request::ControlDestroy { control })
        }
        Op::Comply { task: t } => return comply(pm, m, task(t)),
        Op::Tick { dt } => return tick(pm, m, u64::from(dt)),
        Op::Forge {
            task: t,
            pick,
            kind,
        } => return forge(pm, m, task(t), pick, kind),
        Op::Kill { task: t } => {
            let fx = pm.kill(task(t));
            m.apply(&fx);
            m.mappings.retain(|k, _| k.0 != task(t));
            m.handles.retain(|h| h.1 != task(t));
            return check(pm, m);
        }
        Op::CreateControl {
            task: t,
            guaranteed,
        } => {
            if let Ok(h) = pm.create_control(task(t), u32::from(guaranteed)) {
                m.handles.push((h, task(t), false));
            }
            return check(pm, m);
        }
    };
    let resp = pm.handle(caller, req.clone());
    if std::env::var("PHYSMEM_PROP_DEBUG").is_ok() {
        let tag = match &resp.result {
            Ok(_) => format!("ok{}", req.label()),
            Err(e) => format!("{e:?}")
                .split(['(', ' ', '{'])
                .next()
                .unwrap_or("")
                .to_string(),
        };
        *m.tally.entry(tag).or_default() += 1;
        for e in &resp.effects {
            *m.tally
                .entry(
                    format!("{e:?}")
                        .split(['(', ' ', '{'])
                        .next()
                        .unwrap_or("")
                        .to_string(),
                )
                .or_default() += 1;
        }
    }
    match &resp.result {
        Err(e) => {
            prop_assert!(resp.effects.is_empty(), "refused with effects: {req:?}");
            prop_assert!(
                pm.same_state(&before),
                "refused request changed state: {req:?} -> {e}"
            );
            check_refusal(&before, caller, &req, e)?;
        }
        Ok(reply) => {
            m.apply(&resp.effects);
            record_reply(pm, m, caller, &req, reply)?;
        }
    }
    check(pm, m)
}

/// Mostly aim at an allocated frame of the container (a quarter of the time, anywhere).
fn aim(pm: &Physmem, t: TaskId, h: Handle, raw: u8) -> u8 {
    let Ok(id) = pm.caps.container(t, h) else {
        return raw;
    };
    let slots: Vec<u32> = pm.containers[id].slots.iter().map(|(o, _)| o).collect();
    if raw % 4 == 0 || slots.is_empty() {
        return raw;
    }
    let off = slots[usize::from(raw) % slots.len()];
    off.checked_sub(BASE)
        .and_then(|o| u8::try_from(o / PAGE_SIZE).ok())
        .unwrap_or(raw)
}

/// Mostly shorten a range to what is allocated from `start` on (so most requests succeed).
fn clip(pm: &Physmem, t: TaskId, h: Handle, start: u8, pages: u8) -> u8 {
    let Ok(id) = pm.caps.container(t, h) else {
        return pages;
    };
    let c = &pm.containers[id];
    let run = (0..pages)
        .take_while(|&i| {
            c.slot_at(u64::from(offset(start.saturating_add(i))))
                .is_some()
        })
        .count();
    if pages % 3 == 0 || run == 0 {
        pages
    } else {
        run as u8
    }
}

/// Refusals must be for the right reasons.
fn check_refusal(
    before: &Physmem,
    caller: TaskId,
    req: &Request,
    e: &PhysmemError,
) -> Result<(), TestCaseError> {
    match e {
        PhysmemError::NoContiguousBlock { .. } => {
            prop_assert!(false, "fragmentation refused {req:?}")
        }
        PhysmemError::MemoryShort { .. } => {
            // Only while others hold frames promised to guarantees.
            prop_assert!(
                u64::from(before.frames.free_count()) < before.reserve(),
                "MemoryShort without pressure"
            );
        }
        PhysmemError::OutOfMemory { .. } => {
            // A task within its guarantee never gets OutOfMemory: the bind went beyond it.
            if let Request::ContainerMap {
                container, index, ..
            } = req
            {
                let id = before
                    .caps
                    .container(caller, *container)
                    .expect("mapped a held container");
                let c = &before.containers[id];
                let (_, slot) = c
                    .slot_at(u64::from(*index))
                    .expect("mapped an allocated page");
                let needed = if slot.pfn.is_some() {
                    1
                } else {
                    1u32 << slot.order
                };
                prop_assert!(
                    before.controls[c.control].unused() < needed,
                    "OutOfMemory within guarantee"
                );
            }
        }
        _ => {}
    }
    Ok(())
}

/// Learn handles from replies; record mappings and check what was handed out.
fn record_reply(
    pm: &Physmem,
    m: &mut Model,
    caller: TaskId,
    req: &Request,
    reply: &Reply,
) -> Result<(), TestCaseError> {
    match (req, reply) {
        (Request::ContainerCreate { .. }, Reply::Handle(h)) => m.handles.push((*h, caller, true)),
        (Request::ContainerShare { with, .. }, Reply::Handle(h))
            if !m.handles.iter().any(|x| x.0 == *h) =>
        {
            m.handles.push((*h, *with, true))
        }
        (Request::ControlSplit { to, .. }, Reply::Handle(h)) => m.handles.push((*h, *to, false)),
        (
            Request::ContainerMap {
                rights,
                vaddr,
                index,
                size,
                ..
            },
            Reply::Mapped { items, next },
        ) => {
            prop_assert!(items.len() <= MAP_BATCH && !items.is_empty());
            let mut expect = *vaddr;
            for it in items {
                let pages = 1u32 << (it.log2_size - 12);
                prop_assert_eq!(it.vaddr, expect, "fpages must be consecutive");
                prop_assert!(
                    it.vaddr % (pages * PAGE_SIZE) == 0 && it.pfn.0 % pages == 0,
                    "fpage misaligned"
                );
                prop_assert!(rights.contains(it.rights));
                for i in 0..pages {
                    let pfn = it.pfn.0 + i;
                    let FrameInfo::Bound { owners, .. } = pm.frame(Pfn(pfn)) else {
                        return Err(TestCaseError::fail("mapped a free frame"));
                    };
                    prop_assert!(
                        owners.iter().any(|o| o.task == caller),
                        "mapped someone else's frame"
                    );
                    m.mappings
                        .insert((caller, it.vaddr / PAGE_SIZE + i), (pfn, it.rights));
                }
                expect = it.vaddr + pages * PAGE_SIZE;
            }
            let done = expect - vaddr;
            prop_assert_eq!(*next, (done < *size).then_some(index + done));
        }
        _ => {}
    }
    Ok(())
}

/// A task over its guarantee gives back its newest extra frame and says so.
fn comply(pm: &mut Physmem, m: &mut Model, t: TaskId) -> Result<(), TestCaseError> {
    let victim = pm
        .controls
        .values()
        .filter(|c| c.holder == t)
        .find_map(|c| c.extra_pages().next());
    if let Some(pfn) = victim {
        let (cid, off) = pm.pages[pfn].refs().next().expect("bound page has a ref");
        if let Some(&h) = pm.containers[cid].holders.get(&t) {
            let r = pm.handle(
                t,
                Request::ContainerDeallocate {
                    container: h,
                    start: off,
                    size: PAGE_SIZE,
                },
            );
            prop_assert!(r.result.is_ok());
            m.apply(&r.effects);
        }
    }
    let r = pm.handle(t, Request::FramesReturned { count: 1 });
    prop_assert_eq!(r.result, Ok(Reply::Done));
    check(pm, m)
}

/// Time passes: only extra frames may be taken.
fn tick(pm: &mut Physmem, m: &mut Model, dt: u64) -> Result<(), TestCaseError> {
    let before = pm.clone();
    m.now += dt;
    let fx = pm.tick(m.now);
    for e in &fx {
        *m.tally
            .entry(
                format!("tick:{e:?}")
                    .split(['(', ' ', '{'])
                    .next()
                    .unwrap_or("")
                    .to_string(),
            )
            .or_default() += 1;
    }
    m.apply(&fx);
    for (id, c) in before.controls.iter() {
        let after = pm.controls[id].charged();
        prop_assert!(
            after >= c.charged().min(c.guaranteed),
            "a guaranteed frame was reclaimed"
        );
    }
    for e in &fx {
        if let Effect::Reclaimed { pfn, .. } = e {
            prop_assert!(before
                .controls
                .values()
                .any(|c| c.extra_pages().any(|p| p == pfn.0)));
        }
    }
    check(pm, m)
}

/// Use a handle the task was never given, or a made-up one: always PermissionDenied.
fn forge(
    pm: &mut Physmem,
    m: &mut Model,
    t: TaskId,
    pick: u16,
    kind: u8,
) -> Result<(), TestCaseError> {
    let foreign: Vec<Handle> = m.handles.iter().filter(|h| h.1 != t).map(|h| h.0).collect();
    let h = if foreign.is_empty() || pick % 5 == 0 {
        Handle(crate::caps::splitmix64(u64::from(pick) ^ 0xdead))
    } else {
        foreign[usize::from(pick) % foreign.len()]
    };
    if m.handles.iter().any(|x| x.0 == h && x.1 == t) {
        return Ok(()); // the task also holds it (a share gave it the same handle)
    }
    let own = m.pick(t, true, 0).unwrap_or(h);
    let req = match kind {
        0 => Request::ContainerMap {
            container: h,
            rights: Rights::RW,
            vaddr: 0,
            index: 0,
            size: PAGE_SIZE,
        },
        1 => Request::ContainerDeallocate {
            container: h,
            start: 0,
            size: PAGE_SIZE,
        },
        2 => Request::ContainerCopy {
            src: h,
            src_start: 0,
            dest: own,
            dest_start: 0x100000,
            count: PAGE_SIZE,
            mode: CopyMode::CopyOnWrite,
            all_or_none: false,
        },
        3 => Request::ControlDestroy { control: h },
        4 => Request::ContainerCreate { control: h },
        _ => Request::ContainerShare {
            container: h,
            with: t,
        },
    };
    let before = pm.clone();
    let r = pm.handle(t, req);
    prop_assert_eq!(r.result, Err(PhysmemError::PermissionDenied(h)));
    prop_assert!(pm.same_state(&before));
    check(pm, m)
}

/// The invariants, and the kernel's mappings against physmem's view.
fn check(pm: &Physmem, m: &Model) -> Result<(), TestCaseError> {
    pm.check_invariants().map_err(TestCaseError::fail)?;
    let s = pm.stats();
    prop_assert_eq!(s.free + s.bound, s.total);
    for (&(t, v), &(pfn, rights)) in &m.mappings {
        let FrameInfo::Bound { cow, .. } = pm.frame(Pfn(pfn)) else {
            return Err(TestCaseError::fail(format!(
                "{t:?} still maps freed frame {pfn:#x} at page {v:#x}"
            )));
        };
        prop_assert!(
            !(cow && rights.contains(Rights::W)),
            "COW frame {:#x} writable by {:?}",
            pfn,
            t
        );
    }
    Ok(())
}

fn run(frames: u32, guarantees: &[u8], ops: &[Op]) -> Result<(), TestCaseError> {
    let mut pm = boot(frames);
    pm.set_grace_steps(3000);
    let mut m = Model::default();
    for (i, &g) in guarantees.iter().enumerate() {
        let t = task(i as u8);
        let h = pm
            .create_control(t, u32::from(g))
            .expect("initial guarantees fit");
        m.handles.push((h, t, false));
        let r = pm.handle(t, Request::ContainerCreate { control: h });
        let Ok(Reply::Handle(c)) = r.result else {
            return Err(TestCaseError::fail("create"));
        };
        m.handles.push((c, t, true));
    }
    for op in ops {
        step(&mut pm, &mut m, op)?;
    }
    if std::env::var("PHYSMEM_PROP_DEBUG").is_ok() {
        let s = pm.stats();
        eprintln!(
            "TALLY frames {frames} bound {} maps {} {:?}",
            s.bound,
            m.mappings.len(),
            m.tally
        );
    }
    Ok(())
}

proptest! {
    // PHYSMEM_PROP_CASES=5000 for a soak run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PHYSMEM_PROP_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(128),
        max_shrink_iters: 4000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_runs_keep_every_invariant(
        frames in prop_oneof![Just(64u32), Just(128), Just(256)],
        guarantees in proptest::collection::vec(0u8..16, 3..=4),
        ops in proptest::collection::vec(op(), 200..400),
    ) {
        run(frames, &guarantees, &ops)?;
    }
}
