//! The pager: one [`MemoryManager`] per task, running as the task's pager thread.
//!
//! Page life: a fault inside a region with the right protection gets a frame slot (a new
//! container page while the task holds fewer than its limit, else the policy's victim), the
//! page is mapped from the container with the region's rights, and its contents come from
//! swap (page-in), the program image, or zeroes. The pager sees only fault messages, the
//! referenced/dirty bits that unmap and status flushes return, its container and its hints.

mod eviction;
mod fault;
mod frames;
mod live;
mod page_in;
#[cfg(test)]
mod tests;

pub(crate) use live::hints_for;
pub(crate) use page_in::map_page;

use crate::env::{PagerEnv, PagerEvent};
use crate::error::MmError;
use crate::offsets::Offsets;
use crate::pages::PageMap;
use crate::policy::{self, EvictionPolicy, PolicyKind};
use crate::region::{page_of, AddressSpace};
use crate::store::{FileTable, SwapStore};
use crate::Stats;
use physmem::Handle;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How a task's memory manager starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MmConfig {
    /// The task's container (frames are allocated into it).
    pub container: Handle,
    /// How many frames it may hold: guarantee plus the extra frames it is allowed.
    pub frames: u32,
    /// The eviction policy to start with.
    pub policy: PolicyKind,
    /// Seed of the random policy.
    pub seed: u64,
    /// Oracle mode: core reports every access (`oracle_access`), so LRU is exact. A teaching
    /// aid no real pager has; policy names say "oracle".
    pub oracle: bool,
}

/// What the pager knows about a resident page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Page {
    /// Container offset of its frame.
    pub offset: u32,
    /// Dirty as far as the pager has learnt (status flushes clear the hardware bit).
    pub dirty: bool,
    /// Accessed since it was brought in.
    pub used: bool,
    /// Shared copy-on-write with another task's container since a fork: mapped without W
    /// until the task writes, when physmem makes the private copy.
    pub cow: bool,
}

/// Why a page is being brought in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cause {
    /// The task touched it.
    Fault,
    /// A will-need hint.
    Prefetch,
    /// It is being pinned.
    Pin,
}

/// Each task's memory manager: address space, stores, policy, and the pager's bookkeeping.
#[derive(Clone)]
pub struct MemoryManager {
    pub(crate) container: Handle,
    pub(crate) limit: u32,
    pub(crate) seed: u64,
    pub(crate) oracle: bool,
    pub(crate) space: AddressSpace,
    /// Resident pages by page address.
    pub(crate) resident: PageMap<Page>,
    /// Container offsets this task holds (allocated in its container).
    pub(crate) held: Offsets,
    /// Held offsets that hold no page.
    pub(crate) spare: BTreeSet<u32>,
    pub(crate) swap: SwapStore,
    /// Open files and mapped shared file pages (the file store).
    pub(crate) files: FileTable,
    /// Pages whose frame physmem reclaimed: their data is gone.
    pub(crate) lost: BTreeSet<u32>,
    /// Pages never chosen as victims (the eviction callback's code and stack).
    pub(crate) pinned: BTreeSet<u32>,
    /// Pages excluded from eviction during one operation (a prefetch batch).
    pub(crate) busy: BTreeSet<u32>,
    pub(crate) policy: Box<dyn EvictionPolicy>,
    /// Events produced without an env at hand, delivered at the next call that has one.
    pub(crate) pending: Vec<PagerEvent>,
    pub(crate) stats: Stats,
}

impl MemoryManager {
    /// A memory manager for one task, holding no frames yet. OPT cannot run live: asked for
    /// it, the manager uses approximate LRU (the 2005 default) and records a
    /// `PolicyUnavailable` event; use [`MemoryManager::try_new`] to get an error instead.
    pub fn new(cfg: MmConfig) -> MemoryManager {
        let asked = cfg.policy;
        let kind = if asked.is_live() {
            asked
        } else {
            PolicyKind::Lru
        };
        let policy = policy::build(kind, cfg.seed, cfg.oracle);
        let mut pending = Vec::new();
        if !asked.is_live() {
            pending.push(PagerEvent::PolicyUnavailable {
                asked: policy::build(asked, cfg.seed, cfg.oracle).name(),
                using: policy.name(),
                reason: MmError::OfflinePolicy.to_string(),
            });
        }
        MemoryManager {
            container: cfg.container,
            limit: cfg.frames,
            seed: cfg.seed,
            oracle: cfg.oracle,
            space: AddressSpace::new(),
            resident: PageMap::default(),
            held: Offsets::default(),
            spare: BTreeSet::new(),
            swap: SwapStore::new(),
            files: FileTable::default(),
            lost: BTreeSet::new(),
            pinned: BTreeSet::new(),
            busy: BTreeSet::new(),
            policy,
            pending,
            stats: Stats::default(),
        }
    }

    /// Like [`MemoryManager::new`], but refuses a policy a live pager cannot run.
    ///
    /// # Errors
    /// `OfflinePolicy` if asked to start with OPT.
    pub fn try_new(cfg: MmConfig) -> Result<MemoryManager, MmError> {
        if !cfg.policy.is_live() {
            return Err(MmError::OfflinePolicy);
        }
        Ok(MemoryManager::new(cfg))
    }

    /// Deliver events recorded while no env was at hand.
    pub(crate) fn flush(&mut self, env: &mut dyn PagerEnv) {
        for e in self.pending.drain(..) {
            env.event(e);
        }
    }
    /// Switch the eviction policy at run time; resident pages stay, in the old policy's order.
    ///
    /// # Errors
    /// `OfflinePolicy` for OPT.
    pub fn set_policy(&mut self, kind: PolicyKind) -> Result<(), MmError> {
        if !kind.is_live() {
            return Err(MmError::OfflinePolicy);
        }
        let order = self.policy.queue(&self.view()).entries;
        let mut next = policy::build(kind, self.seed, self.oracle);
        let mut seen = BTreeSet::new();
        for e in order {
            if self.resident.contains(e.vaddr) && seen.insert(e.vaddr) {
                next.insert(e.vaddr);
            }
        }
        for (page, _) in self.resident.iter() {
            if seen.insert(page) {
                next.insert(page);
            }
        }
        self.pending.push(PagerEvent::PolicySwitch {
            from: self.policy.name(),
            to: next.name(),
        });
        self.policy = next;
        Ok(())
    }

    /// Oracle mode only: core reports an access to `vaddr` (a real pager never sees this).
    pub fn oracle_access(&mut self, vaddr: u32) {
        if !self.oracle {
            return;
        }
        let page = page_of(vaddr);
        if let Some(p) = self.resident.get_mut(page) {
            p.used = true;
            self.policy.access(page);
        }
    }
}
