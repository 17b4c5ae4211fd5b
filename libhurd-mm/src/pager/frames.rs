//! Frame slots: taking a container offset for a page (a spare one, a new allocation, or a
//! victim's), and giving offsets back to physmem.

use super::MemoryManager;
use crate::env::{PagerEnv, PagerEvent};
use physmem::{PhysmemError, Request, PAGE_SIZE};

impl MemoryManager {
    /// A container offset to put a page in, and whether its frame is fresh (zeroed by physmem).
    pub(crate) fn take_slot(&mut self, env: &mut dyn PagerEnv) -> Result<(u32, bool), String> {
        if let Some(o) = self.spare.pop_first() {
            return Ok((o, false));
        }
        let mut refused = None;
        if (self.held.len() as u32) < self.limit {
            let start = self.held.lowest_free();
            let req = Request::ContainerAllocate {
                container: self.container,
                start,
                size: PAGE_SIZE,
            };
            match env.physmem(req) {
                Ok(_) => {
                    self.held.insert(start);
                    self.stats.allocations += 1;
                    return Ok((start, true));
                }
                // Out of memory, memory short, ...: page within the frames already held.
                Err(e) => {
                    let reason = e.to_string();
                    env.event(PagerEvent::AllocRefused {
                        reason: reason.clone(),
                    });
                    refused = Some(reason);
                }
            }
        }
        match self.choose_victim(env, false) {
            Ok(v) => self.evict(env, v),
            Err(why) => Err(match refused {
                Some(r) => format!("{why}; physmem refused a new frame: {r}"),
                None => why,
            }),
        }
    }
    /// Give a held offset back to physmem. Returns whether the task no longer holds it.
    pub(crate) fn deallocate(
        &mut self,
        env: &mut dyn PagerEnv,
        offset: u32,
        vaddr: Option<u32>,
    ) -> bool {
        let req = Request::ContainerDeallocate {
            container: self.container,
            start: offset,
            size: PAGE_SIZE,
        };
        match env.physmem(req) {
            Ok(_) | Err(PhysmemError::NotAllocated(_)) => {
                self.held.remove(offset);
                self.spare.remove(&offset);
                self.stats.releases += 1;
                env.event(PagerEvent::Release { vaddr, offset });
                true
            }
            Err(_) => {
                self.spare.insert(offset);
                false
            }
        }
    }

    /// Drop a resident page without saving it and give its frame back (munmap, don't-need).
    pub(crate) fn release_page(&mut self, env: &mut dyn PagerEnv, page: u32) {
        let Some(p) = self.resident.remove(page) else {
            return;
        };
        env.unmap(page);
        self.policy.remove(page);
        self.deallocate(env, p.offset, Some(page));
    }
}
