//! LRU and MRU: evict the page used least (or most) recently. MRU is wrong for most
//! programs and right for a loop that scans an array slightly larger than memory (LRU then
//! misses on every access).
//!
//! A real pager cannot see every access; it learns only the referenced bits it samples on each
//! fault, so it keeps *aging counters* (shift right, put R in the top bit) — an approximation.
//! With the oracle (every access is reported; a teaching aid no real pager has) it is exact.

use super::{EvictionPolicy, PolicyContext, PolicyKind, PolicyQueue, QueueEntry, Victim};
use std::collections::BTreeMap;

/// What is known of one resident page's use.
#[derive(Clone, Copy, Debug)]
struct Use {
    /// Oracle: the logical time of its last access.
    last: u64,
    /// Approximate: an 8-bit aging counter.
    age: u8,
    /// When it arrived, to break ties oldest first.
    arrived: u64,
}

/// Recency knowledge shared by LRU, MRU and the application-directed policy.
#[derive(Clone, Debug, Default)]
pub struct Recency {
    exact: bool,
    pages: BTreeMap<u32, Use>,
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
        let u = Use {
            last: self.now,
            age: 0x80,
            arrived: self.arrivals,
        };
        self.pages.insert(page, u);
    }
    /// A page left.
    pub fn remove(&mut self, page: u32) {
        self.pages.remove(&page);
    }
    /// Oracle: the page was accessed.
    pub fn access(&mut self, page: u32) {
        self.now += 1;
        if let Some(u) = self.pages.get_mut(&page) {
            u.last = self.now;
        }
    }
    /// Approximate: shift every counter and put the sampled R bit on top.
    pub fn tick(&mut self, ctx: &mut dyn PolicyContext) {
        if self.exact {
            return;
        }
        for (&page, u) in self.pages.iter_mut() {
            u.age = (u.age >> 1) | if ctx.referenced(page) { 0x80 } else { 0 };
        }
    }
    /// A sort key: larger means used more recently. Ties broken by arrival.
    pub fn key(&self, page: u32) -> (u64, u64) {
        self.pages.get(&page).map_or((0, 0), |u| self.key_of(u))
    }
    /// The sort key of a page's use.
    fn key_of(&self, u: &Use) -> (u64, u64) {
        let recent = if self.exact { u.last } else { u64::from(u.age) };
        (recent, u.arrived)
    }
    /// Pages in order, least recently used first.
    pub fn ordered(&self) -> Vec<u32> {
        let mut pages: Vec<(u32, (u64, u64))> = self
            .pages
            .iter()
            .map(|(&p, u)| (p, self.key_of(u)))
            .collect();
        pages.sort_by_key(|&(p, key)| (key, p));
        pages.into_iter().map(|(p, _)| p).collect()
    }
    /// How long since the page was used, in words ("last used 3 references ago").
    pub fn describe(&self, page: u32) -> String {
        let u = self.pages.get(&page);
        if self.exact {
            let age = self.now.saturating_sub(u.map_or(0, |u| u.last));
            format!("age {age}: {age} other accesses since its last use")
        } else {
            let a = u.map_or(0, |u| u.age);
            let idle = a.leading_zeros();
            format!("age counter {a:#010b}: not referenced in the last {idle} samples")
        }
    }
    /// The unpinned page with the smallest (`lowest`) or largest key.
    pub fn pick(&self, ctx: &dyn PolicyContext, lowest: bool) -> Option<u32> {
        let unpinned = self
            .pages
            .iter()
            .filter(|&(&p, _)| !ctx.pinned(p))
            .map(|(&p, u)| (self.key_of(u), p));
        let best = if lowest {
            unpinned.min()
        } else {
            unpinned.max()
        };
        best.map(|(_, p)| p)
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
