//! What a task's pager can do in the kernel: its `PagerEnv`. Every RPC to physmem is an IPC
//! recorded in the trace; map items in physmem's replies land in the task's page tables.

use libhurd_mm::store::{FileError, FileGrant, FileOpened};
use libhurd_mm::{PagerEnv, PagerEvent, RefBits};
use physmem::{Effect, Handle, PhysmemError, Reply, Request, Rights, TaskId};
use x86_emu::{Pfn, PhysAddr, PAGE_SIZE};

use crate::kernel::System;
use crate::pagetable::{self, OldPte};
use crate::trace::{Endpoint, Event, Words};

/// The kernel as one task's pager sees it.
pub(crate) struct Env<'a> {
    pub sys: &'a mut System,
    pub task: u32,
}

impl<'a> Env<'a> {
    /// The environment of task `task`'s pager (0 for the kernel itself).
    pub fn new(sys: &'a mut System, task: u32) -> Env<'a> {
        Env { sys, task }
    }

    fn cr3_of(&self, task: u32) -> Option<PhysAddr> {
        self.sys.tasks.get(task).map(|t| t.cr3)
    }

    /// Applies physmem's effects in order; those that need a memory manager wait in `pending`.
    pub fn apply_effects(&mut self, effects: impl IntoIterator<Item = Effect>) {
        for effect in effects {
            match effect {
                Effect::Zero(pfn) => {
                    self.zero_frame(pfn.0);
                    self.sys.emit(0, Event::FrameZeroed { pfn: pfn.0 });
                }
                Effect::Copy { from, to } => {
                    let mut buf = [0u8; PAGE_SIZE as usize];
                    self.read_frame(from.0, &mut buf);
                    self.write_frame(to.0, &buf);
                    self.sys.emit(
                        0,
                        Event::FrameCopied {
                            from: from.0,
                            to: to.0,
                        },
                    );
                }
                Effect::Revoke { pfn, rights } => self.revoke(pfn.0, rights),
                e @ (Effect::ReturnFrames { .. } | Effect::Reclaimed { .. }) => {
                    self.sys.pending.push_back(e)
                }
            }
        }
    }

    fn read_frame(&self, pfn: u32, buf: &mut [u8]) {
        self.sys
            .machine
            .read_phys(PhysAddr(pfn * PAGE_SIZE), buf)
            .unwrap_or_else(|e| panic!("Env::read_frame: frame {pfn}: {e}"));
    }

    fn write_frame(&mut self, pfn: u32, data: &[u8]) {
        self.sys
            .machine
            .write_phys(PhysAddr(pfn * PAGE_SIZE), data)
            .unwrap_or_else(|e| panic!("Env::write_frame: frame {pfn}: {e}"));
    }

    /// Zeroes a frame: a fill, like physmem's own zeroing natively (never a copy of
    /// [`physmem::ZERO_PAGE`]; see [`x86_emu::Machine::zero_phys`]).
    fn zero_frame(&mut self, pfn: u32) {
        self.sys
            .machine
            .zero_phys(PhysAddr(pfn * PAGE_SIZE), PAGE_SIZE as usize)
            .unwrap_or_else(|e| panic!("Env::zero_frame: frame {pfn}: {e}"));
    }

    /// Takes `rights` away from every mapping of a frame, recursively.
    pub(crate) fn revoke(&mut self, pfn: u32, rights: Rights) {
        let places = self.sys.mapdb.places_of(pfn);
        let remove = rights.contains(Rights::R);
        let mut touched = 0;
        for (task, va) in places {
            if remove {
                for ((t, v), _) in self.sys.mapdb.remove_tree((task, va)) {
                    touched += 1;
                    self.unmap_pte(t, v);
                }
            } else {
                for (t, v) in self
                    .sys
                    .mapdb
                    .restrict_tree((task, va), Rights::RWX.without(rights))
                {
                    touched += 1;
                    if let Some(cr3) = self.cr3_of(t) {
                        if let Some((_, flush)) =
                            pagetable::write_protect(&mut self.sys.machine, cr3, v)
                        {
                            self.flush(flush, cr3);
                        }
                    }
                }
            }
        }
        self.sys.emit(
            0,
            Event::Revoked {
                pfn,
                rights,
                mappings: touched,
            },
        );
    }

    fn flush(&mut self, flush: pagetable::Flush, cr3: PhysAddr) {
        if self.sys.config.invlpg {
            flush.apply(&mut self.sys.machine, cr3);
        } else {
            flush.forget();
        }
    }

    /// Clears a PTE (the mapping database entry is already gone) and reports its bits.
    fn unmap_pte(&mut self, task: u32, va: u32) -> Option<OldPte> {
        let cr3 = self.cr3_of(task)?;
        let (old, flush) = pagetable::unmap(&mut self.sys.machine, cr3, va)?;
        self.flush(flush, cr3);
        self.sys.emit(
            0,
            Event::Unmapped {
                task,
                vaddr: va,
                pfn: old.pfn.0,
                referenced: old.accessed,
                dirty: old.dirty,
            },
        );
        Some(old)
    }

    /// Installs one page of a map item in this task; replaces an older mapping there.
    fn install(&mut self, va: u32, pfn: u32, rights: Rights) -> Result<(), String> {
        let cr3 = self.cr3_of(self.task).ok_or("no such task")?;
        if self.sys.mapdb.get((self.task, va)).is_some() {
            for ((t, v), _) in self.sys.mapdb.remove_tree((self.task, va)) {
                self.unmap_pte(t, v);
            }
        }
        let writable = rights.contains(Rights::W);
        let flush = pagetable::map(
            &mut self.sys.machine,
            &mut self.sys.pool,
            cr3,
            va,
            Pfn(pfn),
            writable,
        )
        .ok_or("the kernel has no frame left for a page table")?;
        self.flush(flush, cr3);
        self.sys.mapdb.insert((self.task, va), pfn, rights, None);
        self.sys.emit(
            0,
            Event::Mapped {
                task: self.task,
                vaddr: va,
                pfn,
                rights,
            },
        );
        Ok(())
    }

    pub(crate) fn frame_of(&self, container: Handle, offset: u32) -> u32 {
        // The pager only reads and writes pages it holds; anything else is a pager bug.
        self.sys
            .physmem
            .frame_at(TaskId(self.task), container, offset)
            .unwrap_or_else(|| {
                panic!(
                    "Env::frame_of: task {} has no frame at {offset:#x}",
                    self.task
                )
            })
            .0
    }
}

impl PagerEnv for Env<'_> {
    fn physmem(&mut self, req: Request) -> Result<Reply, PhysmemError> {
        let cost = self.sys.config.ipc_cost;
        let task = self.task;
        self.sys.emit(
            cost,
            Event::Ipc {
                from: crate::files::endpoint(task),
                to: Endpoint::Physmem,
                label: req.label(),
                words: Words::new(),
            },
        );
        self.sys.emit(
            0,
            Event::Rpc {
                task,
                request: req.clone(),
            },
        );
        if let Some(t) = self.sys.tasks.get_mut(task) {
            t.counters.rpcs += 1;
        }
        let mut effects = std::mem::take(&mut self.sys.effects);
        let mut result = self.sys.physmem.serve(TaskId(task), req, &mut effects);
        self.apply_effects(effects.drain(..));
        self.sys.effects = effects;
        let mut refused = false;
        // A server without an address space (the file server) binds frames but maps nothing.
        let has_space = self.sys.tasks.get(task).is_some();
        if let (Ok(Reply::Mapped { items, .. }), true) = (&result, has_space) {
            for item in items {
                let pages = 1u32 << item.log2_size.saturating_sub(12);
                for i in 0..pages {
                    let va = item.vaddr + i * PAGE_SIZE;
                    if let Err(reason) = self.install(va, item.pfn.0 + i, item.rights) {
                        // Not physmem's doing: the kernel could not hold the mapping. The
                        // pager sees a failed map; the kernel kills the task with this reason.
                        self.sys.kernel_error = Some(reason.to_string());
                        refused = true;
                    }
                }
            }
        }
        if refused {
            result = Err(PhysmemError::OutOfMemory { guaranteed: 0 });
        }
        self.sys.emit(
            cost,
            Event::RpcReply {
                task,
                result: result.clone(),
            },
        );
        self.sys.emit(
            0,
            Event::Ipc {
                from: Endpoint::Physmem,
                to: crate::files::endpoint(task),
                label: 0,
                words: Words::new(),
            },
        );
        result
    }

