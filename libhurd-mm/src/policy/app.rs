//! Application-directed eviction: the workload's hints decide. Order of eviction:
//! 1. read-once pages that have been used,
//! 2. then the lowest region priority,
//! 3. within a priority, discardable pages (dropped, not written out) before others,
//! 4. then least recently used.

use super::{
    EvictionPolicy, PageHints, PolicyContext, PolicyKind, PolicyQueue, QueueEntry, Recency, Victim,
};

/// Evict by the application's hints, LRU within them.
#[derive(Clone, Debug, Default)]
pub struct AppDirected {
    rec: Recency,
}

impl AppDirected {
    /// The application-directed policy; `oracle` makes its LRU tie-break exact.
    pub fn new(oracle: bool) -> AppDirected {
        AppDirected {
            rec: Recency::new(oracle),
        }
    }

    /// Sort key: smaller is evicted first.
    fn key(&self, page: u32, h: PageHints) -> (bool, i32, bool, (u64, u64), u32) {
        let spent_once = h.read_once && h.used;
        (
            !spent_once,
            h.priority,
            !h.discardable,
            self.rec.key(page),
            page,
        )
    }

    fn explain(h: PageHints) -> String {
        if h.read_once && h.used {
            "read-once page, already used".into()
        } else if h.discardable {
            format!(
                "discardable: dropped, not written out (priority {})",
                h.priority
            )
        } else {
            format!("lowest priority region ({})", h.priority)
        }
    }
}

impl EvictionPolicy for AppDirected {
    fn kind(&self) -> PolicyKind {
        PolicyKind::App
    }
    fn name(&self) -> String {
        if self.rec.exact() {
            "Application-directed (oracle LRU tie-break)".into()
        } else {
            "Application-directed".into()
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
        let page = self
            .rec
            .ordered()
            .into_iter()
            .filter(|&p| !ctx.pinned(p))
            .min_by_key(|&p| self.key(p, ctx.hints(p)))?;
        Some(Victim {
            page,
            reason: Self::explain(ctx.hints(page)),
        })
    }
    fn queue(&self, ctx: &dyn PolicyContext) -> PolicyQueue {
        let mut pages = self.rec.ordered();
        pages.sort_by_key(|&p| self.key(p, ctx.hints(p)));
        PolicyQueue {
            policy: self.name(),
            hand: None,
            entries: pages
                .into_iter()
                .map(|p| {
                    let h = ctx.hints(p);
                    let mut note = format!("priority {}", h.priority);
                    if h.discardable {
                        note.push_str(", discardable");
                    }
                    if h.read_once {
                        note.push_str(if h.used {
                            ", read once (used)"
                        } else {
                            ", read once"
                        });
                    }
                    QueueEntry { vaddr: p, note }
                })
                .collect(),
        }
    }
}
