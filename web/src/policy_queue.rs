//! A task's eviction order for the tasks pane: its policy's queue (next victim first) joined
//! with what the pager knows of each resident page.

use selfpage_core::pager::MemoryManager;

/// One resident page, at its place in the eviction order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedPage {
    /// The page address.
    pub vaddr: u32,
    /// Name of its region.
    pub region: String,
    /// Written since brought in, as far as the pager knows.
    pub dirty: bool,
    /// Used since brought in, as far as the pager knows.
    pub referenced: bool,
    /// Never evicted.
    pub pinned: bool,
    /// What the policy knows of it ("arrived #3", "age 0b0100_0000").
    pub note: String,
    /// Under the clock hand (Clock and callback policies).
    pub hand: bool,
}

/// A task's policy and the first pages of its eviction order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyQueueView {
    /// The policy's display name.
    pub policy: String,
    /// The first pages, next victim first.
    pub pages: Vec<QueuedPage>,
    /// How many pages the policy orders in all.
    pub total: usize,
}

impl PolicyQueueView {
    /// The first `shown` pages of `mm`'s eviction order.
    pub fn of(mm: &MemoryManager, shown: usize) -> PolicyQueueView {
        let queue = mm.policy_queue();
        // In address order, so each shown page is found by binary search.
        let resident = mm.resident();
        let pages = queue
            .entries
            .iter()
            .take(shown)
            .map(|e| {
                let info = resident
                    .binary_search_by_key(&e.vaddr, |r| r.vaddr)
                    .ok()
                    .map(|i| &resident[i]);
                QueuedPage {
                    vaddr: e.vaddr,
                    region: info.map(|r| r.region.clone()).unwrap_or_default(),
                    dirty: info.is_some_and(|r| r.dirty),
                    referenced: info.is_some_and(|r| r.used),
                    pinned: info.is_some_and(|r| r.pinned),
                    note: e.note.clone(),
                    hand: queue.hand == Some(e.vaddr),
                }
            })
            .collect();
        PolicyQueueView {
            policy: queue.policy,
            pages,
            total: queue.entries.len(),
        }
    }
}
