//! Hints from the application: what it will need, what it will not, what it reads once,
//! what it can regenerate, and how much each region matters.

use crate::env::{PagerEnv, PagerEvent};
use crate::error::MmError;
use crate::pager::{Cause, MemoryManager};
use crate::region::{checked_range, Prot, RegionKind};
use crate::store::Backing;
use physmem::PAGE_SIZE;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Advice on a range of the address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Advice {
    /// No special treatment: clears read-once.
    Normal,
    /// Will be needed soon: bring the pages in now (prefetch).
    WillNeed,
    /// Not needed: give the frames back now. The contents are dropped, as with Linux
    /// MADV_DONTNEED: anonymous pages read as zero next time, program pages come from the image.
    DontNeed,
    /// Read once: evict these pages first after use (application-directed policy).
    ReadOnce,
    /// The contents can be regenerated: drop them instead of writing them to swap.
    Discardable,
    /// Eviction priority: lowest is evicted first (application-directed policy).
    Priority(i32),
}

impl Advice {
    /// The advice with this gate number (priority has its own gate function).
    pub fn from_gate_number(n: u32) -> Option<Advice> {
        Some(match n {
            0 => Advice::Normal,
            1 => Advice::WillNeed,
            2 => Advice::DontNeed,
            3 => Advice::ReadOnce,
            4 => Advice::Discardable,
            _ => return None,
        })
    }
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Advice::Normal => f.write_str("normal"),
            Advice::WillNeed => f.write_str("will need"),
            Advice::DontNeed => f.write_str("don't need"),
            Advice::ReadOnce => f.write_str("read once"),
            Advice::Discardable => f.write_str("discardable"),
            Advice::Priority(p) => write!(f, "priority {p}"),
        }
    }
}

impl MemoryManager {
    /// Apply `advice` to `[addr, addr+len)` (len rounded up to pages); regions are split at
    /// the range's ends so the hint covers exactly the range.
    ///
    /// # Errors
    /// `Unaligned`, `EmptyLength`, `Overflow` (EINVAL); `NotMapped` (ENOMEM) if part of the
    /// range is in no region; `NotAnonymous` (EINVAL) for discardable on program memory.
    pub fn advise(
        &mut self,
        env: &mut dyn PagerEnv,
        addr: u32,
        len: u32,
        advice: Advice,
    ) -> Result<(), MmError> {
        self.flush(env);
        let end = checked_range(addr, len)?;
        if let Some(hole) = self.space.first_hole(addr, end) {
            return Err(MmError::NotMapped(hole));
        }
        if advice == Advice::Discardable {
            let mut at = addr;
            while let Some(r) = self.space.find(at).filter(|_| at < end) {
                if r.kind() == RegionKind::Image {
                    return Err(MmError::NotAnonymous(r.name.clone()));
                }
                at = r.end;
            }
        }
        self.stats.hints += 1;
        env.event(PagerEvent::Hint {
            addr,
            len,
            advice: advice.to_string(),
        });
        match advice {
            Advice::Normal => self
                .space
                .range_mut(addr, end)
                .for_each(|r| r.read_once = false),
            Advice::ReadOnce => self
                .space
                .range_mut(addr, end)
                .for_each(|r| r.read_once = true),
            Advice::Priority(p) => self.space.range_mut(addr, end).for_each(|r| r.priority = p),
            Advice::Discardable => self.space.range_mut(addr, end).for_each(|r| {
                r.backing = Backing::Discardable;
                r.name = format!(
                    "{} (discardable)",
                    r.name.trim_end_matches(" (discardable)")
                );
            }),
            Advice::WillNeed => self.prefetch(env, addr, end),
            Advice::DontNeed => self.drop_pages(env, addr, end, false),
        }
        Ok(())
    }

