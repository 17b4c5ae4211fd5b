//! Memory pressure: physmem asks a task over its guarantee to give frames back, and takes
//! them by force from a task that does not comply in time.

use crate::env::{PagerEnv, PagerEvent};
use crate::pager::MemoryManager;
use physmem::Request;

impl MemoryManager {
    /// Give back `count` frames: first held frames holding no page, then discardable pages
    /// (dropped), then the policy's victims (written to swap when dirty). Each frame is
    /// deallocated from the container; then physmem is told `FramesReturned`. The frame limit
    /// drops by the number returned (core may raise it again with `set_frame_limit`).
    /// Returns how many frames were given back (fewer only if the rest are pinned).
    pub fn return_frames(&mut self, env: &mut dyn PagerEnv, count: u32) -> u32 {
        self.flush(env);
        let mut returned = 0;
        while returned < count {
            let (offset, vaddr) = if let Some(&o) = self.spare.first() {
                (o, None)
            } else {
                let victim = self
                    .choose_victim(env, true)
                    .or_else(|_| self.choose_victim(env, false));
                let Ok(mut v) = victim else {
                    break;
                };
                let page = v.page;
                v.reason = format!("memory pressure: {}", v.reason);
                match self.evict(env, v) {
                    Ok((o, _)) => (o, Some(page)),
                    Err(_) => break,
                }
            };
            if !self.deallocate(env, offset, vaddr) {
                break;
            }
            returned += 1;
        }
        self.limit = self.limit.saturating_sub(returned);
        self.stats.frames_returned += u64::from(returned);
        // physmem's refusal here changes nothing for the pager: the frames are gone already.
        let _ = env.physmem(Request::FramesReturned { count: returned });
        env.event(PagerEvent::FramesReturned {
            asked: count,
            returned,
        });
        returned
    }

    /// physmem reclaimed the extra frame at container `offset` (the task did not return frames
    /// in time); core has already revoked its mapping. The page it held loses its data: its
    /// next touch zero-fills and records `LostPage` — except read-only program pages, which are
    /// refilled from the image since nothing was lost. The frame limit drops by one.
    pub fn frames_lost(&mut self, offset: u32) {
        if !self.held.remove(offset) {
            return;
        }
        self.spare.remove(&offset);
        let page = self
            .resident
            .iter()
            .find(|(_, p)| p.offset == offset)
            .map(|(v, _)| v);
        if let Some(page) = page {
            self.resident.remove(page);
            self.policy.remove(page);
            self.lost.insert(page);
        }
        self.limit = self.limit.saturating_sub(1);
        self.stats.frames_lost += 1;
        self.pending.push(PagerEvent::FrameLost {
            offset,
            vaddr: page,
        });
    }

    /// Change how many frames the task may hold (e.g. when pressure eases). Frames held above
    /// a lowered limit stay until evictions or `return_frames` bring the count down.
    pub fn set_frame_limit(&mut self, frames: u32) {
        self.limit = frames;
    }
}

#[cfg(test)]
mod tests {
    use crate::fake::{anon, FakeEnv};
    use crate::{PagerEvent, PolicyKind, Prot, RegionKind};
    use physmem::{Request, PAGE_SIZE};

    #[test]
    fn return_frames_gives_back_exactly_the_count_and_writes_dirty_pages_out() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Fifo);
        let a = anon(&mut mm, &mut env, 4);
        env.write(&mut mm, a, 1).unwrap();
        env.write(&mut mm, a + PAGE_SIZE, 2).unwrap();
        env.read(&mut mm, a + 2 * PAGE_SIZE).unwrap();
        env.read(&mut mm, a + 3 * PAGE_SIZE).unwrap();
        assert_eq!(mm.return_frames(&mut env, 3), 3);
        assert_eq!(mm.frames_held(), 1);
        assert_eq!(env.frames.len(), 1);
        assert_eq!(mm.frame_limit(), 1);
        // FIFO order: the two dirty pages and one clean one; only the dirty ones hit swap.
        assert_eq!(mm.stats().page_outs, 2);
        assert_eq!(mm.swap_used(), 2);
        assert_eq!(
            env.requests.last(),
            Some(&Request::FramesReturned { count: 3 })
        );
        assert!(env.events.contains(&PagerEvent::FramesReturned {
            asked: 3,
            returned: 3
        }));
        mm.set_frame_limit(4);
        assert_eq!(env.read(&mut mm, a + PAGE_SIZE), Ok(2));
        assert_eq!(env.read(&mut mm, a), Ok(1));
    }

    #[test]
    fn pressure_drops_discardable_pages_first() {
        let (mut mm, mut env) = FakeEnv::setup(3, PolicyKind::Fifo);
        let a = anon(&mut mm, &mut env, 2);
        let d = mm
            .mmap(&mut env, None, PAGE_SIZE, Prot::RW, RegionKind::Discardable)
            .unwrap();
        env.write(&mut mm, a, 1).unwrap();
        env.write(&mut mm, a + PAGE_SIZE, 1).unwrap();
        env.write(&mut mm, d, 1).unwrap();
        assert_eq!(mm.return_frames(&mut env, 1), 1);
        assert!(env.events.contains(&PagerEvent::Discard { vaddr: d }));
        assert_eq!(mm.stats().page_outs, 0);
    }

    #[test]
    fn return_frames_stops_at_pinned_pages() {
        let (mut mm, mut env) = FakeEnv::setup(3, PolicyKind::Clock);
        let a = anon(&mut mm, &mut env, 2);
        mm.pin(&mut env, a, PAGE_SIZE).unwrap();
        env.read(&mut mm, a + PAGE_SIZE).unwrap();
        assert_eq!(mm.return_frames(&mut env, 5), 1);
        assert_eq!(
            env.requests.last(),
            Some(&Request::FramesReturned { count: 1 })
        );
    }

    #[test]
    fn a_lost_frame_zero_fills_next_time_and_says_so() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
        let a = anon(&mut mm, &mut env, 1);
        mm.add_named_region(0x40_0000, PAGE_SIZE, Prot::RX, "text", vec![0x90])
            .unwrap();
        env.write(&mut mm, a, 9).unwrap();
        env.read(&mut mm, 0x40_0000).unwrap();
        // physmem reclaims both frames and revokes their mappings.
        for r in mm.resident() {
            mm.frames_lost(r.offset);
            env.frames.remove(&r.offset);
        }
        env.revoke_all();
        assert_eq!(mm.frames_held(), 0);
        assert_eq!(mm.frame_limit(), 2);
        assert_eq!(env.read(&mut mm, a), Ok(0));
        assert!(env.events.contains(&PagerEvent::LostPage { vaddr: a }));
        // Read-only text lost nothing: it comes back from the image.
        assert_eq!(env.read(&mut mm, 0x40_0000), Ok(0x90));
        assert_eq!(env.count(|e| matches!(e, PagerEvent::FrameLost { .. })), 2);
        mm.frames_lost(0x7777_0000);
        assert_eq!(mm.stats().frames_lost, 2);
    }
}
