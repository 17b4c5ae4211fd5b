//! The pager: one [`MemoryManager`] per task, running as the task's pager thread.
//!
//! Page life: a fault inside a region with the right protection gets a frame slot (a new
//! container page while the task holds fewer than its limit, else the policy's victim), the
//! page is mapped from the container with the region's rights, and its contents come from
//! swap (page-in), the program image, or zeroes. The pager sees only fault messages, the
//! referenced/dirty bits that unmap and status flushes return, its container and its hints.

use crate::env::{Access, FaultMsg, PagerEnv, PagerEvent, Segv};
use crate::error::MmError;
use crate::offsets::Offsets;
use crate::pages::PageMap;
use crate::policy::{self, EvictionPolicy, PageHints, PolicyContext, PolicyKind, Victim};
use crate::region::{page_of, AddressSpace, Prot, Region, RegionKind, USER_BASE, USER_TOP};
use crate::store::{FileTable, SwapStore};
use crate::Stats;
use physmem::{Handle, PhysmemError, Reply, Request, Rights, PAGE_SIZE};
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

/// The policy's view of the live task: samples go to L4, hints come from regions.
pub(crate) struct Live<'a> {
    pub env: &'a mut dyn PagerEnv,
    pub resident: &'a mut PageMap<Page>,
    pub space: &'a AddressSpace,
    pub pinned: &'a BTreeSet<u32>,
    pub busy: &'a BTreeSet<u32>,
    /// Under memory pressure: treat every non-discardable page as pinned.
    pub only_discardable: bool,
}

/// The hints of one page: its region's, plus whether it was used.
pub(crate) fn hints_for(space: &AddressSpace, resident: &PageMap<Page>, page: u32) -> PageHints {
    let used = resident.get(page).is_some_and(|p| p.used);
    match space.find(page) {
        Some(r) => PageHints {
            priority: r.priority,
            discardable: r.kind() == RegionKind::Discardable,
            read_once: r.read_once,
            used,
        },
        None => PageHints {
            used,
            ..PageHints::default()
        },
    }
}

impl PolicyContext for Live<'_> {
    fn pinned(&self, page: u32) -> bool {
        self.pinned.contains(&page)
            || self.busy.contains(&page)
            || (self.only_discardable && !hints_for(self.space, self.resident, page).discardable)
    }
    fn hints(&self, page: u32) -> PageHints {
        hints_for(self.space, self.resident, page)
    }
    fn referenced(&mut self, page: u32) -> bool {
        let bits = self.env.sample(page);
        if let Some(p) = self.resident.get_mut(page) {
            p.dirty |= bits.dirty;
            p.used |= bits.referenced;
        }
        bits.referenced
    }
    fn ask_callback(&mut self, candidates: &[u32]) -> Option<u32> {
        self.env.ask_callback(candidates)
    }
    fn future(&self) -> Option<&[u32]> {
        None
    }
}

/// Build a [`Live`] context from the manager's fields (a macro, so the borrow of
/// `self.policy` stays separate).
macro_rules! live {
    ($mm:expr, $env:expr, $only_discardable:expr) => {
        Live {
            env: $env,
            resident: &mut $mm.resident,
            space: &$mm.space,
            pinned: &$mm.pinned,
            busy: &$mm.busy,
            only_discardable: $only_discardable,
        }
    };
}

/// Map one page of the container at `vaddr`, looping while physmem says there is more.
pub(crate) fn map_page(
    env: &mut dyn PagerEnv,
    container: Handle,
    vaddr: u32,
    offset: u32,
    rights: Rights,
) -> Result<(), String> {
    let end = offset + PAGE_SIZE;
    let mut index = offset;
    while index < end {
        let req = Request::ContainerMap {
            container,
            rights,
            vaddr: vaddr + (index - offset),
            index,
            size: end - index,
        };
        match env.physmem(req) {
            Ok(Reply::Mapped { next: None, .. }) => return Ok(()),
            Ok(Reply::Mapped { next: Some(n), .. }) if n > index => index = n,
            Ok(other) => return Err(format!("physmem answered a map with {other:?}")),
            Err(e) => return Err(format!("physmem refused to map page {vaddr:#x}: {e}")),
        }
    }
    Ok(())
}

