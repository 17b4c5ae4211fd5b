//! Callback: the workload's own x86 eviction routine chooses the victim among the candidates
//! it is shown. If it has none, or answers with a page that is not a candidate, Clock decides
//! and the eviction reason says so.

use super::{
    Clock, EvictionPolicy, PolicyContext, PolicyKind, PolicyQueue, Victim, CALLBACK_MAX_CANDIDATES,
};

/// Ask the workload; fall back to Clock.
#[derive(Clone, Debug, Default)]
pub struct Callback {
    clock: Clock,
}

impl EvictionPolicy for Callback {
    fn kind(&self) -> PolicyKind {
        PolicyKind::Callback
    }
    fn name(&self) -> String {
        "Workload callback (Clock fallback)".into()
    }
    fn insert(&mut self, page: u32) {
        self.clock.insert(page);
    }
    fn remove(&mut self, page: u32) {
        self.clock.remove(page);
    }
    fn choose(&mut self, ctx: &mut dyn PolicyContext) -> Option<Victim> {
        // Candidates in clock order from the hand: the callback sees the oldest first.
        let cands: Vec<u32> = self
            .clock
            .ring_from_hand()
            .filter(|&p| !ctx.pinned(p))
            .take(CALLBACK_MAX_CANDIDATES)
            .collect();
        if cands.is_empty() {
            return None;
        }
        match ctx.ask_callback(&cands) {
            Some(page) if cands.contains(&page) => Some(Victim {
                page,
                reason: format!(
                    "the workload's eviction callback chose it among {}",
                    cands.len()
                ),
            }),
            _ => {
                let v = self.clock.sweep(ctx)?;
                Some(Victim {
                    page: v.page,
                    reason: format!(
                        "callback gave no valid answer (none registered, or not a candidate); fell back to Clock: {}",
                        v.reason
                    ),
                })
            }
        }
    }
    fn queue(&self, ctx: &dyn PolicyContext) -> PolicyQueue {
        PolicyQueue {
            policy: self.name(),
            ..self.clock.queue(ctx)
        }
    }
}