    fn unmap(&mut self, vaddr: u32) -> RefBits {
        let task = self.task;
        let mut bits = RefBits::default();
        for ((t, v), _) in self.sys.mapdb.remove_tree((task, vaddr)) {
            if let Some(old) = self.unmap_pte(t, v) {
                if t == task && v == vaddr {
                    bits = RefBits {
                        referenced: old.accessed,
                        dirty: old.dirty,
                    };
                }
            }
        }
        bits
    }

    fn sample(&mut self, vaddr: u32) -> RefBits {
        let Some(cr3) = self.cr3_of(self.task) else {
            return RefBits::default();
        };
        match pagetable::sample(&mut self.sys.machine, cr3, vaddr) {
            Some((old, flush)) => {
                // A cleared A bit is set again only by a walk: the TLB entry must go (unless
                // the scenario shows what a forgotten INVLPG does).
                if let Some(flush) = flush {
                    self.flush(flush, cr3);
                }
                RefBits {
                    referenced: old.accessed,
                    dirty: old.dirty,
                }
            }
            None => RefBits::default(),
        }
    }

    fn read_page(&mut self, container: Handle, offset: u32, buf: &mut [u8]) {
        let pfn = self.frame_of(container, offset);
        self.read_frame(pfn, buf);
    }

    fn write_page(&mut self, container: Handle, offset: u32, data: &[u8]) {
        let pfn = self.frame_of(container, offset);
        self.write_frame(pfn, data);
    }

