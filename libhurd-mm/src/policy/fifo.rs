//! FIFO: evict the page that has been resident longest, however much it is used.

use super::{EvictionPolicy, PolicyContext, PolicyKind, PolicyQueue, QueueEntry, Victim};
use std::collections::VecDeque;

/// First in, first out.
#[derive(Clone, Debug, Default)]
pub struct Fifo {
    order: VecDeque<u32>,
}

impl EvictionPolicy for Fifo {
    fn kind(&self) -> PolicyKind {
        PolicyKind::Fifo
    }
    fn name(&self) -> String {
        "FIFO".into()
    }
    fn insert(&mut self, page: u32) {
        self.order.push_back(page);
    }
    fn remove(&mut self, page: u32) {
        self.order.retain(|&p| p != page);
    }
    fn choose(&mut self, ctx: &mut dyn PolicyContext) -> Option<Victim> {
        let (i, &page) = self
            .order
            .iter()
            .enumerate()
            .find(|(_, &p)| !ctx.pinned(p))?;
        let reason = if i == 0 {
            "oldest page in FIFO order".to_string()
        } else {
            format!("oldest unpinned page in FIFO order ({i} older pinned)")
        };
        Some(Victim { page, reason })
    }
    fn queue(&self, _ctx: &dyn PolicyContext) -> PolicyQueue {
        PolicyQueue {
            policy: self.name(),
            hand: None,
            entries: self
                .order
                .iter()
                .enumerate()
                .map(|(i, &p)| QueueEntry {
                    vaddr: p,
                    note: format!("arrived #{}", i + 1),
                })
                .collect(),
        }
    }
}
