//! Memory pressure: asking tasks over their guarantee to return extra frames, and taking
//! them when the deadline passes.
//!
//! Pressure exists when the frames still owed to guarantees exceed the free frames (a task
//! was given a guarantee while others held extra frames, or a COW page's charge moved to a
//! task over its guarantee). At each `tick`, physmem asks the tasks with the most extra
//! frames for the shortfall (`Effect::ReturnFrames`). A task complies by deallocating and
//! sending `FramesReturned`; if at the deadline it still holds more extra frames than it was
//! told to keep, physmem takes its most recently bound extra frames (`Effect::Reclaimed`).

use std::collections::BTreeMap;

use crate::protocol::{Effect, Pfn, TaskId};
use crate::server::{Physmem, ALL};

/// One outstanding request to return frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ask {
    /// Extra frames the task may keep.
    pub keep: u32,
    /// The step by which it must be down to `keep`.
    pub deadline: u64,
}

/// Pressure state: the clock, the grace period and the outstanding requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pressure {
    /// Steps a task gets to comply.
    pub grace: u64,
    /// The last step seen by `tick`.
    pub now: u64,
    /// Outstanding requests by task.
    pub asks: BTreeMap<TaskId, Ask>,
}

impl Pressure {
    /// No pressure yet.
    pub fn new(grace: u64) -> Pressure {
        Pressure {
            grace,
            now: 0,
            asks: BTreeMap::new(),
        }
    }
}

impl Physmem {
    /// Extra frames a task holds, over all its control capabilities.
    pub(crate) fn task_extra(&self, task: TaskId) -> u32 {
        self.controls
            .values()
            .filter(|c| c.holder == task)
            .map(|c| c.extra())
            .sum()
    }

    /// Time passes: take frames from tasks that missed their deadline, then ask for frames
    /// if guarantees are short of free frames.
    pub fn tick(&mut self, now: u64) -> Vec<Effect> {
        let mut fx = Vec::new();
        self.pressure.now = self.pressure.now.max(now);
        let now = self.pressure.now;
        let asks: Vec<(TaskId, Ask)> = self.pressure.asks.iter().map(|(&t, &a)| (t, a)).collect();
        // Choose every victim before taking any, so only frames that were extra when the
        // deadline passed are taken (taking one task's frame can move a COW page's charge).
        let mut victims = Vec::new();
        for (task, ask) in asks {
            let extra = self.task_extra(task);
            if extra <= ask.keep || now >= ask.deadline {
                self.pressure.asks.remove(&task);
            }
            if extra > ask.keep && now >= ask.deadline {
                victims.extend(
                    self.extra_victims(task, extra - ask.keep)
                        .into_iter()
                        .map(|p| (task, p)),
                );
            }
        }
        for (task, pfn) in victims {
            self.reclaim_page(pfn, task, &mut fx);
        }
        self.ask_for_frames(now, &mut fx);
        fx
    }

    /// Ask tasks over their guarantee for the frames guarantees are missing.
    fn ask_for_frames(&mut self, now: u64, fx: &mut Vec<Effect>) {
        let owed: u64 = self
            .pressure
            .asks
            .iter()
            .map(|(&t, a)| u64::from(self.task_extra(t).saturating_sub(a.keep)))
            .sum();
        let free = u64::from(self.frames.free_count());
        let mut short = self.reserve().saturating_sub(free + owed);
        if short == 0 {
            return;
        }
        let mut over: Vec<(u32, TaskId)> = self
            .tasks
            .iter()
            .filter(|t| !self.pressure.asks.contains_key(t))
            .map(|&t| (self.task_extra(t), t))
            .filter(|&(extra, _)| extra > 0)
            .collect();
        // Most extra frames first; ties by task id.
        over.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let deadline = now.saturating_add(self.pressure.grace);
        for (extra, task) in over {
            if short == 0 {
                break;
            }
            let count = u64::from(extra).min(short) as u32;
            short -= u64::from(count);
            self.pressure.asks.insert(
                task,
                Ask {
                    keep: extra - count,
                    deadline,
                },
            );
            fx.push(Effect::ReturnFrames {
                task,
                count,
                deadline,
            });
        }
    }

    /// `FramesReturned`: the task says it complied; physmem checks what it really holds.
    pub(crate) fn frames_returned(&mut self, task: TaskId) {
        if let Some(ask) = self.pressure.asks.get(&task) {
            if self.task_extra(task) <= ask.keep {
                self.pressure.asks.remove(&task);
            }
        }
    }

    /// The `count` extra frames `task` loses: the most recently bound extra frames of its
    /// control capabilities. Its references go (the offsets become unallocated and its data
    /// is lost); a page another task's container still refers to (COW or shared) stays bound
    /// and is charged to that container's control.
    fn extra_victims(&self, task: TaskId, count: u32) -> Vec<u32> {
        let mut victims: Vec<(u64, u32)> = self
            .controls
            .values()
            .filter(|c| c.holder == task)
            .flat_map(|c| c.extra_charges())
            .collect();
        victims.sort_unstable_by(|a, b| b.cmp(a));
        victims
            .into_iter()
            .take(count as usize)
            .map(|(_, pfn)| pfn)
            .collect()
    }

