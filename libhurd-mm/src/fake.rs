//! A small in-memory stand-in for core and physmem, for the pager's tests. It honours the
//! protocol (allocate, map, deallocate over a byte array; OutOfMemory past its capacity) and
//! plays the CPU: an access through a missing or too-weak mapping faults to the pager.

use crate::env::{Access, FaultMsg, PagerEnv, PagerEvent, RefBits, Segv};
use crate::pager::{MemoryManager, MmConfig};
use crate::policy::PolicyKind;
use crate::region::{Prot, RegionKind};
use physmem::{Handle, MapItem, Pfn, PhysmemError, Reply, Request, Rights, PAGE_SIZE};
use std::collections::BTreeMap;

/// The container handle the fake hands out.
pub const CONTAINER: Handle = Handle(77);

/// A fresh read-write anonymous region of `pages` pages: its address.
pub fn anon(mm: &mut MemoryManager, env: &mut FakeEnv, pages: u32) -> u32 {
    mm.mmap(
        env,
        None,
        pages * PAGE_SIZE,
        Prot::RW,
        RegionKind::Anonymous,
    )
    .unwrap()
}

type Chooser = Box<dyn FnMut(&[u32]) -> Option<u32>>;

/// Fake core + physmem for one task.
pub struct FakeEnv {
    /// Allocated container offsets and their bytes.
    pub frames: BTreeMap<u32, Vec<u8>>,
    /// How many frames physmem can give at most.
    pub capacity: usize,
    /// The task's mappings: page -> (offset, rights).
    pub mapped: BTreeMap<u32, (u32, Rights)>,
    /// Referenced/dirty bits of mapped pages.
    pub bits: BTreeMap<u32, RefBits>,
    /// Every event the pager recorded.
    pub events: Vec<PagerEvent>,
    /// Every request sent to physmem.
    pub requests: Vec<Request>,
    /// The workload's eviction callback, if any.
    pub callback: Option<Chooser>,
}

impl FakeEnv {
    pub fn new(capacity: usize) -> FakeEnv {
        FakeEnv {
            frames: BTreeMap::new(),
            capacity,
            mapped: BTreeMap::new(),
            bits: BTreeMap::new(),
            events: Vec::new(),
            requests: Vec::new(),
            callback: None,
        }
    }

    /// A manager and an env with plenty of physmem frames.
    pub fn setup(frames: u32, policy: PolicyKind) -> (MemoryManager, FakeEnv) {
        let mm = MemoryManager::new(MmConfig {
            container: CONTAINER,
            frames,
            policy,
            seed: 5,
            oracle: false,
        });
        (mm, FakeEnv::new(1024))
    }

    fn allowed(&self, page: u32, access: Access) -> Option<u32> {
        let &(offset, rights) = self.mapped.get(&page)?;
        let need = match access {
            Access::Read => Rights::R,
            Access::Write => Rights::W,
            Access::Execute => Rights::X,
        };
        rights.contains(need).then_some(offset)
    }

    /// Play the CPU: access `vaddr`, faulting to the pager until the mapping allows it.
    pub fn touch(
        &mut self,
        mm: &mut MemoryManager,
        vaddr: u32,
        access: Access,
    ) -> Result<u32, Segv> {
        let page = vaddr & !(PAGE_SIZE - 1);
        for _ in 0..3 {
            if let Some(offset) = self.allowed(page, access) {
                let b = self.bits.entry(page).or_default();
                b.referenced = true;
                b.dirty |= access == Access::Write;
                return Ok(offset);
            }
            mm.handle_fault(
                self,
                FaultMsg {
                    addr: vaddr,
                    access,
                    ip: 0x40_0000,
                },
            )?;
        }
        panic!("touch: the pager said Ok three times but {vaddr:#x} is still not accessible");
    }

    /// Store a byte.
    pub fn write(&mut self, mm: &mut MemoryManager, vaddr: u32, byte: u8) -> Result<(), Segv> {
        let offset = self.touch(mm, vaddr, Access::Write)?;
        self.frames.get_mut(&offset).expect("mapped frame")[(vaddr % PAGE_SIZE) as usize] = byte;
        Ok(())
    }

