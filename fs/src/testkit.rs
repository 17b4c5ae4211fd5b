//! A small kernel for the tests: real physmem, RAM as bytes, and each task's mappings
//! (page -> frame, writable), revoked as physmem's effects say.

use crate::env::{FsEnv, FsEvent};
use physmem::{
    Effect, Handle, Pfn, Physmem, PhysmemError, Reply, Request, Rights, TaskId, PAGE_SIZE,
};
use std::collections::BTreeMap;

/// The file server.
pub const SERVER: TaskId = TaskId(1);
/// The ramdisk.
pub const DISK: TaskId = TaskId(2);
/// Client tasks.
pub const CLIENTS: [TaskId; 3] = [TaskId(3), TaskId(4), TaskId(5)];

/// Physmem, RAM and mappings.
pub struct Harness {
    pub pm: Physmem,
    pub ram: Vec<u8>,
    /// (task, page) -> (frame, writable).
    pub maps: BTreeMap<(TaskId, u32), (u32, bool)>,
    pub events: Vec<FsEvent>,
    pub disk: TaskId,
    /// Control capabilities by task.
    pub controls: BTreeMap<TaskId, Handle>,
}

impl Harness {
    /// `frames` frames; the server guaranteed 4, each client 4, the disk none.
    pub fn new(frames: u32) -> Harness {
        let mut pm = Physmem::new((0..frames).map(Pfn));
        let mut controls = BTreeMap::new();
        controls.insert(SERVER, pm.create_control(SERVER, 4).unwrap());
        controls.insert(DISK, pm.create_control(DISK, 0).unwrap());
        for c in CLIENTS {
            controls.insert(c, pm.create_control(c, 4).unwrap());
        }
        Harness {
            pm,
            ram: vec![0; (frames * PAGE_SIZE) as usize],
            maps: BTreeMap::new(),
            events: Vec::new(),
            disk: DISK,
            controls,
        }
    }

    /// A container of the server's, and the disk's handle to it.
    pub fn container_shared_with_disk(&mut self, _pages: u32) -> (Handle, Handle) {
        let c = self.container(SERVER);
        let share = Request::ContainerShare {
            container: c,
            with: DISK,
        };
        let Ok(Reply::Handle(d)) = self.physmem(SERVER, share) else {
            panic!("share")
        };
        (c, d)
    }

    /// A new container of `task`'s.
    pub fn container(&mut self, task: TaskId) -> Handle {
        let control = self.controls[&task];
        match self.physmem(task, Request::ContainerCreate { control }) {
            Ok(Reply::Handle(h)) => h,
            other => panic!("container: {other:?}"),
        }
    }

    /// Allocate and bind the page at `offset` of the server's container `c`.
    pub fn bind(&mut self, c: Handle, offset: u32) {
        let a = Request::ContainerAllocate {
            container: c,
            start: offset,
            size: PAGE_SIZE,
        };
        self.physmem(SERVER, a).unwrap();
        self.map(SERVER, c, 0x1000_0000 + offset, offset, Rights::RW)
            .unwrap();
    }

    /// `ContainerMap` of one page for `task`.
    pub fn map(
        &mut self,
        task: TaskId,
        c: Handle,
        vaddr: u32,
        offset: u32,
        rights: Rights,
    ) -> Result<Reply, PhysmemError> {
        let req = Request::ContainerMap {
            container: c,
            rights,
            vaddr,
            index: offset,
            size: PAGE_SIZE,
        };
        self.physmem(task, req)
    }

    fn pfn(&self, task: TaskId, c: Handle, offset: u32) -> usize {
        self.pm.frame_at(task, c, offset).expect("no frame").0 as usize
    }

    /// The bytes of the frame at `offset` of `c` (as the server names it).
    pub fn frame(&self, c: Handle, offset: u32) -> &[u8] {
        let p = self.pfn(SERVER, c, offset) * PAGE_SIZE as usize;
        &self.ram[p..p + PAGE_SIZE as usize]
    }

    /// Write one byte of a frame directly.
    pub fn poke(&mut self, c: Handle, offset: u32, at: usize, b: u8) {
        let p = self.pfn(SERVER, c, offset) * PAGE_SIZE as usize;
        self.ram[p + at] = b;
    }

    /// A load by `task` at `va`: `None` when no mapping (a fault).
    pub fn load(&self, task: TaskId, va: u32) -> Option<u8> {
        let &(pfn, _) = self.maps.get(&(task, va & !(PAGE_SIZE - 1)))?;
        Some(self.ram[(pfn * PAGE_SIZE + va % PAGE_SIZE) as usize])
    }

    /// A store by `task` at `va`: `false` when not mapped writable (a fault).
    pub fn store(&mut self, task: TaskId, va: u32, b: u8) -> bool {
        match self.maps.get(&(task, va & !(PAGE_SIZE - 1))) {
            Some(&(pfn, true)) => {
                self.ram[(pfn * PAGE_SIZE + va % PAGE_SIZE) as usize] = b;
                true
            }
            _ => false,
        }
    }

    /// Remove `task`'s mapping of page `va`.
    pub fn unmap(&mut self, task: TaskId, va: u32) {
        self.maps.remove(&(task, va));
    }

    fn apply(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Zero(p) => {
                    let s = (p.0 * PAGE_SIZE) as usize;
                    self.ram[s..s + PAGE_SIZE as usize].fill(0);
                }
                Effect::Copy { from, to } => {
                    let (f, t) = ((from.0 * PAGE_SIZE) as usize, (to.0 * PAGE_SIZE) as usize);
                    self.ram.copy_within(f..f + PAGE_SIZE as usize, t);
                }
                Effect::Revoke { pfn, rights } => self.revoke(pfn.0, rights),
                Effect::ReturnFrames { .. } | Effect::Reclaimed { .. } => {}
            }
        }
    }

    fn revoke(&mut self, pfn: u32, rights: Rights) {
        if rights.contains(Rights::R) {
            self.maps.retain(|_, m| m.0 != pfn);
        } else if rights.contains(Rights::W) {
            for m in self.maps.values_mut().filter(|m| m.0 == pfn) {
                m.1 = false;
            }
        }
    }
}

impl FsEnv for Harness {
    fn physmem(&mut self, task: TaskId, req: Request) -> Result<Reply, PhysmemError> {
        let r = self.pm.handle(task, req);
        self.apply(r.effects);
        if let Ok(Reply::Mapped { items, .. }) = &r.result {
            for i in items {
                let w = i.rights.contains(Rights::W);
                self.maps.insert((task, i.vaddr), (i.pfn.0, w));
            }
        }
        r.result
    }

    fn read_frame(&mut self, task: TaskId, c: Handle, offset: u32, buf: &mut [u8]) {
        let p = self.pfn(task, c, offset) * PAGE_SIZE as usize;
        buf.copy_from_slice(&self.ram[p..p + PAGE_SIZE as usize]);
    }

    fn write_frame(&mut self, task: TaskId, c: Handle, offset: u32, data: &[u8]) {
        let p = self.pfn(task, c, offset) * PAGE_SIZE as usize;
        self.ram[p..p + data.len()].copy_from_slice(data);
    }

    fn revoke_write(&mut self, task: TaskId, c: Handle, offset: u32) {
        let pfn = self.pfn(task, c, offset) as u32;
        self.revoke(pfn, Rights::W);
    }

    fn event(&mut self, e: FsEvent) {
        self.events.push(e);
    }
}
