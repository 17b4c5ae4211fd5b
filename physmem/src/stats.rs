//! What the UI draws: counters per task and per container, and the state of every frame.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::caps::ContainerId;
use crate::protocol::{Handle, Pfn, TaskId};
use crate::server::Physmem;

/// A snapshot of physmem for charts and tables.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Frames physmem owns.
    pub total: u32,
    /// Frames free.
    pub free: u32,
    /// Frames bound (`free + bound == total`).
    pub bound: u32,
    /// Sum of all guarantees.
    pub guaranteed: u32,
    /// Guaranteed frames not yet used: what must stay free for the guarantees.
    pub reserved: u32,
    /// Requests served, all tasks.
    pub served: u64,
    /// Requests refused, all tasks.
    pub refused: u64,
    /// Per task, by task id.
    pub tasks: Vec<TaskStats>,
    /// Per container, in creation order.
    pub containers: Vec<ContainerStats>,
    /// Outstanding requests to return frames.
    pub pressure: Vec<PressureStats>,
}

/// One task's frames and requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskStats {
    /// The task.
    pub task: TaskId,
    /// Frames guaranteed by the control capabilities it holds.
    pub guaranteed: u32,
    /// Frames charged to it.
    pub bound: u32,
    /// Of those, frames beyond its guarantee.
    pub extra: u32,
    /// Requests served.
    pub served: u64,
    /// Requests refused.
    pub refused: u64,
}

/// One container's pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerStats {
    /// The task holding the control capability that pays for it.
    pub task: TaskId,
    /// Tasks holding a handle to it, with their handles.
    pub holders: Vec<(TaskId, Handle)>,
    /// The guarantee of the control capability that pays for it.
    pub guaranteed: u32,
    /// Pages allocated (reserved or bound).
    pub allocated: u32,
    /// Pages bound to frames.
    pub bound: u32,
    /// Bound pages that are extra frames of its control capability.
    pub extra: u32,
    /// Bound pages whose frame another container refers to too, sharing writes.
    pub shared: u32,
    /// Bound pages that are copy-on-write.
    pub cow: u32,
}

/// One outstanding `ReturnFrames` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PressureStats {
    /// The task asked.
    pub task: TaskId,
    /// Extra frames it may keep.
    pub keep: u32,
    /// Extra frames it holds now.
    pub extra: u32,
    /// The step by which it must comply.
    pub deadline: u64,
}

/// One frame, for the frame map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FrameInfo {
    /// Not physmem's (the kernel's memory).
    Kernel,
    /// Free.
    Free,
    /// Bound into one or more containers.
    Bound {
        /// Every (task, its container handle, byte offset) referring to it.
        owners: Vec<FrameOwner>,
        /// The task charged for it.
        payer: TaskId,
        /// Copy-on-write (mapped without W everywhere).
        cow: bool,
        /// Shared: several containers or tasks see the same writes.
        shared: bool,
        /// An extra frame of its payer (beyond the guarantee; may be reclaimed).
        extra: bool,
    },
}

/// Who refers to a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameOwner {
    /// A task holding the container.
    pub task: TaskId,
    /// That task's handle to the container.
    pub container: Handle,
    /// Byte offset in the container.
    pub offset: u32,
}