    /// Bring in the non-resident pages of `[start, end)`, at most half the frame limit, never
    /// evicting a page of the range itself. Stops quietly when no frame can be had.
    fn prefetch(&mut self, env: &mut dyn PagerEnv, start: u32, end: u32) {
        let budget = (self.limit / 2).max(1) as usize;
        let pages: Vec<u32> = (start..end).step_by(PAGE_SIZE as usize).collect();
        self.busy = pages
            .iter()
            .copied()
            .filter(|&p| self.resident.contains(p))
            .collect();
        let todo: Vec<u32> = pages
            .into_iter()
            .filter(|&p| !self.resident.contains(p))
            .filter(|&p| self.space.find(p).is_some_and(|r| r.prot != Prot::NONE))
            .take(budget)
            .collect();
        for page in todo {
            if self.bring_in(env, page, Cause::Prefetch).is_err() {
                break;
            }
            self.busy.insert(page);
        }
        self.busy.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{anon, FakeEnv};
    use crate::{MmError, PolicyKind};

    fn evictions(env: &FakeEnv) -> Vec<(u32, String)> {
        env.events
            .iter()
            .filter_map(|e| match e {
                PagerEvent::Evict { vaddr, reason, .. } => Some((*vaddr, reason.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn will_need_prefetches_so_the_touch_does_not_fault() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
        let a = anon(&mut mm, &mut env, 4);
        mm.advise(&mut env, a, 2 * PAGE_SIZE, Advice::WillNeed)
            .unwrap();
        assert_eq!(mm.stats().prefetches, 2);
        assert_eq!(env.read(&mut mm, a + PAGE_SIZE), Ok(0));
        assert_eq!(mm.stats().faults, 0);
        assert_eq!(env.count(|e| matches!(e, PagerEvent::Hint { .. })), 1);
        // At most half the frames are prefetched at once.
        mm.advise(&mut env, a, 4 * PAGE_SIZE, Advice::WillNeed)
            .unwrap();
        assert_eq!(mm.stats().prefetches, 4);
    }

    #[test]
    fn dont_need_gives_the_frame_back_and_drops_the_contents() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
        let a = anon(&mut mm, &mut env, 2);
        env.write(&mut mm, a, 7).unwrap();
        env.write(&mut mm, a + PAGE_SIZE, 8).unwrap();
        mm.advise(&mut env, a, PAGE_SIZE, Advice::DontNeed).unwrap();
        assert_eq!(mm.frames_held(), 1);
        assert_eq!(env.read(&mut mm, a), Ok(0));
        assert_eq!(env.read(&mut mm, a + PAGE_SIZE), Ok(8));
    }

    #[test]
    fn application_policy_evicts_spent_read_once_pages_then_lowest_priority() {
        let (mut mm, mut env) = FakeEnv::setup(2, PolicyKind::App);
        let a = anon(&mut mm, &mut env, 4);
        mm.advise(&mut env, a + PAGE_SIZE, PAGE_SIZE, Advice::ReadOnce)
            .unwrap();
        mm.advise(&mut env, a + 2 * PAGE_SIZE, PAGE_SIZE, Advice::Priority(-5))
            .unwrap();
        assert_eq!(mm.regions().len(), 4, "hints split the region");
        env.read(&mut mm, a).unwrap();
        env.read(&mut mm, a + PAGE_SIZE).unwrap();
        env.read(&mut mm, a + 2 * PAGE_SIZE).unwrap();
        env.read(&mut mm, a + 3 * PAGE_SIZE).unwrap();
        let ev = evictions(&env);
        assert_eq!(
            ev[0],
            (a + PAGE_SIZE, "read-once page, already used".to_string())
        );
        assert_eq!(
            ev[1],
            (a + 2 * PAGE_SIZE, "lowest priority region (-5)".to_string())
        );
        let q = mm.policy_queue();
        assert!(q.policy.starts_with("Application-directed"));
    }

    #[test]
    fn discardable_advice_drops_instead_of_writing_out() {
        let (mut mm, mut env) = FakeEnv::setup(1, PolicyKind::App);
        let a = anon(&mut mm, &mut env, 2);
        mm.advise(&mut env, a, PAGE_SIZE, Advice::Discardable)
            .unwrap();
        env.write(&mut mm, a, 1).unwrap();
        env.write(&mut mm, a + PAGE_SIZE, 2).unwrap();
        assert_eq!(
            evictions(&env)[0].1,
            "discardable: dropped, not written out (priority 0)"
        );
        assert_eq!(mm.stats().page_outs, 0);
        assert_eq!(mm.regions()[0].kind, RegionKind::Discardable);
        mm.add_named_region(0x40_0000, PAGE_SIZE, Prot::RX, "text", vec![1])
            .unwrap();
        assert_eq!(
            mm.advise(&mut env, 0x40_0000, 1, Advice::Discardable),
            Err(MmError::NotAnonymous("text".into()))
        );
        assert_eq!(
            mm.advise(&mut env, 0x9000_0000, 1, Advice::Normal),
            Err(MmError::NotMapped(0x9000_0000))
        );
    }
}
