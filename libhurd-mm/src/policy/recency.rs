//! LRU and MRU: evict the page used least (or most) recently. MRU is wrong for most
//! programs and right for a loop that scans an array slightly larger than memory (LRU then
//! misses on every access).
//!
//! A real pager cannot see every access; it learns only the referenced bits it samples on each
//! fault, so it keeps *aging counters* (shift right, put R in the top bit) — an approximation.
//! With the oracle (every access is reported; a teaching aid no real pager has) it is exact.

use super::{EvictionPolicy, PolicyContext, PolicyKind, PolicyQueue, QueueEntry, Victim};
use std::collections::BTreeMap;

/// Recency knowledge shared by LRU, MRU and the application-directed policy.
#[derive(Clone, Debug, Default)]
pub struct Recency {
    exact: bool,
    /// Oracle: the logical time of each page's last access.
    last: BTreeMap<u32, u64>,
    /// Approximate: an 8-bit aging counter per page.
    age: BTreeMap<u32, u8>,
    /// When each page arrived, to break ties oldest first.
    arrived: BTreeMap<u32, u64>,
    arrivals: u64,
    now: u64,
}

impl Recency {
    /// Recency tracking, exact when `oracle` is true.
    pub fn new(oracle: bool) -> Recency {
        Recency {
            exact: oracle,
            ..Recency::default()
        }
    }
    /// Whether it sees every access.
    pub fn exact(&self) -> bool {
        self.exact
    }
    /// A page arrived (it was just used: a fault brought it in).
    pub fn insert(&mut self, page: u32) {
        self.arrivals += 1;
        self.arrived.insert(page, self.arrivals);
        self.last.insert(page, self.now);
        self.age.insert(page, 0x80);
    }
    /// A page left.
    pub fn remove(&mut self, page: u32) {
        self.arrived.remove(&page);
        self.last.remove(&page);
        self.age.remove(&page);
    }
    /// Oracle: the page was accessed.
    pub fn access(&mut self, page: u32) {
        self.now += 1;
        if let Some(t) = self.last.get_mut(&page) {
            *t = self.now;
        }
    }
    /// Approximate: shift every counter and put the sampled R bit on top.
    pub fn tick(&mut self, ctx: &mut dyn PolicyContext) {
        if self.exact {
            return;
        }
        for (&page, a) in self.age.iter_mut() {
            *a = (*a >> 1) | if ctx.referenced(page) { 0x80 } else { 0 };
        }
    }
    /// A sort key: larger means used more recently. Ties broken by arrival.
    pub fn key(&self, page: u32) -> (u64, u64) {
        let arrived = self.arrived.get(&page).copied().unwrap_or(0);
        let recent = if self.exact {
            self.last.get(&page).copied().unwrap_or(0)
        } else {
            u64::from(self.age.get(&page).copied().unwrap_or(0))
        };
        (recent, arrived)
    }
    /// Pages in order, least recently used first.
    pub fn ordered(&self) -> Vec<u32> {
        let mut pages: Vec<u32> = self.arrived.keys().copied().collect();
        pages.sort_by_key(|&p| (self.key(p), p));
        pages
    }
    /// How long since the page was used, in words ("last used 3 references ago").
    pub fn describe(&self, page: u32) -> String {
        if self.exact {
            let t = self.last.get(&page).copied().unwrap_or(0);
            let age = self.now.saturating_sub(t);
            format!("age {age}: {age} other accesses since its last use")
        } else {
            let a = self.age.get(&page).copied().unwrap_or(0);
            let idle = a.leading_zeros();
            format!("age counter {a:#010b}: not referenced in the last {idle} samples")
        }
    }
    /// The unpinned page with the smallest (`lowest`) or largest key.
    pub fn pick(&self, ctx: &dyn PolicyContext, lowest: bool) -> Option<u32> {
        let unpinned = self.arrived.keys().copied().filter(|&p| !ctx.pinned(p));
        if lowest {
            unpinned.min_by_key(|&p| (self.key(p), p))
        } else {
            unpinned.max_by_key(|&p| (self.key(p), p))
        }
    }
}

/// LRU, or MRU: the page used least (or most) recently goes first.
#[derive(Clone, Debug, Default)]
pub struct ByRecency {
    rec: Recency,
    /// MRU: evict the most recently used page.
    most: bool,
}

impl ByRecency {
    /// LRU, exact (oracle) or approximate (aging).
    pub fn lru(oracle: bool) -> ByRecency {
        ByRecency {
            rec: Recency::new(oracle),
            most: false,
        }
    }

    /// MRU, exact (oracle) or approximate (aging).
    pub fn mru(oracle: bool) -> ByRecency {
        ByRecency {
            most: true,
            ..ByRecency::lru(oracle)
        }
    }
}

impl EvictionPolicy for ByRecency {
    fn kind(&self) -> PolicyKind {
        if self.most {
            PolicyKind::Mru
        } else {
            PolicyKind::Lru
        }
    }
    fn name(&self) -> String {
        let label = if self.most { "MRU" } else { "LRU" };
        if self.rec.exact() {
            format!("{label} (oracle: sees every access)")
        } else {
            format!("{label} (approximate: aging of sampled R bits)")
        }
    }
    fn insert(&mut self, page: u32) {
        self.rec.insert(page);
    }
    fn remove(&mut self, page: u32) {
        self.rec.remove(page);
    }
    fn access(&mut self, page: u32) {
        self.rec.access(page);
    }
    fn tick(&mut self, ctx: &mut dyn PolicyContext) {
        self.rec.tick(ctx);
    }
    fn choose(&mut self, ctx: &mut dyn PolicyContext) -> Option<Victim> {
        let page = self.rec.pick(ctx, !self.most)?;
        let which = if self.most { "most" } else { "least" };
        Some(Victim {
            page,
            reason: format!("{which} recently used ({})", self.rec.describe(page)),
        })
    }
    fn queue(&self, _ctx: &dyn PolicyContext) -> PolicyQueue {
        let mut pages = self.rec.ordered();
        if self.most {
            pages.reverse();
        }
        PolicyQueue {
            policy: self.name(),
            hand: None,
            entries: pages
                .into_iter()
                .map(|p| QueueEntry {
                    vaddr: p,
                    note: self.rec.describe(p),
                })
                .collect(),
        }
    }
}