impl Physmem {
    /// A snapshot of the counters the UI draws.
    pub fn stats(&self) -> Stats {
        let extra = self.extra_set();
        let mut tasks: Vec<TaskStats> = self
            .tasks
            .iter()
            .chain(self.counters.per_task.keys())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|&task| {
                let mine = self.controls.values().filter(|c| c.holder == task);
                let (served, refused) = self
                    .counters
                    .per_task
                    .get(&task)
                    .copied()
                    .unwrap_or_default();
                TaskStats {
                    task,
                    guaranteed: mine.clone().map(|c| c.guaranteed).sum(),
                    bound: mine.clone().map(|c| c.charged()).sum(),
                    extra: mine.map(|c| c.extra()).sum(),
                    served,
                    refused,
                }
            })
            .collect();
        tasks.retain(|t| self.tasks.contains(&t.task) || t.served + t.refused > 0);
        let containers = self
            .containers
            .iter()
            .map(|(id, _)| self.container_stats(id, &extra))
            .collect();
        let pressure = self
            .pressure
            .asks
            .iter()
            .map(|(&task, a)| PressureStats {
                task,
                keep: a.keep,
                extra: self.task_extra(task),
                deadline: a.deadline,
            })
            .collect();
        Stats {
            total: self.frames.total(),
            free: self.frames.free_count(),
            bound: self.pages.len(),
            guaranteed: self.controls.values().map(|c| c.guaranteed).sum(),
            reserved: self.reserve() as u32,
            served: self.counters.per_task.values().map(|c| c.0).sum(),
            refused: self.counters.per_task.values().map(|c| c.1).sum(),
            tasks,
            containers,
            pressure,
        }
    }

    fn container_stats(&self, id: ContainerId, extra: &BTreeSet<u32>) -> ContainerStats {
        let c = &self.containers[id];
        let control = &self.controls[c.control];
        let mut s = ContainerStats {
            task: control.holder,
            holders: c.holders.iter().map(|(&t, &h)| (t, h)).collect(),
            guaranteed: control.guaranteed,
            allocated: c.allocated_pages(),
            bound: 0,
            extra: 0,
            shared: 0,
            cow: 0,
        };
        for (off, slot) in c.slots.iter() {
            let Some(first) = slot.pfn else { continue };
            for i in 0..1u32 << slot.order {
                let page = &self.pages[first + i];
                s.bound += 1;
                s.extra += u32::from(page.payer == c.control && extra.contains(&(first + i)));
                s.cow += u32::from(page.is_cow());
                let g = page
                    .group_of((id, off + i * crate::PAGE_SIZE))
                    .expect("container_stats: ref");
                s.shared += u32::from(page.group_sizes().nth(g as usize) > Some(1));
            }
        }
        s
    }

    /// Every extra frame: for each control, its most recently bound frames beyond the guarantee.
    fn extra_set(&self) -> BTreeSet<u32> {
        self.controls
            .values()
            .flat_map(|c| c.extra_pages())
            .collect()
    }

    /// The state of one frame, for the UI's frame map.
    pub fn frame(&self, pfn: Pfn) -> FrameInfo {
        let extra = self
            .controls
            .values()
            .flat_map(|c| c.extra_pages())
            .any(|p| p == pfn.0);
        self.frame_info(pfn.0, extra)
    }

    /// The frame bound at byte `offset` of a container `task` holds, if any: a direct
    /// lookup for the kernel (reading a page through the pager) instead of scanning `frames()`.
    pub fn frame_at(&self, task: TaskId, container: Handle, offset: u32) -> Option<Pfn> {
        let id = self.caps.container(task, container).ok()?;
        self.containers[id].pfn_at(u64::from(offset)).map(Pfn)
    }

    /// Every frame physmem owns, ascending, with its state.
    pub fn frames(&self) -> impl Iterator<Item = (Pfn, FrameInfo)> + '_ {
        let extra = self.extra_set();
        self.frames
            .owned()
            .map(move |p| (Pfn(p), self.frame_info(p, extra.contains(&p))))
    }

    fn frame_info(&self, pfn: u32, extra: bool) -> FrameInfo {
        if !self.frames.owns(pfn) {
            return FrameInfo::Kernel;
        }
        let Some(page) = self.pages.get(pfn) else {
            return FrameInfo::Free;
        };
        let mut owners = Vec::new();
        let mut shared = page.group_sizes().any(|n| n > 1);
        for (cid, offset) in page.refs() {
            let holders = &self.containers[cid].holders;
            shared |= holders.len() > 1;
            owners.extend(holders.iter().map(|(&task, &container)| FrameOwner {
                task,
                container,
                offset,
            }));
        }
        FrameInfo::Bound {
            owners,
            payer: self.controls[page.payer].holder,
            cow: page.is_cow(),
            shared,
            extra,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use crate::*;

    #[test]
    fn stats_serialise_and_count() {
        let (mut pm, c) = one_task(32, 4);
        alloc(&mut pm, T1, c, 0, 0x8000).unwrap();
        map(&mut pm, T1, c, Rights::RW, 0, 0, 0x8000).unwrap();
        let _ = map(&mut pm, T2, c, Rights::RW, 0, 0, 0x8000);
        let s = pm.stats();
        assert_eq!(
            (s.total, s.free, s.bound, s.guaranteed, s.reserved),
            (32, 24, 8, 4, 0)
        );
        assert_eq!((s.served, s.refused), (3, 1));
        assert_eq!((s.tasks[0].bound, s.tasks[0].extra), (8, 4));
        assert_eq!((s.containers[0].bound, s.containers[0].extra), (8, 4));
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Stats>(&json).unwrap(), s);
    }

    #[test]
    fn frame_map_shows_kernel_free_and_bound() {
        let mut pm = Physmem::new((4..8).map(Pfn));
        let c = container(&mut pm, T1, 4);
        alloc(&mut pm, T1, c, 0, 0x1000).unwrap();
        map(&mut pm, T1, c, Rights::R, 0, 0, 0x1000).unwrap();
        assert_eq!(pm.frame(Pfn(0)), FrameInfo::Kernel);
        assert_eq!(pm.frame(Pfn(5)), FrameInfo::Free);
        assert_eq!(
            pm.frame(Pfn(4)),
            FrameInfo::Bound {
                owners: vec![FrameOwner {
                    task: T1,
                    container: c,
                    offset: 0
                }],
                payer: T1,
                cow: false,
                shared: false,
                extra: false
            }
        );
        assert_eq!(pm.frames().count(), 4);
    }

    #[test]
    fn frame_at_looks_up_only_held_containers() {
        let (mut pm, c) = one_task(16, 4);
        alloc(&mut pm, T1, c, 0, 0x2000).unwrap();
        assert_eq!(pm.frame_at(T1, c, 0x1000), None); // not bound yet
        let items = map_all(&mut pm, T1, c, Rights::R, 0, 0, 0x2000);
        assert_eq!(pm.frame_at(T1, c, 0x1800), Some(Pfn(items[0].pfn.0 + 1)));
        assert_eq!(pm.frame_at(T2, c, 0x1000), None);
        assert_eq!(pm.frame_at(T1, c, 0x2000), None);
    }
}