    /// Load a byte.
    pub fn read(&mut self, mm: &mut MemoryManager, vaddr: u32) -> Result<u8, Segv> {
        let offset = self.touch(mm, vaddr, Access::Read)?;
        Ok(self.frames[&offset][(vaddr % PAGE_SIZE) as usize])
    }

    /// physmem revokes every mapping ("L4 is a cache of mappings").
    pub fn revoke_all(&mut self) {
        self.mapped.clear();
    }

    /// How many events match.
    pub fn count(&self, pred: impl Fn(&PagerEvent) -> bool) -> usize {
        self.events.iter().filter(|e| pred(e)).count()
    }
}

impl PagerEnv for FakeEnv {
    fn physmem(&mut self, req: Request) -> Result<Reply, PhysmemError> {
        self.requests.push(req.clone());
        match req {
            Request::ContainerAllocate {
                container,
                start,
                size,
            } => {
                if container != CONTAINER {
                    return Err(PhysmemError::PermissionDenied(container));
                }
                if start % PAGE_SIZE != 0 || size != PAGE_SIZE {
                    return Err(PhysmemError::InvalidRange { start, size });
                }
                if self.frames.contains_key(&start) {
                    return Err(PhysmemError::AlreadyAllocated(start));
                }
                if self.frames.len() >= self.capacity {
                    return Err(PhysmemError::OutOfMemory {
                        guaranteed: self.capacity as u32,
                    });
                }
                // Lazy binding zeroes the frame: a fresh allocation reads as zero.
                self.frames.insert(start, vec![0; PAGE_SIZE as usize]);
                Ok(Reply::Amount(size))
            }
            Request::ContainerDeallocate {
                container, start, ..
            } => {
                if container != CONTAINER {
                    return Err(PhysmemError::PermissionDenied(container));
                }
                self.frames
                    .remove(&start)
                    .ok_or(PhysmemError::NotAllocated(start))?;
                self.mapped.retain(|_, (o, _)| *o != start);
                Ok(Reply::Done)
            }
            Request::ContainerMap {
                container,
                rights,
                vaddr,
                index,
                size,
            } => {
                if container != CONTAINER {
                    return Err(PhysmemError::PermissionDenied(container));
                }
                if size != PAGE_SIZE || !self.frames.contains_key(&index) {
                    return Err(PhysmemError::NotAllocated(index));
                }
                self.mapped.insert(vaddr, (index, rights));
                self.bits.insert(vaddr, RefBits::default());
                Ok(Reply::Mapped {
                    items: vec![MapItem {
                        vaddr,
                        pfn: Pfn(index / PAGE_SIZE),
                        log2_size: 12,
                        rights,
                    }]
                    .into(),
                    next: None,
                })
            }
            Request::FramesReturned { .. } => Ok(Reply::Done),
            _ => Err(PhysmemError::NotSupported),
        }
    }
    fn unmap(&mut self, vaddr: u32) -> RefBits {
        self.mapped.remove(&vaddr);
        self.bits.remove(&vaddr).unwrap_or_default()
    }
    fn sample(&mut self, vaddr: u32) -> RefBits {
        self.bits
            .get_mut(&vaddr)
            .map(std::mem::take)
            .unwrap_or_default()
    }
    fn read_page(&mut self, _container: Handle, offset: u32, buf: &mut [u8]) {
        if let Some(f) = self.frames.get(&offset) {
            buf.copy_from_slice(f);
        }
    }
    fn write_page(&mut self, _container: Handle, offset: u32, data: &[u8]) {
        if let Some(f) = self.frames.get_mut(&offset) {
            f.copy_from_slice(data);
        }
    }
    fn ask_callback(&mut self, candidates: &[u32]) -> Option<u32> {
        let cb = self.callback.as_mut()?;
        cb(candidates).filter(|c| candidates.contains(c))
    }
    fn event(&mut self, e: PagerEvent) {
        self.events.push(e);
    }
}
