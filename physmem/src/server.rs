//! The server: its state, the request dispatcher, and the capability operations
//! (create, share, split, destroy, kill).

use std::collections::{BTreeMap, BTreeSet};

use crate::caps::{Caps, ContainerId, ControlId, Object};
use crate::charges::Charges;
use crate::container::Container;
use crate::control::{Control, Controls};
use crate::frames::FrameAllocator;
use crate::page::Pages;
use crate::pressure::Pressure;
use crate::protocol::{
    Effect, Handle, Pfn, PhysmemError, Reply, Request, Response, Rights, TaskId,
};
use crate::table::Table;

/// Default number of steps a task gets to return frames after `Effect::ReturnFrames`.
pub const DEFAULT_GRACE_STEPS: u64 = 10_000;

/// Requests served and refused, per task (kept apart from the state they do not describe).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counters {
    /// Per task: (served, refused).
    pub per_task: BTreeMap<TaskId, (u64, u64)>,
}

/// The physical memory server.
#[derive(Clone, Debug)]
pub struct Physmem {
    pub(crate) frames: FrameAllocator,
    /// Bound pages by frame number.
    pub(crate) pages: Pages,
    pub(crate) controls: Controls,
    pub(crate) containers: Table<ContainerId, Container>,
    pub(crate) caps: Caps,
    /// Tasks physmem knows (given a control capability at creation, not yet killed).
    pub(crate) tasks: BTreeSet<TaskId>,
    pub(crate) pressure: Pressure,
    pub(crate) next_seq: u64,
    pub(crate) counters: Counters,
}

impl Physmem {
    /// A server owning `frames` (handed over at boot, like sigma0 does); the rest of RAM is
    /// the kernel's. Per-frame state is indexed by frame number, so memory use follows the
    /// highest frame number (about 40 bytes a frame).
    pub fn new(frames: impl IntoIterator<Item = Pfn>) -> Physmem {
        let frames = FrameAllocator::new(frames.into_iter().map(|p| p.0));
        Physmem {
            pages: Pages::new(frames.limit()),
            frames,
            controls: Controls::default(),
            containers: Table::default(),
            caps: Caps::default(),
            tasks: BTreeSet::new(),
            pressure: Pressure::new(DEFAULT_GRACE_STEPS),
            next_seq: 0,
            counters: Counters::default(),
        }
    }

    /// Set how many steps a task gets to comply with `Effect::ReturnFrames`.
    pub fn set_grace_steps(&mut self, steps: u64) {
        self.pressure.grace = steps;
    }

    /// Create a control capability guaranteeing `guaranteed` frames to `task` (the
    /// memory-policy role, i.e. core at task creation). The task becomes known to physmem.
    ///
    /// # Errors
    /// `GuaranteeUnavailable` if the sum of all guarantees would exceed the frames physmem owns.
    pub fn create_control(
        &mut self,
        task: TaskId,
        guaranteed: u32,
    ) -> Result<Handle, PhysmemError> {
        let promised: u64 = self
            .controls
            .values()
            .map(|c| u64::from(c.guaranteed))
            .sum();
        let available = u64::from(self.frames.total()).saturating_sub(promised) as u32;
        if guaranteed > available {
            return Err(PhysmemError::GuaranteeUnavailable {
                asked: guaranteed,
                available,
            });
        }
        self.tasks.insert(task);
        Ok(self.new_control(task, guaranteed))
    }

    /// Makes a new task known (the task server's job), so others can give it capabilities,
    /// as a parent does when it forks.
    pub fn register_task(&mut self, task: TaskId) {
        self.tasks.insert(task);
    }

    fn new_control(&mut self, task: TaskId, guaranteed: u32) -> Handle {
        let handle = self
            .caps
            .mint(task, Object::Control(self.controls.next_id()));
        self.controls.add(Control {
            holder: task,
            handle,
            guaranteed,
            pages: Charges::default(),
        });
        handle
    }

    /// Serve one request from `caller`. A refused request changes nothing and has no effects.
    pub fn handle(&mut self, caller: TaskId, req: Request) -> Response {
        let mut effects = Vec::new();
        let result = self.serve(caller, req, &mut effects);
        Response { result, effects }
    }

    /// [`Physmem::handle`] appending the effects to `effects` (the kernel reuses one buffer on
    /// its fault path instead of allocating one per request). A refused request appends none.
    pub fn serve(
        &mut self,
        caller: TaskId,
        req: Request,
        effects: &mut Vec<Effect>,
    ) -> Result<Reply, PhysmemError> {
        let before = effects.len();
        let result = self.dispatch(caller, req, effects);
        let counter = self.counters.per_task.entry(caller).or_default();
        if result.is_ok() {
            counter.0 += 1;
        } else {
            counter.1 += 1;
            effects.truncate(before);
        }
        result
    }