    fn zero_page(&mut self, container: Handle, offset: u32) {
        let pfn = self.frame_of(container, offset);
        self.zero_frame(pfn);
    }

    fn ask_callback(&mut self, candidates: &[u32]) -> Option<u32> {
        let (entry, stack_top) = self.sys.tasks.get(self.task)?.eviction_callback?;
        let cr3 = self.cr3_of(self.task)?;
        let (answer, instructions, outcome) =
            crate::callback::run(&mut self.sys.machine, cr3, entry, stack_top, candidates);
        self.sys.time += instructions;
        self.sys.emit(
            0,
            Event::Callback {
                task: self.task,
                candidates: candidates.len() as u32,
                answer,
                instructions,
                outcome,
            },
        );
        answer
    }

    fn file_open(&mut self, path: &str, write: bool) -> Result<FileOpened, FileError> {
        crate::files::open(self.sys, self.task, path, write)
    }

    fn file_close(&mut self, open: u32) {
        crate::files::close(self.sys, self.task, open);
    }

    fn file_page(&mut self, open: u32, offset: u32, write: bool) -> Result<FileGrant, FileError> {
        crate::files::page(self.sys, self.task, open, offset, write)
    }

    fn file_sync(&mut self, open: u32, start: u32, end: u32) -> Result<(), FileError> {
        crate::files::sync(self.sys, self.task, open, start, end)
    }

    fn event(&mut self, event: PagerEvent) {
        let cost = if event.is_page_io() {
            self.sys.config.page_io_cost
        } else {
            0
        };
        let task = self.task;
        self.sys.emit(cost, Event::Pager { task, event });
    }
}
