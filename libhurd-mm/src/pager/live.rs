//! The policy's view of a live task ([`Live`]): referenced bits sampled through L4, hints
//! from the regions, and the pages it may not take.

use super::Page;
use crate::env::PagerEnv;
use crate::pages::PageMap;
use crate::policy::{PageHints, PolicyContext};
use crate::region::{AddressSpace, RegionKind};
use std::collections::BTreeSet;

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
pub(super) use live;