    fn dispatch(
        &mut self,
        caller: TaskId,
        req: Request,
        fx: &mut Vec<Effect>,
    ) -> Result<Reply, PhysmemError> {
        match req {
            Request::ContainerCreate { control } => self.container_create(caller, control),
            Request::ContainerShare { container, with } => {
                self.container_share(caller, container, with)
            }
            Request::ContainerAllocate {
                container,
                start,
                size,
            } => {
                let id = self.caps.container(caller, container)?;
                self.allocate(id, start, size)
            }
            Request::ContainerDeallocate {
                container,
                start,
                size,
            } => {
                let id = self.caps.container(caller, container)?;
                self.deallocate(id, start, size, fx)
            }
            Request::ContainerMap {
                container,
                rights,
                vaddr,
                index,
                size,
            } => {
                let id = self.caps.container(caller, container)?;
                self.map(id, rights, vaddr, index, size, fx)
            }
            Request::ContainerCopy {
                src,
                src_start,
                dest,
                dest_start,
                count,
                mode,
                all_or_none,
            } => {
                let src = self.caps.container(caller, src)?;
                let dest = self.caps.container(caller, dest)?;
                let copy = crate::copy::CopyArgs {
                    src,
                    src_start,
                    dest,
                    dest_start,
                    count,
                    mode,
                    all_or_none,
                };
                self.copy(copy, fx)
            }
            Request::ControlSplit {
                control,
                frames,
                to,
            } => self.control_split(caller, control, frames, to),
            Request::ControlDestroy { control } => {
                let id = self.caps.control(caller, control)?;
                self.destroy_control(id, fx);
                Ok(Reply::Done)
            }
            Request::FramesReturned { count: _ } => {
                // The count is the task's claim; physmem checks the frames it really holds.
                self.frames_returned(caller);
                Ok(Reply::Done)
            }
        }
    }

    fn container_create(&mut self, caller: TaskId, control: Handle) -> Result<Reply, PhysmemError> {
        let control = self.caps.control(caller, control)?;
        let handle = self
            .caps
            .mint(caller, Object::Container(self.containers.next_id()));
        let mut c = Container::new(control);
        c.holders.insert(caller, handle);
        self.containers.add(c);
        Ok(Reply::Handle(handle))
    }

    /// Give `with` a handle to the container (its existing one, if it already holds one).
    /// The reply carries the receiver's handle, for the caller to pass on by IPC.
    fn container_share(
        &mut self,
        caller: TaskId,
        container: Handle,
        with: TaskId,
    ) -> Result<Reply, PhysmemError> {
        let id = self.caps.container(caller, container)?;
        if !self.tasks.contains(&with) {
            return Err(PhysmemError::UnknownTask(with));
        }
        if let Some(&h) = self.containers[id].holders.get(&with) {
            return Ok(Reply::Handle(h));
        }
        let handle = self.caps.mint(with, Object::Container(id));
        self.container_mut(id).holders.insert(with, handle);
        Ok(Reply::Handle(handle))
    }

    /// Move `frames` of unused guarantee to a new control capability held by `to`.
    fn control_split(
        &mut self,
        caller: TaskId,
        control: Handle,
        frames: u32,
        to: TaskId,
    ) -> Result<Reply, PhysmemError> {
        let id = self.caps.control(caller, control)?;
        if !self.tasks.contains(&to) {
            return Err(PhysmemError::UnknownTask(to));
        }
        let available = self.controls[id].unused();
        if frames > available {
            return Err(PhysmemError::GuaranteeTooSmall {
                asked: frames,
                available,
            });
        }
        self.controls.shrink_guarantee(id, frames);
        Ok(Reply::Handle(self.new_control(to, frames)))
    }

    /// Destroy a control capability: its containers go (every holder loses its handle) and
    /// their frames return, unless another container still refers to them (COW or shared).
    pub(crate) fn destroy_control(&mut self, id: ControlId, fx: &mut Vec<Effect>) {
        let doomed: Vec<ContainerId> = self
            .containers
            .iter()
            .filter(|(_, c)| c.control == id)
            .map(|(k, _)| k)
            .collect();
        for cid in doomed {
            self.remove_range(cid, 0, 1 << 32, fx);
            let c = self
                .containers
                .remove(cid)
                .expect("destroy_control: container vanished");
            for h in c.holders.values() {
                self.caps.revoke(*h);
            }
        }
        let control = self
            .controls
            .remove(id)
            .expect("destroy_control: unknown control");
        assert!(
            control.pages.is_empty(),
            "destroy_control: frames still charged"
        );
        self.caps.revoke(control.handle);
    }

