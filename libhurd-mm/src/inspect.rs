//! What the UI can see of a memory manager: regions, resident pages, the policy's order,
//! swap use and counters. Plain serde structs; nothing here changes state.

use crate::pager::{hints_for, MemoryManager, Page};
use crate::pages::PageMap;
use crate::policy::{PageHints, PolicyContext, PolicyKind, PolicyQueue};
use crate::region::{AddressSpace, RegionInfo};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Counters of everything the pager did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Faults received.
    pub faults: u64,
    /// Pages zero-filled.
    pub zero_fills: u64,
    /// Pages copied from the program image.
    pub image_fills: u64,
    /// Pages copied back from swap.
    pub page_ins: u64,
    /// Pages written to swap.
    pub page_outs: u64,
    /// Victims chosen by the policy.
    pub evictions: u64,
    /// Discardable pages dropped instead of written out.
    pub discards: u64,
    /// Resident pages mapped again after their mapping was revoked.
    pub remaps: u64,
    /// Pages brought in by will-need.
    pub prefetches: u64,
    /// Frames given back to physmem (munmap, don't-need, pressure).
    pub releases: u64,
    /// Hints received.
    pub hints: u64,
    /// Faults that ended in a segmentation fault.
    pub segvs: u64,
    /// Frames allocated from physmem.
    pub allocations: u64,
    /// Frames given back in answer to memory pressure.
    pub frames_returned: u64,
    /// Frames physmem reclaimed.
    pub frames_lost: u64,
}

/// One resident page, for the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentInfo {
    /// The page address.
    pub vaddr: u32,
    /// Its frame's offset in the container.
    pub offset: u32,
    /// Dirty as far as the pager knows (the hardware bit may say more).
    pub dirty: bool,
    /// Never evicted.
    pub pinned: bool,
    /// Accessed since brought in, as far as the pager knows.
    pub used: bool,
    /// Name of its region.
    pub region: String,
}

/// A read-only policy context: hints and pins, no sampling.
pub(crate) struct View<'a> {
    resident: &'a PageMap<Page>,
    space: &'a AddressSpace,
    pinned: &'a BTreeSet<u32>,
}

impl PolicyContext for View<'_> {
    fn pinned(&self, page: u32) -> bool {
        self.pinned.contains(&page)
    }
    fn hints(&self, page: u32) -> PageHints {
        hints_for(self.space, self.resident, page)
    }
    fn referenced(&mut self, _page: u32) -> bool {
        false
    }
    fn ask_callback(&mut self, _candidates: &[u32]) -> Option<u32> {
        None
    }
    fn future(&self) -> Option<&[u32]> {
        None
    }
}

impl MemoryManager {
    pub(crate) fn view(&self) -> View<'_> {
        View {
            resident: &self.resident,
            space: &self.space,
            pinned: &self.pinned,
        }
    }

    /// The regions of the address space, in address order.
    pub fn regions(&self) -> Vec<RegionInfo> {
        self.space.iter().map(RegionInfo::from).collect()
    }

    /// The resident pages, in address order.
    pub fn resident(&self) -> Vec<ResidentInfo> {
        self.resident
            .iter()
            .map(|(vaddr, p)| ResidentInfo {
                vaddr,
                offset: p.offset,
                dirty: p.dirty,
                pinned: self.pinned.contains(&vaddr),
                used: p.used,
                region: self
                    .space
                    .find(vaddr)
                    .map_or_else(String::new, |r| r.name.clone()),
            })
            .collect()
    }

    /// The policy's current order (next victim first where it has one).
    pub fn policy_queue(&self) -> PolicyQueue {
        self.policy.queue(&self.view())
    }

    /// The policy in use.
    pub fn policy_kind(&self) -> PolicyKind {
        self.policy.kind()
    }

    /// The policy's display name.
    pub fn policy_name(&self) -> String {
        self.policy.name()
    }

    /// Pages whose only copy is in swap.
    pub fn swap_used(&self) -> u32 {
        self.swap.used()
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Frames the task may hold now.
    pub fn frame_limit(&self) -> u32 {
        self.limit
    }

    /// Frames the task holds now (allocated in its container).
    pub fn frames_held(&self) -> u32 {
        self.held.len() as u32
    }

    /// How many pages are resident now.
    pub fn resident_count(&self) -> u32 {
        self.resident.len() as u32
    }

    /// Pinned pages, in address order.
    pub fn pinned(&self) -> Vec<u32> {
        self.pinned.iter().copied().collect()
    }

    /// The container this manager allocates into.
    pub fn container(&self) -> physmem::Handle {
        self.container
    }
}

#[cfg(test)]
mod tests {
    use crate::fake::FakeEnv;
    use crate::{simulate, PagerEvent, PolicyKind, Prot, RegionKind};

    #[test]
    fn views_and_events_serialize_for_the_ui_and_read_as_sentences() {
        let (mut mm, mut env) = FakeEnv::setup(1, PolicyKind::Clock);
        let a = mm
            .mmap(&mut env, None, 8192, Prot::RW, RegionKind::Anonymous)
            .unwrap();
        env.write(&mut mm, a, 1).unwrap();
        env.write(&mut mm, a + 4096, 1).unwrap();
        let json = serde_json::to_string(&(
            mm.regions(),
            mm.resident(),
            mm.policy_queue(),
            mm.stats(),
            &env.events,
        ))
        .unwrap();
        assert!(json.contains("\"Evict\""), "{json}");
        let evict = env
            .events
            .iter()
            .find(|e| matches!(e, PagerEvent::Evict { .. }))
            .unwrap();
        assert_eq!(
            evict.to_string(),
            "evict page 0x4000 (Clock): clock hand found R=0 after giving 1 referenced page a second chance"
        );
        assert_eq!(serde_json::to_string(&PolicyKind::Lru).unwrap(), "\"lru\"");
        let r = simulate(PolicyKind::Opt, 2, &[1, 2, 3], 0);
        let back: crate::SimReport =
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        let q = mm.policy_queue();
        assert_eq!(q.hand, Some(a + 4096));
    }
}