    /// Remove every reference to `pfn` from containers paid by `task`'s control capabilities.
    fn reclaim_page(&mut self, pfn: u32, task: TaskId, fx: &mut Vec<Effect>) {
        fx.push(Effect::Revoke {
            pfn: Pfn(pfn),
            rights: ALL,
        });
        let refs: Vec<_> = self.pages[pfn]
            .refs()
            .filter(|&(c, _)| self.controls[self.containers[c].control].holder == task)
            .collect();
        for (cid, off) in refs {
            for (&holder, &handle) in &self.containers[cid].holders {
                fx.push(Effect::Reclaimed {
                    task: holder,
                    container: handle,
                    offset: off,
                    pfn: Pfn(pfn),
                });
            }
            let c = self.container_mut(cid);
            c.isolate(off);
            c.slots.remove(off);
            self.drop_ref(pfn, (cid, off));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use crate::*;

    /// 16 frames; task 1 (guarantee 4) fills 12; then task 2 arrives with a guarantee of 8.
    fn squeezed() -> (Physmem, Handle, Handle) {
        let mut pm = boot(16);
        pm.set_grace_steps(100);
        let c1 = container(&mut pm, T1, 4);
        for i in 0..12 {
            alloc(&mut pm, T1, c1, 0x1000 * i, 0x1000).unwrap();
            map(&mut pm, T1, c1, Rights::RW, 0x1000 * i, 0x1000 * i, 0x1000).unwrap();
        }
        let c2 = container(&mut pm, T2, 8);
        alloc(&mut pm, T2, c2, 0, 0x8000).unwrap();
        (pm, c1, c2)
    }

    #[test]
    fn guaranteed_bind_waits_for_returned_frames() {
        let (mut pm, _c1, c2) = squeezed();
        // Task 2 is within its guarantee but the frames are task 1's extras.
        assert_eq!(
            map(&mut pm, T2, c2, Rights::RW, 0, 0, 0x1000),
            Err(PhysmemError::MemoryShort { needed: 8 })
        );
        assert_eq!(
            pm.tick(5),
            vec![Effect::ReturnFrames {
                task: T1,
                count: 4,
                deadline: 105
            }]
        );
        // Asked once: no repeat while the request is outstanding.
        assert!(pm.tick(6).is_empty());
    }

    #[test]
    fn compliant_task_keeps_the_rest() {
        let (mut pm, c1, c2) = squeezed();
        pm.tick(5);
        let r = pm.handle(
            T1,
            Request::ContainerDeallocate {
                container: c1,
                start: 0x8000,
                size: 0x4000,
            },
        );
        assert_eq!(r.effects.len(), 4);
        assert_eq!(
            pm.handle(T1, Request::FramesReturned { count: 4 }).result,
            Ok(Reply::Done)
        );
        assert!(pm.pressure.asks.is_empty());
        assert!(pm.tick(200).is_empty());
        assert!(map(&mut pm, T2, c2, Rights::RW, 0, 0, 0x8000).is_ok());
        assert_eq!(pm.stats().tasks[0].bound, 8);
        pm.check_invariants().unwrap();
    }

    #[test]
    fn deadline_takes_the_latest_extra_frames() {
        let (mut pm, c1, c2) = squeezed();
        pm.tick(5);
        // Lying does not help: physmem counts frames.
        pm.handle(T1, Request::FramesReturned { count: 4 });
        assert!(pm.tick(104).is_empty());
        let fx = pm.tick(105);
        let reclaimed: Vec<u32> = fx
            .iter()
            .filter_map(|e| match e {
                Effect::Reclaimed {
                    task,
                    container,
                    offset,
                    ..
                } => {
                    assert_eq!((*task, *container), (T1, c1));
                    Some(*offset)
                }
                _ => None,
            })
            .collect();
        // The most recently bound extras: offsets 0xb000 down to 0x8000.
        assert_eq!(reclaimed, vec![0xb000, 0xa000, 0x9000, 0x8000]);
        assert_eq!(fx.len(), 8); // a Revoke before each Reclaimed
        assert_eq!(
            map(&mut pm, T1, c1, Rights::R, 0, 0xb000, 0x1000),
            Err(PhysmemError::NotAllocated(0xb000))
        );
        assert!(map(&mut pm, T2, c2, Rights::RW, 0, 0, 0x8000).is_ok());
        let t1 = pm.stats().tasks[0].clone();
        assert_eq!((t1.bound, t1.extra), (8, 4));
        pm.check_invariants().unwrap();
    }

    #[test]
    fn guarantees_are_never_reclaimed() {
        let (mut pm, _c1, _c2) = squeezed();
        pm.tick(0);
        pm.tick(1000);
        pm.tick(5000);
        let t1 = pm.stats().tasks[0].clone();
        assert_eq!((t1.guaranteed, t1.bound), (4, 8));
    }
}
