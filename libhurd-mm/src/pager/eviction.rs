//! Eviction: asking the policy for a victim, checking its answer, and taking the victim's
//! frame (page-out to swap, or discard).

use super::live::{live, Live};
use super::MemoryManager;
use crate::env::{PagerEnv, PagerEvent};
use crate::policy::Victim;
use crate::region::RegionKind;

impl MemoryManager {
    /// Whether the policy may take `page`'s frame.
    fn evictable(&self, page: u32) -> bool {
        self.resident.contains(page) && !self.pinned.contains(&page) && !self.busy.contains(&page)
    }

    /// Ask the policy for a victim and check its answer.
    pub(crate) fn choose_victim(
        &mut self,
        env: &mut dyn PagerEnv,
        only_discardable: bool,
    ) -> Result<Victim, String> {
        let choice = self.policy.choose(&mut live!(self, env, only_discardable));
        match choice {
            Some(v) if self.evictable(v.page) => Ok(v),
            Some(v) => Err(format!(
                "internal error: policy {} chose page {:#x}, which cannot be evicted",
                self.policy.name(),
                v.page
            )),
            None if self.held.is_empty() => Err(format!(
                "out of memory: this task holds no frames and may not get any (frame limit {})",
                self.limit
            )),
            None => Err(format!(
                "out of memory: all {} frames this task holds contain pinned pages, and it may not get more (frame limit {})",
                self.held.len(),
                self.limit
            )),
        }
    }

    /// Take the victim's frame: unmap it, write it to swap if dirty (or drop it if
    /// discardable), and return the container offset it freed.
    pub(crate) fn evict(
        &mut self,
        env: &mut dyn PagerEnv,
        v: Victim,
    ) -> Result<(u32, bool), String> {
        let bits = env.unmap(v.page);
        let Some(p) = self.resident.remove(v.page) else {
            return Err(format!(
                "internal error: evict: page {:#x} is not resident",
                v.page
            ));
        };
        self.policy.remove(v.page);
        self.stats.evictions += 1;
        env.event(PagerEvent::Evict {
            vaddr: v.page,
            policy: self.policy.name(),
            reason: v.reason,
        });
        let discardable = self
            .space
            .find(v.page)
            .is_some_and(|r| r.kind() == RegionKind::Discardable);
        if discardable {
            self.stats.discards += 1;
            env.event(PagerEvent::Discard { vaddr: v.page });
        } else if p.dirty || bits.dirty {
            let mut buf = self.swap.buffer();
            env.read_page(self.container, p.offset, &mut buf);
            let slot = self.swap.put(v.page, buf);
            self.stats.page_outs += 1;
            env.event(PagerEvent::PageOut {
                vaddr: v.page,
                offset: p.offset,
                slot,
            });
        }
        Ok((p.offset, false))
    }
}
