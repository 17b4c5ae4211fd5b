//! MRU: evict the page used most recently. Wrong for most programs, right for a loop that
//! scans an array slightly larger than memory (LRU then misses on every access).

use super::{EvictionPolicy, PolicyContext, PolicyKind, PolicyQueue, QueueEntry, Recency, Victim};

/// Most recently used.
#[derive(Clone, Debug, Default)]
pub struct Mru {
    rec: Recency,
}

impl Mru {
    /// MRU, exact (oracle) or approximate (aging).
    pub fn new(oracle: bool) -> Mru {
        Mru {
            rec: Recency::new(oracle),
        }
    }
}

impl EvictionPolicy for Mru {
    fn kind(&self) -> PolicyKind {
        PolicyKind::Mru
    }
    fn name(&self) -> String {
        if self.rec.exact() {
            "MRU (oracle: sees every access)".into()
        } else {
            "MRU (approximate: aging of sampled R bits)".into()
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
        let page = self.rec.pick(ctx, false)?;
        Some(Victim {
            page,
            reason: format!("most recently used ({})", self.rec.describe(page)),
        })
    }
    fn queue(&self, _ctx: &dyn PolicyContext) -> PolicyQueue {
        PolicyQueue {
            policy: self.name(),
            hand: None,
            entries: self
                .rec
                .ordered()
                .into_iter()
                .rev()
                .map(|p| QueueEntry {
                    vaddr: p,
                    note: self.rec.describe(p),
                })
                .collect(),
        }
    }
}
