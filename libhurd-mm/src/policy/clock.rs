//! Clock (second chance): a hand sweeps the resident pages in a ring; a page referenced since
//! the hand last passed has its bit cleared and is spared once; the first page found with
//! R=0 is the victim.

use super::{EvictionPolicy, PolicyContext, PolicyKind, PolicyQueue, QueueEntry, Victim};

/// The clock algorithm over sampled referenced bits.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    ring: Vec<u32>,
    hand: usize,
}

impl Clock {
    /// Sweep from the hand; the hand stops on the victim (which `remove` then takes out).
    pub fn sweep(&mut self, ctx: &mut dyn PolicyContext) -> Option<Victim> {
        let n = self.ring.len();
        let mut spared = 0;
        // Two full turns clear every referenced bit; after that only pinned pages remain.
        for _ in 0..2 * n + 1 {
            if self.hand >= n {
                self.hand = 0;
            }
            let page = *self.ring.get(self.hand)?;
            if !ctx.pinned(page) {
                if !ctx.referenced(page) {
                    let reason = if spared == 0 {
                        "clock hand found R=0".to_string()
                    } else {
                        format!(
                            "clock hand found R=0 after giving {spared} referenced page{} a second chance",
                            if spared == 1 { "" } else { "s" }
                        )
                    };
                    return Some(Victim { page, reason });
                }
                spared += 1;
            }
            self.hand += 1;
        }
        None
    }

    /// Pages in ring order starting at the hand.
    pub(crate) fn ring_from_hand(&self) -> impl Iterator<Item = u32> + '_ {
        let h = if self.hand < self.ring.len() {
            self.hand
        } else {
            0
        };
        self.ring[h..].iter().chain(&self.ring[..h]).copied()
    }

    /// The page under the hand.
    pub fn hand_page(&self) -> Option<u32> {
        self.ring_from_hand().next()
    }
}

impl EvictionPolicy for Clock {
    fn kind(&self) -> PolicyKind {
        PolicyKind::Clock
    }
    fn name(&self) -> String {
        "Clock".into()
    }
    fn insert(&mut self, page: u32) {
        // Behind the hand: the new page is the last the hand will reach.
        if self.hand > self.ring.len() {
            self.hand = 0;
        }
        self.ring.insert(self.hand, page);
        self.hand += 1;
    }
    fn remove(&mut self, page: u32) {
        if let Some(i) = self.ring.iter().position(|&p| p == page) {
            self.ring.remove(i);
            if i < self.hand {
                self.hand -= 1;
            }
        }
    }
    fn choose(&mut self, ctx: &mut dyn PolicyContext) -> Option<Victim> {
        self.sweep(ctx)
    }
    fn queue(&self, _ctx: &dyn PolicyContext) -> PolicyQueue {
        PolicyQueue {
            policy: self.name(),
            hand: self.hand_page(),
            entries: self
                .ring_from_hand()
                .enumerate()
                .map(|(i, p)| QueueEntry {
                    vaddr: p,
                    note: if i == 0 {
                        "under the hand".into()
                    } else {
                        format!("{i} steps ahead of the hand")
                    },
                })
                .collect(),
        }
    }
}
