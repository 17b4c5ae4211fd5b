//! Random: any unpinned page, chosen by the seeded SplitMix64 (so a run replays by seed).

use super::{EvictionPolicy, PolicyContext, PolicyKind, PolicyQueue, QueueEntry, Victim};
use crate::rng::SplitMix64;
use std::collections::BTreeSet;

/// Uniformly random eviction.
#[derive(Clone, Debug)]
pub struct Random {
    pages: BTreeSet<u32>,
    rng: SplitMix64,
}

impl Random {
    /// Random eviction seeded with `seed`.
    pub fn new(seed: u64) -> Random {
        Random {
            pages: BTreeSet::new(),
            rng: SplitMix64::new(seed),
        }
    }
}

impl EvictionPolicy for Random {
    fn kind(&self) -> PolicyKind {
        PolicyKind::Random
    }
    fn name(&self) -> String {
        "Random (seeded SplitMix64)".into()
    }
    fn insert(&mut self, page: u32) {
        self.pages.insert(page);
    }
    fn remove(&mut self, page: u32) {
        self.pages.remove(&page);
    }
    fn choose(&mut self, ctx: &mut dyn PolicyContext) -> Option<Victim> {
        let cands: Vec<u32> = self
            .pages
            .iter()
            .copied()
            .filter(|&p| !ctx.pinned(p))
            .collect();
        if cands.is_empty() {
            return None;
        }
        let i = self.rng.below(cands.len() as u64) as usize;
        Some(Victim {
            page: *cands.get(i)?,
            reason: format!("picked at random: {} of {} candidates", i + 1, cands.len()),
        })
    }
    fn queue(&self, _ctx: &dyn PolicyContext) -> PolicyQueue {
        PolicyQueue {
            policy: self.name(),
            hand: None,
            entries: self
                .pages
                .iter()
                .map(|&p| QueueEntry {
                    vaddr: p,
                    note: "any page may go next".into(),
                })
                .collect(),
        }
    }
}
