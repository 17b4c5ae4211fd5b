//! Selecting a trace record, and following the latest fault: where the timeline, CPU and
//! walk views point.

use selfpage_core::Event;

use super::AppState;

impl AppState {
    /// Selects trace record `seq`: the timeline shows its fault, and the CPU and walk views
    /// its task and page, if it has them.
    pub(crate) fn select_event(&mut self, seq: u64) {
        self.selected_event = Some(seq);
        let hit = self.with_kernel(|k| {
            k.trace()
                .since(seq)
                .first()
                .filter(|r| r.seq == seq)
                .and_then(|r| page_of(&r.event))
        });
        if let Some(Some((task, addr))) = hit {
            self.task = task;
            self.walk_addr = addr;
        }
    }

    /// Points the walk view at the latest fault's address, if there was a fault since the
    /// last look (or the trace went back in time). Reads only the records new since then.
    pub(super) fn follow_latest_fault(&mut self) {
        let seen = self.fault_scan;
        let found = self.with_kernel(|k| {
            let trace = k.trace();
            let from = if trace.len() < seen { 0 } else { seen };
            let latest = trace.since(from).iter().rev().find_map(|r| match &r.event {
                Event::Fault { task, addr, .. } => Some((*task, *addr)),
                _ => None,
            });
            (latest, trace.len())
        });
        if let Some((latest, len)) = found {
            self.fault_scan = len;
            if let Some((task, addr)) = latest {
                self.walk_addr = addr;
                self.task = task;
            }
        }
    }
}

/// The task and page address a trace record is about, if any: where selecting it points
/// the CPU and walk views.
fn page_of(event: &Event) -> Option<(u32, u32)> {
    match event {
        Event::Fault { task, addr, .. } => Some((*task, *addr)),
        Event::Mapped { task, vaddr, .. } | Event::Unmapped { task, vaddr, .. } => {
            Some((*task, *vaddr))
        }
        _ => None,
    }
}
