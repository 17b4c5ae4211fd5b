//! Page-in: mapping a container page at a virtual address and filling a new resident page
//! from swap, the program image, or zeroes.

use super::{Cause, MemoryManager, Page};
use crate::env::{Access, PagerEnv, PagerEvent};
use crate::region::{Prot, RegionKind};
use physmem::{Handle, Reply, Request, Rights, PAGE_SIZE};

/// Map one page of the container at `vaddr`, looping while physmem says there is more.
pub(crate) fn map_page(
    env: &mut dyn PagerEnv,
    container: Handle,
    vaddr: u32,
    offset: u32,
    rights: Rights,
) -> Result<(), String> {
    let end = offset + PAGE_SIZE;
    let mut index = offset;
    while index < end {
        let req = Request::ContainerMap {
            container,
            rights,
            vaddr: vaddr + (index - offset),
            index,
            size: end - index,
        };
        match env.physmem(req) {
            Ok(Reply::Mapped { next: None, .. }) => return Ok(()),
            Ok(Reply::Mapped { next: Some(n), .. }) if n > index => index = n,
            Ok(other) => return Err(format!("physmem answered a map with {other:?}")),
            Err(e) => return Err(format!("physmem refused to map page {vaddr:#x}: {e}")),
        }
    }
    Ok(())
}
impl MemoryManager {
    /// Make `page` resident and mapped: take a frame slot, map it, fill it.
    pub(crate) fn bring_in(
        &mut self,
        env: &mut dyn PagerEnv,
        page: u32,
        cause: Cause,
    ) -> Result<(), String> {
        if let Some(r) = self.file_fault(env, page, Access::Read) {
            return r;
        }
        let Some(region) = self.space.find(page) else {
            return Err(format!("address {page:#x} is not in any region"));
        };
        let rights = region.prot.rights();
        // Program pages fill from the image; a read-only one even after physmem reclaimed its
        // frame, since the image still holds its contents.
        let from_image = region.kind() == RegionKind::Image;
        let regenerable = from_image && !region.prot.contains(Prot::W);
        let (mut offset, mut fresh) = self.take_slot(env)?;
        if let Err(e) = map_page(env, self.container, page, offset, rights) {
            if !fresh || self.held.len() <= 1 {
                self.spare.insert(offset);
                return Err(e);
            }
            // physmem reserved the offset but could bind no frame to it (frames are bound
            // lazily, at first map): give the offset back, stop asking for more than this
            // task holds, and page within its own frames instead.
            env.event(PagerEvent::AllocRefused { reason: e });
            self.deallocate(env, offset, None);
            self.limit = self.held.len() as u32;
            let victim = self.choose_victim(env, false)?;
            (offset, fresh) = self.evict(env, victim)?;
            if let Err(e) = map_page(env, self.container, page, offset, rights) {
                self.spare.insert(offset);
                return Err(e);
            }
        }
        let container = self.container;
        let mut dirty = false;
        if let Some((slot, data)) = self.swap.take(page) {
            env.write_page(container, offset, &data);
            self.swap.recycle(data);
            self.stats.page_ins += 1;
            env.event(PagerEvent::PageIn {
                vaddr: page,
                offset,
                slot,
            });
            // The frame now holds the only copy.
            dirty = true;
        } else {
            let was_lost = self.lost.remove(&page);
            let image = if from_image && (!was_lost || regenerable) {
                self.space
                    .find(page)
                    .and_then(|r| r.backing.initial(page - r.start))
            } else {
                None
            };
            match image {
                None => {
                    // physmem zeroes a frame when it binds it; a reused frame holds old data
                    // and is zeroed here, to read as fresh.
                    if !fresh {
                        env.zero_page(container, offset);
                    }
                    self.stats.zero_fills += 1;
                    env.event(PagerEvent::ZeroFill {
                        vaddr: page,
                        offset,
                    });
                    if was_lost {
                        env.event(PagerEvent::LostPage { vaddr: page });
                    }
                }
                Some(bytes) => {
                    env.write_page(container, offset, &bytes);
                    self.stats.image_fills += 1;
                    env.event(PagerEvent::ImageFill {
                        vaddr: page,
                        offset,
                    });
                }
            }
        }
        let used = cause == Cause::Fault;
        self.resident.insert(
            page,
            Page {
                offset,
                dirty,
                used,
                cow: false,
            },
        );
        self.policy.insert(page);
        if cause == Cause::Prefetch {
            self.stats.prefetches += 1;
            env.event(PagerEvent::Prefetch { vaddr: page });
        }
        Ok(())
    }
}