/// Check the access against the region's protection.
fn check_access(r: &Region, access: Access) -> Result<(), String> {
    let (needed, what) = match access {
        Access::Read => (Prot::R, "read from"),
        Access::Write => (Prot::W, "write to"),
        Access::Execute => (Prot::X, "execute in"),
    };
    if r.prot.contains(needed) {
        return Ok(());
    }
    let kind = match access {
        Access::Write if r.prot.contains(Prot::R) => "read-only ",
        Access::Execute => "non-executable ",
        _ if r.prot == Prot::NONE => "no-access ",
        _ => "",
    };
    Err(format!(
        "{what} {kind}region {:#x}..{:#x} ({}, {})",
        r.start, r.end, r.name, r.prot
    ))
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

    /// Serve one page fault. `Ok` means: reply empty, the thread resumes and retries.
    ///
    /// # Errors
    /// A [`Segv`] whose reason a student can read: no region, wrong protection, or no frame.
    pub fn handle_fault(&mut self, env: &mut dyn PagerEnv, f: FaultMsg) -> Result<(), Segv> {
        self.flush(env);
        self.stats.faults += 1;
        self.fault(env, f).map_err(|reason| {
            self.stats.segvs += 1;
            env.event(PagerEvent::Segv {
                addr: f.addr,
                reason: reason.clone(),
            });
            Segv {
                addr: f.addr,
                reason,
            }
        })
    }

    fn fault(&mut self, env: &mut dyn PagerEnv, f: FaultMsg) -> Result<(), String> {
        let page = page_of(f.addr);
        let Some(region) = self.space.find(f.addr) else {
            let null = if f.addr < USER_BASE {
                " (page 0 is never mapped: a null pointer?)"
            } else if f.addr >= USER_TOP {
                " (kernel-reserved space)"
            } else {
                ""
            };
            return Err(format!("address {:#x} is not in any region{null}", f.addr));
        };
        check_access(region, f.access)?;
        let rights = region.prot.rights();
        // Sample referenced bits for the policy before it may have to choose.
        self.policy.tick(&mut live!(self, env, false));
        if let Some(r) = self.file_fault(env, page, f.access) {
            return r;
        }
        if let Some(p) = self.resident.get_mut(page) {
            // Resident but not mapped: the mapping was revoked ("a cache of mappings").
            p.used = true;
            let offset = p.offset;
            // A copy-on-write page is mapped read-only until it is written; asking for W
            // is what makes physmem break the sharing and copy the frame.
            let rights = if p.cow && f.access != Access::Write {
                rights.without(Rights::W)
            } else {
                p.cow = false;
                rights
            };
            map_page(env, self.container, page, offset, rights)?;
            self.stats.remaps += 1;
            env.event(PagerEvent::Remap {
                vaddr: page,
                offset,
            });
            return Ok(());
        }
        self.bring_in(env, page, Cause::Fault)
    }

    /// Make `page` resident and mapped: take a frame slot, map it, fill it.
    pub(crate) fn bring_in(
        &mut self,
        env: &mut dyn PagerEnv,
        page: u32,
        cause: Cause,
    ) -> Result<(), String> {
        if let Some(r) = self.file_fault(env, page, Access::Read) {
            return r;
        }
        let Some(region) = self.space.find(page) else {
            return Err(format!("address {page:#x} is not in any region"));
        };
        let rights = region.prot.rights();
        // Program pages fill from the image; a read-only one even after physmem reclaimed its
        // frame, since the image still holds its contents.
        let from_image = region.kind() == RegionKind::Image;
        let regenerable = from_image && !region.prot.contains(Prot::W);
        let (mut offset, mut fresh) = self.take_slot(env)?;
        if let Err(e) = map_page(env, self.container, page, offset, rights) {
            if !fresh || self.held.len() <= 1 {
                self.spare.insert(offset);
                return Err(e);
            }
            // physmem reserved the offset but could bind no frame to it (frames are bound
            // lazily, at first map): give the offset back, stop asking for more than this
            // task holds, and page within its own frames instead.
            env.event(PagerEvent::AllocRefused { reason: e });
            self.deallocate(env, offset, None);
            self.limit = self.held.len() as u32;
            let victim = self.choose_victim(env, false)?;
            (offset, fresh) = self.evict(env, victim)?;
            if let Err(e) = map_page(env, self.container, page, offset, rights) {
                self.spare.insert(offset);
                return Err(e);
            }
        }
        let container = self.container;
        let mut dirty = false;
        if let Some((slot, data)) = self.swap.take(page) {
            env.write_page(container, offset, &data);
            self.swap.recycle(data);
            self.stats.page_ins += 1;
            env.event(PagerEvent::PageIn {
                vaddr: page,
                offset,
                slot,
            });
            // The frame now holds the only copy.
            dirty = true;
        } else {
            let was_lost = self.lost.remove(&page);
            let image = if from_image && (!was_lost || regenerable) {
                self.space
                    .find(page)
                    .and_then(|r| r.backing.initial(page - r.start))
            } else {
                None
            };
            match image {
                None => {
                    // physmem zeroes a frame when it binds it; a reused frame holds old data
                    // and is zeroed here, to read as fresh.
                    if !fresh {
                        env.zero_page(container, offset);
                    }
                    self.stats.zero_fills += 1;
                    env.event(PagerEvent::ZeroFill {
                        vaddr: page,
                        offset,
                    });
                    if was_lost {
                        env.event(PagerEvent::LostPage { vaddr: page });
                    }
                }
                Some(bytes) => {
                    env.write_page(container, offset, &bytes);
                    self.stats.image_fills += 1;
                    env.event(PagerEvent::ImageFill {
                        vaddr: page,
                        offset,
                    });
                }
            }
        }
        let used = cause == Cause::Fault;
        self.resident.insert(
            page,
            Page {
                offset,
                dirty,
                used,
                cow: false,
            },
        );
        self.policy.insert(page);
        if cause == Cause::Prefetch {
            self.stats.prefetches += 1;
            env.event(PagerEvent::Prefetch { vaddr: page });
        }
        Ok(())
    }

    /// A container offset to put a page in, and whether its frame is fresh (zeroed by physmem).
    pub(crate) fn take_slot(&mut self, env: &mut dyn PagerEnv) -> Result<(u32, bool), String> {
        if let Some(o) = self.spare.pop_first() {
            return Ok((o, false));
        }
        let mut refused = None;
        if (self.held.len() as u32) < self.limit {
            let start = self.held.lowest_free();
            let req = Request::ContainerAllocate {
                container: self.container,
                start,
                size: PAGE_SIZE,
            };
            match env.physmem(req) {
                Ok(_) => {
                    self.held.insert(start);
                    self.stats.allocations += 1;
                    return Ok((start, true));
                }
                // Out of memory, memory short, ...: page within the frames already held.
                Err(e) => {
                    let reason = e.to_string();
                    env.event(PagerEvent::AllocRefused {
                        reason: reason.clone(),
                    });
                    refused = Some(reason);
                }
            }
        }
        match self.choose_victim(env, false) {
            Ok(v) => self.evict(env, v),
            Err(why) => Err(match refused {
                Some(r) => format!("{why}; physmem refused a new frame: {r}"),
                None => why,
            }),
        }
    }

    /// Whether the policy may take `page`'s frame.
    fn evictable(&self, page: u32) -> bool {
        self.resident.contains(page) && !self.pinned.contains(&page) && !self.busy.contains(&page)
    }

    /// Ask the policy for a victim and check its answer.
    pub(crate) fn choose_victim(
        &mut self,
        env: &mut dyn PagerEnv,
        only_discardable: bool,
    ) -> Result<Victim, String> {
        let choice = self.policy.choose(&mut live!(self, env, only_discardable));
        match choice {
            Some(v) if self.evictable(v.page) => Ok(v),
            Some(v) => Err(format!(
                "internal error: policy {} chose page {:#x}, which cannot be evicted",
                self.policy.name(),
                v.page
            )),
            None if self.held.is_empty() => Err(format!(
                "out of memory: this task holds no frames and may not get any (frame limit {})",
                self.limit
            )),
            None => Err(format!(
                "out of memory: all {} frames this task holds contain pinned pages, and it may not get more (frame limit {})",
                self.held.len(),
                self.limit
            )),
        }
    }

    /// Take the victim's frame: unmap it, write it to swap if dirty (or drop it if
    /// discardable), and return the container offset it freed.
    pub(crate) fn evict(
        &mut self,
        env: &mut dyn PagerEnv,
        v: Victim,
    ) -> Result<(u32, bool), String> {
        let bits = env.unmap(v.page);
        let Some(p) = self.resident.remove(v.page) else {
            return Err(format!(
                "internal error: evict: page {:#x} is not resident",
                v.page
            ));
        };
        self.policy.remove(v.page);
        self.stats.evictions += 1;
        env.event(PagerEvent::Evict {
            vaddr: v.page,
            policy: self.policy.name(),
            reason: v.reason,
        });
        let discardable = self
            .space
            .find(v.page)
            .is_some_and(|r| r.kind() == RegionKind::Discardable);
        if discardable {
            self.stats.discards += 1;
            env.event(PagerEvent::Discard { vaddr: v.page });
        } else if p.dirty || bits.dirty {
            let mut buf = self.swap.buffer();
            env.read_page(self.container, p.offset, &mut buf);
            let slot = self.swap.put(v.page, buf);
            self.stats.page_outs += 1;
            env.event(PagerEvent::PageOut {
                vaddr: v.page,
                offset: p.offset,
                slot,
            });
        }
        Ok((p.offset, false))
    }

    /// Give a held offset back to physmem. Returns whether the task no longer holds it.
    pub(crate) fn deallocate(
        &mut self,
        env: &mut dyn PagerEnv,
        offset: u32,
        vaddr: Option<u32>,
    ) -> bool {
        let req = Request::ContainerDeallocate {
            container: self.container,
            start: offset,
            size: PAGE_SIZE,
        };
        match env.physmem(req) {
            Ok(_) | Err(PhysmemError::NotAllocated(_)) => {
                self.held.remove(offset);
                self.spare.remove(&offset);
                self.stats.releases += 1;
                env.event(PagerEvent::Release { vaddr, offset });
                true
            }
            Err(_) => {
                self.spare.insert(offset);
                false
            }
        }
    }

    /// Drop a resident page without saving it and give its frame back (munmap, don't-need).
    pub(crate) fn release_page(&mut self, env: &mut dyn PagerEnv, page: u32) {
        let Some(p) = self.resident.remove(page) else {
            return;
        };
        env.unmap(page);
        self.policy.remove(page);
        self.deallocate(env, p.offset, Some(page));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeEnv, CONTAINER};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const LIVE: [PolicyKind; 7] = [
        PolicyKind::Fifo,
        PolicyKind::Clock,
        PolicyKind::Lru,
        PolicyKind::Mru,
        PolicyKind::Random,
        PolicyKind::App,
        PolicyKind::Callback,
    ];

    fn anon(mm: &mut MemoryManager, env: &mut FakeEnv, pages: u32) -> u32 {
        mm.mmap(
            env,
            None,
            pages * PAGE_SIZE,
            Prot::RW,
            RegionKind::Anonymous,
        )
        .unwrap()
    }

    #[test]
    fn first_touch_zero_fills_and_maps_with_the_regions_rights() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
        let a = anon(&mut mm, &mut env, 2);
        assert_eq!(a, 0x4000);
        assert_eq!(env.read(&mut mm, a + 5), Ok(0));
        assert_eq!(env.mapped.get(&a), Some(&(0, Rights(6))));
        assert!(env.requests.contains(&Request::ContainerAllocate {
            container: CONTAINER,
            start: 0,
            size: PAGE_SIZE
        }));
        assert_eq!(
            env.count(|e| matches!(
                e,
                PagerEvent::ZeroFill {
                    vaddr: 0x4000,
                    offset: 0
                }
            )),
            1
        );
        assert_eq!(mm.stats().faults, 1);
        assert_eq!(mm.frames_held(), 1);
        // The next page gets the next container offset.
        env.write(&mut mm, a + PAGE_SIZE, 1).unwrap();
        assert_eq!(mm.resident()[1].offset, PAGE_SIZE);
    }

    #[test]
    fn writing_read_only_text_is_a_segv_that_names_the_region() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
        mm.add_region(0x40_0000, 0x1000, Prot::READ | Prot::EXEC, vec![0x90, 0xC3])
            .unwrap();
        mm.add_region(0x40_1000, 0x1000, Prot::READ | Prot::WRITE, vec![0; 8])
            .unwrap();
        assert_eq!(mm.regions()[1].name, "bss");
        assert_eq!(env.read(&mut mm, 0x40_0001), Ok(0xC3));
        assert_eq!(
            env.mapped[&0x40_0000].1,
            Rights(5),
            "text is mapped without W"
        );
        let e = env.write(&mut mm, 0x40_0000, 1).unwrap_err();
        assert_eq!(e.addr, 0x40_0000);
        assert_eq!(
            e.reason,
            "write to read-only region 0x400000..0x401000 (text, r-x)"
        );
        assert_eq!(mm.stats().segvs, 1);
        assert_eq!(env.count(|e| matches!(e, PagerEvent::Segv { .. })), 1);
    }

    #[test]
    fn an_address_in_no_region_is_a_segv() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
        let e = env.read(&mut mm, 0).unwrap_err();
        assert_eq!(
            e.reason,
            "address 0x0 is not in any region (page 0 is never mapped: a null pointer?)"
        );
        let e = env.read(&mut mm, 0x9000).unwrap_err();
        assert_eq!(e.reason, "address 0x9000 is not in any region");
        assert_eq!(mm.frames_held(), 0);
    }

    #[test]
    fn program_pages_fill_from_the_image_and_bss_reads_zero() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Fifo);
        let mut data = vec![0u8; 0x1000 + 10];
        data[0x1000 + 3] = 42;
        mm.add_named_region(0x40_1000, 0x3000, Prot::RW, "data", data)
            .unwrap();
        assert_eq!(env.read(&mut mm, 0x40_2003), Ok(42));
        assert_eq!(env.read(&mut mm, 0x40_3000), Ok(0));
        assert_eq!(mm.stats().image_fills, 2);
    }

    #[test]
    fn page_out_then_page_in_preserves_every_byte_under_every_policy() {
        for kind in LIVE {
            let (mut mm, mut env) = FakeEnv::setup(1, kind);
            let a = anon(&mut mm, &mut env, 4);
            for i in 0..PAGE_SIZE {
                env.write(&mut mm, a + i, (i * 7 + 3) as u8).unwrap();
            }
            // With one frame, touching any other page must evict page 0 whatever the policy.
            for p in 1..4 {
                env.write(&mut mm, a + p * PAGE_SIZE, 9).unwrap();
            }
            assert!(mm.stats().page_outs >= 1, "{kind:?}");
            for i in 0..PAGE_SIZE {
                assert_eq!(
                    env.read(&mut mm, a + i),
                    Ok((i * 7 + 3) as u8),
                    "{kind:?} byte {i}"
                );
            }
            assert!(
                env.count(|e| matches!(e, PagerEvent::PageIn { vaddr: 0x4000, .. })) >= 1,
                "{kind:?}"
            );
            assert_eq!(mm.frames_held(), 1);
            assert_eq!(
                env.count(|e| matches!(e, PagerEvent::Evict { .. })),
                4,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn discardable_pages_come_back_zeroed_not_from_swap() {
        let (mut mm, mut env) = FakeEnv::setup(1, PolicyKind::Fifo);
        let d = mm
            .mmap(&mut env, None, PAGE_SIZE, Prot::RW, RegionKind::Discardable)
            .unwrap();
        let a = anon(&mut mm, &mut env, 1);
        env.write(&mut mm, d, 0xAA).unwrap();
        env.write(&mut mm, a, 0xBB).unwrap();
        assert_eq!(
            env.count(|e| matches!(e, PagerEvent::Discard { vaddr } if *vaddr == d)),
            1
        );
        assert_eq!(mm.stats().page_outs, 0);
        assert_eq!(mm.swap_used(), 0);
        assert_eq!(env.read(&mut mm, d), Ok(0));
        // The anonymous page, evicted dirty, comes back from swap.
        assert_eq!(env.read(&mut mm, a), Ok(0xBB));
    }

    #[test]
    fn a_revoked_mapping_is_mapped_again_without_a_new_frame() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
        let a = anon(&mut mm, &mut env, 1);
        env.write(&mut mm, a, 5).unwrap();
        env.revoke_all();
        assert_eq!(env.read(&mut mm, a), Ok(5));
        assert_eq!(mm.stats().remaps, 1);
        assert_eq!(mm.stats().allocations, 1);
    }

    #[test]
    fn physmem_out_of_frames_makes_the_pager_evict_instead() {
        let (mut mm, mut env) = FakeEnv::setup(10, PolicyKind::Fifo);
        env.capacity = 2;
        let a = anon(&mut mm, &mut env, 3);
        for p in 0..3 {
            env.write(&mut mm, a + p * PAGE_SIZE, p as u8 + 1).unwrap();
        }
        assert_eq!(mm.frames_held(), 2);
        assert_eq!(
            env.count(|e| matches!(e, PagerEvent::AllocRefused { .. })),
            1
        );
        assert_eq!(env.read(&mut mm, a), Ok(1));
    }

    #[test]
    fn when_every_frame_is_pinned_the_fault_is_a_clear_out_of_memory() {
        let (mut mm, mut env) = FakeEnv::setup(2, PolicyKind::Clock);
        env.capacity = 1;
        let a = anon(&mut mm, &mut env, 2);
        mm.pin(&mut env, a, PAGE_SIZE).unwrap();
        let e = env.read(&mut mm, a + PAGE_SIZE).unwrap_err();
        assert!(e.reason.starts_with("out of memory"), "{}", e.reason);
    }

    #[test]
    fn pinned_pages_are_never_evicted_by_any_policy() {
        for kind in LIVE {
            let (mut mm, mut env) = FakeEnv::setup(3, kind);
            let a = anon(&mut mm, &mut env, 8);
            mm.pin(&mut env, a, PAGE_SIZE).unwrap();
            env.callback = Some(Box::new(|c: &[u32]| c.first().copied()));
            for round in 0..3 {
                for p in 1..8 {
                    env.write(&mut mm, a + p * PAGE_SIZE, round).unwrap();
                }
            }
            assert!(
                mm.resident().iter().any(|r| r.vaddr == a && r.pinned),
                "{kind:?}"
            );
            assert_eq!(
                env.count(|e| matches!(e, PagerEvent::Evict { vaddr, .. } if *vaddr == a)),
                0
            );
        }
    }

    #[test]
    fn approximate_lru_evicts_the_page_not_referenced_lately() {
        let run = |kind| {
            let (mut mm, mut env) = FakeEnv::setup(3, kind);
            let a = anon(&mut mm, &mut env, 4);
            for p in [0, 1, 2, 0, 3] {
                env.read(&mut mm, a + p * PAGE_SIZE).unwrap();
            }
            env.events
                .iter()
                .find_map(|e| match e {
                    PagerEvent::Evict { vaddr, reason, .. } => Some((*vaddr, reason.clone())),
                    _ => None,
                })
                .unwrap()
        };
        let (fifo, _) = run(PolicyKind::Fifo);
        assert_eq!(
            fifo, 0x4000,
            "FIFO evicts the oldest page even though it was just used"
        );
        let (lru, why) = run(PolicyKind::Lru);
        assert_eq!(lru, 0x5000, "LRU keeps page 0, referenced since");
        assert!(why.starts_with("least recently used"), "{why}");
    }

    #[test]
    fn the_callback_chooses_and_a_bad_answer_falls_back_to_clock() {
        let (mut mm, mut env) = FakeEnv::setup(2, PolicyKind::Callback);
        let a = anon(&mut mm, &mut env, 3);
        env.callback = Some(Box::new(|c: &[u32]| c.last().copied()));
        for p in 0..3 {
            env.read(&mut mm, a + p * PAGE_SIZE).unwrap();
        }
        let reasons: Vec<String> = env
            .events
            .iter()
            .filter_map(|e| match e {
                PagerEvent::Evict { reason, .. } => Some(reason.clone()),
                _ => None,
            })
            .collect();
        assert!(reasons[0].contains("callback chose"), "{reasons:?}");
        env.callback = Some(Box::new(|_: &[u32]| Some(0xDEAD_0000)));
        let missing = (0..3)
            .map(|p| a + p * PAGE_SIZE)
            .find(|v| !mm.resident().iter().any(|r| r.vaddr == *v))
            .unwrap();
        env.read(&mut mm, missing).unwrap();
        let last = env.events.iter().rev().find_map(|e| match e {
            PagerEvent::Evict { reason, .. } => Some(reason.clone()),
            _ => None,
        });
        assert!(last.unwrap_or_default().contains("fell back to Clock"));
    }

    #[test]
    fn switching_policy_keeps_resident_pages_and_refuses_opt() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Fifo);
        let a = anon(&mut mm, &mut env, 3);
        for p in 0..3 {
            env.read(&mut mm, a + p * PAGE_SIZE).unwrap();
        }
        mm.set_policy(PolicyKind::Lru).unwrap();
        assert_eq!(mm.policy_queue().entries.len(), 3);
        assert!(mm.policy_name().contains("approximate"));
        assert_eq!(mm.set_policy(PolicyKind::Opt), Err(MmError::OfflinePolicy));
        assert_eq!(mm.policy_kind(), PolicyKind::Lru);
        env.revoke_all();
        env.read(&mut mm, a).unwrap();
        assert_eq!(
            env.count(|e| matches!(e, PagerEvent::PolicySwitch { .. })),
            1
        );
        let cfg = MmConfig {
            container: CONTAINER,
            frames: 1,
            policy: PolicyKind::Opt,
            seed: 0,
            oracle: false,
        };
        assert!(MemoryManager::try_new(cfg.clone()).is_err());
        let mut mm = MemoryManager::new(cfg);
        assert_eq!(mm.policy_kind(), PolicyKind::Lru);
        let mut env = FakeEnv::new(4);
        anon(&mut mm, &mut env, 1);
        assert!(matches!(
            env.events[0],
            PagerEvent::PolicyUnavailable { .. }
        ));
    }

    #[test]
    fn oracle_lru_is_exact_and_labelled() {
        let mut mm = MemoryManager::new(MmConfig {
            container: CONTAINER,
            frames: 2,
            policy: PolicyKind::Lru,
            seed: 0,
            oracle: true,
        });
        let mut env = FakeEnv::new(64);
        assert!(mm.policy_name().contains("oracle"));
        let a = anon(&mut mm, &mut env, 3);
        env.read(&mut mm, a).unwrap();
        mm.oracle_access(a);
        env.read(&mut mm, a + PAGE_SIZE).unwrap();
        mm.oracle_access(a + PAGE_SIZE);
        env.read(&mut mm, a).unwrap();
        mm.oracle_access(a);
        env.read(&mut mm, a + 2 * PAGE_SIZE).unwrap();
        assert!(env
            .events
            .iter()
            .any(|e| matches!(e, PagerEvent::Evict { vaddr: 0x5000, .. })));
    }

    #[test]
    fn the_same_seed_gives_the_same_trace() {
        let run = |seed| {
            let mut mm = MemoryManager::new(MmConfig {
                container: CONTAINER,
                frames: 3,
                policy: PolicyKind::Random,
                seed,
                oracle: false,
            });
            let mut env = FakeEnv::new(64);
            let a = anon(&mut mm, &mut env, 8);
            for i in 0..40u32 {
                env.write(&mut mm, a + (i * 5 % 8) * PAGE_SIZE, i as u8)
                    .unwrap();
            }
            env.events
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[derive(Clone, Debug)]
    enum Op {
        Write(u8, u16, u8),
        Read(u8, u16),
        Revoke,
        Pressure,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..6, any::<u16>(), any::<u8>()).prop_map(|(p, o, b)| Op::Write(p, o, b)),
            4 => (0u8..6, any::<u16>()).prop_map(|(p, o)| Op::Read(p, o)),
            1 => Just(Op::Revoke),
            1 => Just(Op::Pressure),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn memory_reads_back_what_was_written_whatever_the_policy(
            ops in proptest::collection::vec(op(), 1..80),
            frames in 1u32..4,
            k in 0usize..7,
        ) {
            let (mut mm, mut env) = FakeEnv::setup(frames, LIVE[k]);
            let a = anon(&mut mm, &mut env, 6);
            let mut model = BTreeMap::new();
            for o in ops {
                match o {
                    Op::Write(p, off, b) => {
                        let va = a + u32::from(p) * PAGE_SIZE + u32::from(off) % PAGE_SIZE;
                        env.write(&mut mm, va, b).unwrap();
                        model.insert(va, b);
                    }
                    Op::Read(p, off) => {
                        let va = a + u32::from(p) * PAGE_SIZE + u32::from(off) % PAGE_SIZE;
                        prop_assert_eq!(env.read(&mut mm, va).unwrap(), model.get(&va).copied().unwrap_or(0));
                    }
                    Op::Revoke => env.revoke_all(),
                    Op::Pressure => {
                        let held = mm.frames_held();
                        let got = mm.return_frames(&mut env, 1);
                        prop_assert_eq!(got, held.min(1));
                        mm.set_frame_limit(frames);
                    }
                }
                prop_assert!(mm.frames_held() <= frames);
                prop_assert_eq!(mm.frames_held() as usize, env.frames.len());
            }
        }
    }
}