    /// A task died: destroy its control capabilities (and their containers), drop the
    /// handles it held to others' containers, and forget its pressure request.
    pub fn kill(&mut self, task: TaskId) -> Vec<Effect> {
        let mut fx = Vec::new();
        let held: Vec<(Handle, Object)> = self
            .caps
            .iter()
            .filter(|(_, c)| c.task == task)
            .map(|(h, c)| (h, c.object))
            .collect();
        for (h, object) in held {
            match object {
                Object::Control(id) if self.controls.get(id).is_some() => {
                    self.destroy_control(id, &mut fx)
                }
                Object::Container(id) => {
                    self.caps.revoke(h);
                    if let Some(c) = self.containers.get_mut(id) {
                        c.holders.remove(&task);
                    }
                }
                Object::Control(_) => {}
            }
        }
        self.tasks.remove(&task);
        self.pressure.asks.remove(&task);
        fx
    }

    pub(crate) fn container_mut(&mut self, id: ContainerId) -> &mut Container {
        self.containers
            .get_mut(id)
            .expect("container_mut: unknown container")
    }
}

/// All rights, for revoking a mapping entirely.
pub(crate) const ALL: Rights = Rights::RWX;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::PAGE_SIZE;
    use crate::testkit::boot;
    use crate::FrameInfo;

    #[test]
    fn create_control_refuses_overcommitted_guarantees() {
        let mut pm = boot(16);
        assert!(pm.create_control(TaskId(1), 10).is_ok());
        assert_eq!(
            pm.create_control(TaskId(2), 7),
            Err(PhysmemError::GuaranteeUnavailable {
                asked: 7,
                available: 6
            })
        );
        assert!(pm.create_control(TaskId(2), 6).is_ok());
    }

    #[test]
    fn container_create_needs_a_held_control() {
        let mut pm = boot(16);
        let ctl = pm.create_control(TaskId(1), 4).unwrap();
        let r = pm.handle(TaskId(2), Request::ContainerCreate { control: ctl });
        assert_eq!(r.result, Err(PhysmemError::PermissionDenied(ctl)));
        let c = crate::testkit::create(&mut pm, TaskId(1), ctl);
        let r = pm.handle(TaskId(1), Request::ContainerCreate { control: c });
        assert_eq!(
            r.result,
            Err(PhysmemError::WrongKind(c, crate::ObjectKind::Control))
        );
    }

    #[test]
    fn share_gives_the_other_task_its_own_handle() {
        let mut pm = boot(16);
        let ctl = pm.create_control(TaskId(1), 4).unwrap();
        pm.create_control(TaskId(2), 4).unwrap();
        let c = crate::testkit::create(&mut pm, TaskId(1), ctl);
        let r = pm.handle(
            TaskId(1),
            Request::ContainerShare {
                container: c,
                with: TaskId(9),
            },
        );
        assert_eq!(r.result, Err(PhysmemError::UnknownTask(TaskId(9))));
        let Ok(Reply::Handle(h2)) = pm
            .handle(
                TaskId(1),
                Request::ContainerShare {
                    container: c,
                    with: TaskId(2),
                },
            )
            .result
        else {
            panic!("share failed")
        };
        assert_ne!(h2, c);
        let again = pm.handle(
            TaskId(1),
            Request::ContainerShare {
                container: c,
                with: TaskId(2),
            },
        );
        assert_eq!(again.result, Ok(Reply::Handle(h2)));
        // Task 2 can use its handle, but not task 1's.
        assert_eq!(
            crate::testkit::alloc(&mut pm, TaskId(2), c, 0, PAGE_SIZE),
            Err(PhysmemError::PermissionDenied(c))
        );
        assert!(crate::testkit::alloc(&mut pm, TaskId(2), h2, 0, PAGE_SIZE).is_ok());
        pm.check_invariants().unwrap();
    }

    #[test]
    fn split_moves_unused_guarantee_only() {
        let mut pm = boot(16);
        let ctl = pm.create_control(TaskId(1), 4).unwrap();
        pm.create_control(TaskId(2), 0).unwrap();
        let split = |frames| Request::ControlSplit {
            control: ctl,
            frames,
            to: TaskId(2),
        };
        assert_eq!(
            pm.handle(TaskId(1), split(5)).result,
            Err(PhysmemError::GuaranteeTooSmall {
                asked: 5,
                available: 4
            })
        );
        assert_eq!(
            pm.handle(
                TaskId(1),
                Request::ControlSplit {
                    control: ctl,
                    frames: 1,
                    to: TaskId(7)
                }
            )
            .result,
            Err(PhysmemError::UnknownTask(TaskId(7)))
        );
        let Ok(Reply::Handle(h)) = pm.handle(TaskId(1), split(3)).result else {
            panic!("split failed")
        };
        let s = pm.stats();
        assert_eq!(
            s.tasks
                .iter()
                .map(|t| (t.task, t.guaranteed))
                .collect::<Vec<_>>(),
            vec![(TaskId(1), 1), (TaskId(2), 3)]
        );
        // The new capability is task 2's alone.
        assert_eq!(
            pm.handle(TaskId(1), Request::ControlDestroy { control: h })
                .result,
            Err(PhysmemError::PermissionDenied(h))
        );
        assert_eq!(
            pm.handle(TaskId(2), Request::ControlDestroy { control: h })
                .result,
            Ok(Reply::Done)
        );
        assert_eq!(pm.stats().guaranteed, 1);
        pm.check_invariants().unwrap();
    }

    #[test]
    fn destroy_returns_frames_and_revokes_every_holders_handle() {
        let mut pm = boot(16);
        let ctl = pm.create_control(TaskId(1), 4).unwrap();
        pm.create_control(TaskId(2), 4).unwrap();
        let c = crate::testkit::create(&mut pm, TaskId(1), ctl);
        let c2 = crate::testkit::share(&mut pm, TaskId(1), c, TaskId(2));
        crate::testkit::alloc(&mut pm, TaskId(1), c, 0, 0x2000).unwrap();
        crate::testkit::map_all(&mut pm, TaskId(1), c, Rights::RW, 0, 0, 0x2000);
        let r = pm.handle(TaskId(1), Request::ControlDestroy { control: ctl });
        assert_eq!(r.result, Ok(Reply::Done));
        assert_eq!(r.effects.len(), 2);
        assert!(r.effects.iter().all(|e| matches!(
            e,
            Effect::Revoke {
                rights: Rights::RWX,
                ..
            }
        )));
        assert_eq!(pm.stats().free, 16);
        assert_eq!(
            crate::testkit::alloc(&mut pm, TaskId(2), c2, 0, PAGE_SIZE),
            Err(PhysmemError::PermissionDenied(c2))
        );
        assert_eq!(
            pm.handle(TaskId(1), Request::ControlDestroy { control: ctl })
                .result,
            Err(PhysmemError::PermissionDenied(ctl))
        );
        pm.check_invariants().unwrap();
    }

    #[test]
    fn kill_frees_frames_but_a_cow_copy_survives() {
        use crate::testkit::*;
        let (mut pm, a) = one_task(32, 8);
        let b = container(&mut pm, T2, 8);
        let a_for_2 = share(&mut pm, T1, a, T2);
        alloc(&mut pm, T1, a, 0, 0x2000).unwrap();
        let p = map_all(&mut pm, T1, a, Rights::RW, 0, 0, 0x2000)[0].pfn;
        let copy = Request::ContainerCopy {
            src: a_for_2,
            src_start: 0,
            dest: b,
            dest_start: 0,
            count: 0x1000,
            mode: crate::CopyMode::CopyOnWrite,
            all_or_none: true,
        };
        assert_eq!(pm.handle(T2, copy).result, Ok(Reply::Amount(0x1000)));
        let fx = pm.kill(T1);
        assert_eq!(fx.len(), 2);
        // Task 2's copy keeps the first page, now charged to task 2 and no longer COW.
        let FrameInfo::Bound {
            payer,
            cow: false,
            owners,
            ..
        } = pm.frame(p)
        else {
            panic!("copy lost")
        };
        assert_eq!((payer, owners.len()), (T2, 1));
        let s = pm.stats();
        assert_eq!((s.free, s.bound), (31, 1));
        assert_eq!(
            pm.handle(T2, map_req(a_for_2, Rights::R, 0, 0, 0x1000))
                .result,
            Err(PhysmemError::PermissionDenied(a_for_2))
        );
        let items = map_all(&mut pm, T2, b, Rights::RW, 0, 0, 0x1000);
        assert_eq!((items[0].pfn, items[0].rights), (p, Rights::RW));
        assert!(pm.kill(T1).is_empty());
        pm.check_invariants().unwrap();
    }

    #[test]
    fn frames_returned_without_a_request_is_harmless() {
        let (mut pm, _) = crate::testkit::one_task(16, 4);
        let r = pm.handle(TaskId(1), Request::FramesReturned { count: 3 });
        assert_eq!(
            r,
            Response {
                result: Ok(Reply::Done),
                effects: vec![]
            }
        );
    }
}
