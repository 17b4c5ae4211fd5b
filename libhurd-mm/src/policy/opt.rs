//! Belady's OPT: evict the page whose next use is furthest in the future (or never).
//! Provably the fewest misses, and impossible online: it needs the future reference string,
//! so it runs only in `simulate`, as the yardstick for the other policies.

use super::{EvictionPolicy, PolicyContext, PolicyKind, PolicyQueue, QueueEntry, Victim};
use std::collections::BTreeSet;

/// The optimal offline policy.
#[derive(Clone, Debug, Default)]
pub struct Opt {
    pages: BTreeSet<u32>,
}

/// Index of the next use of `page` in `future`, if any.
fn next_use(future: &[u32], page: u32) -> Option<usize> {
    future.iter().position(|&p| p == page)
}

impl EvictionPolicy for Opt {
    fn kind(&self) -> PolicyKind {
        PolicyKind::Opt
    }
    fn name(&self) -> String {
        "OPT (Belady, offline: knows the future)".into()
    }
    fn insert(&mut self, page: u32) {
        self.pages.insert(page);
    }
    fn remove(&mut self, page: u32) {
        self.pages.remove(&page);
    }
    fn choose(&mut self, ctx: &mut dyn PolicyContext) -> Option<Victim> {
        let future = ctx.future().unwrap_or(&[]);
        // Furthest next use first; never used again counts as infinitely far; ties: lowest page.
        let (page, next) = self
            .pages
            .iter()
            .filter(|&&p| !ctx.pinned(p))
            .map(|&p| (p, next_use(future, p)))
            .max_by_key(|&(p, n)| (n.map_or(usize::MAX, |n| n), std::cmp::Reverse(p)))?;
        let reason = match next {
            None => "not used again".to_string(),
            Some(n) => format!("next used in {} references, furthest in the future", n + 1),
        };
        Some(Victim { page, reason })
    }
    fn queue(&self, ctx: &dyn PolicyContext) -> PolicyQueue {
        let future = ctx.future().unwrap_or(&[]);
        let mut entries: Vec<(usize, u32)> = self
            .pages
            .iter()
            .map(|&p| (next_use(future, p).map_or(usize::MAX, |n| n), p))
            .collect();
        entries.sort_by_key(|&(n, p)| (std::cmp::Reverse(n), p));
        PolicyQueue {
            policy: self.name(),
            hand: None,
            entries: entries
                .into_iter()
                .map(|(n, p)| QueueEntry {
                    vaddr: p,
                    note: if n == usize::MAX {
                        "not used again".into()
                    } else {
                        format!("next use in {}", n + 1)
                    },
                })
                .collect(),
        }
    }
}
