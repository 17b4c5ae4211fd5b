//! The POSIX face of the memory manager: mmap and munmap of anonymous memory, the loader's
//! `add_region` for the program image, and pinning.

use crate::env::{PagerEnv, PagerEvent};
use crate::error::MmError;
use crate::pager::{Cause, MemoryManager};
use crate::region::{checked_range, page_of, round_up, Prot, Region, RegionKind, MMAP_BASE};
use crate::store::{Backing, ImageStore};
use physmem::PAGE_SIZE;

impl MemoryManager {
    /// Map `len` bytes (rounded up to pages) of anonymous or discardable memory. With `None`
    /// the region goes at the lowest fitting address from `MMAP_BASE` (first fit); with
    /// `Some(addr)` exactly there. Pages get frames only when first touched. Returns the start.
    ///
    /// # Errors
    /// `Unaligned`, `EmptyLength`, `Overflow`, `Reserved` (EINVAL); `Overlap` (EEXIST: unlike
    /// POSIX MAP_FIXED, an existing mapping is never silently replaced); `NoSpace` (ENOMEM);
    /// `ImageNeedsBytes` for `RegionKind::Image` (use `add_region`).
    pub fn mmap(
        &mut self,
        env: &mut dyn PagerEnv,
        addr: Option<u32>,
        len: u32,
        prot: Prot,
        kind: RegionKind,
    ) -> Result<u32, MmError> {
        self.flush(env);
        let (backing, name) = match kind {
            RegionKind::Anonymous => (Backing::Anonymous, "anonymous"),
            RegionKind::Discardable => (Backing::Discardable, "discardable"),
            RegionKind::Image => return Err(MmError::ImageNeedsBytes),
            RegionKind::SharedFile | RegionKind::PrivateFile => return Err(MmError::FileNeedsFd),
        };
        if len == 0 {
            return Err(MmError::EmptyLength);
        }
        let size = round_up(len).ok_or(MmError::Overflow { start: 0, len })?;
        let start = self.place(addr, len, size)?;
        self.add(start, size, prot, name, backing)?;
        self.flush(env);
        Ok(start)
    }

    /// Where a new mapping of `len` bytes (`size` rounded up to pages) starts: at `addr` if
    /// given, else the first hole from `MMAP_BASE`.
    ///
    /// # Errors
    /// `checked_range`'s refusals of `addr`, or `NoSpace` if no hole is large enough.
    pub(crate) fn place(&self, addr: Option<u32>, len: u32, size: u32) -> Result<u32, MmError> {
        match addr {
            None => self
                .space
                .first_fit(MMAP_BASE, size)
                .ok_or(MmError::NoSpace(size)),
            Some(a) => {
                checked_range(a, len)?;
                Ok(a)
            }
        }
    }

    /// Add a program region (text, data, bss) at `start`, filled on first touch from `image`
    /// (bytes past its end read as zero). Named for students by its protection and contents:
    /// executable "text", writable "data" (or "bss" if the image is all zero), else "rodata".
    ///
    /// # Errors
    /// As `mmap` with a fixed address, and `ImageTooLarge` if `image` is longer than `len`.
    pub fn add_region(
        &mut self,
        start: u32,
        len: u32,
        prot: Prot,
        image: Vec<u8>,
    ) -> Result<(), MmError> {
        let name = if prot.contains(Prot::X) {
            "text"
        } else if !prot.contains(Prot::W) {
            "rodata"
        } else if image.iter().any(|&b| b != 0) {
            "data"
        } else {
            "bss"
        };
        self.add_named_region(start, len, prot, name, image)
    }

    /// [`MemoryManager::add_region`] with a name of the caller's choosing.
    ///
    /// # Errors
    /// As [`MemoryManager::add_region`].
    pub fn add_named_region(
        &mut self,
        start: u32,
        len: u32,
        prot: Prot,
        name: &str,
        image: Vec<u8>,
    ) -> Result<(), MmError> {
        let end = checked_range(start, len)?;
        if image.len() > (end - start) as usize {
            return Err(MmError::ImageTooLarge {
                bytes: image.len(),
                len,
            });
        }
        self.add(
            start,
            end - start,
            prot,
            name,
            Backing::Image(ImageStore::new(image)),
        )
    }

    /// Insert a region; its `RegionMapped` event goes out with the next call that has an env.
    fn add(
        &mut self,
        start: u32,
        size: u32,
        prot: Prot,
        name: &str,
        backing: Backing,
    ) -> Result<(), MmError> {
        let end = start
            .checked_add(size)
            .ok_or(MmError::Overflow { start, len: size })?;
        self.space.insert(Region {
            start,
            end,
            prot,
            name: name.to_string(),
            backing,
            priority: 0,
            read_once: false,
        })?;
        self.pending.push(PagerEvent::RegionMapped {
            start,
            end,
            name: name.to_string(),
        });
        Ok(())
    }

    /// Unmap `[addr, addr+len)` (len rounded up to pages): regions straddling its ends are
    /// split, resident pages are unmapped and their frames deallocated, swap copies dropped.
    /// Unmapping a range with nothing in it is not an error (as in POSIX).
    ///
    /// # Errors
    /// `Unaligned`, `EmptyLength` or `Overflow` (EINVAL).
    pub fn munmap(&mut self, env: &mut dyn PagerEnv, addr: u32, len: u32) -> Result<(), MmError> {
        self.flush(env);
        let end = checked_range(addr, len)?;
        self.drop_pages(env, addr, end, true);
        self.pinned.retain(|&p| p < addr || p >= end);
        let gone = self.space.remove_range(addr, end);
        self.unmap_files(env, addr, end, &gone);
        env.event(PagerEvent::RegionUnmapped { start: addr, end });
        Ok(())
    }

    /// Forget the contents of `[start, end)`: release resident pages (pinned ones too if
    /// `with_pinned`), drop swap copies and lost marks.
    pub(crate) fn drop_pages(
        &mut self,
        env: &mut dyn PagerEnv,
        start: u32,
        end: u32,
        with_pinned: bool,
    ) {
        let pages: Vec<u32> = self
            .resident
            .range(start, end)
            .map(|(p, _)| p)
            .filter(|p| with_pinned || !self.pinned.contains(p))
            .collect();
        for page in pages {
            self.release_page(env, page);
        }
        self.swap.discard_range(start, end);
        let lost: Vec<u32> = self.lost.range(start..end).copied().collect();
        for p in lost {
            self.lost.remove(&p);
        }
    }

    /// Pin `[addr, addr+len)`: bring its pages in now and never choose them as victims (like
    /// the pager's own memory). At least one frame always stays pageable.
    ///
    /// # Errors
    /// `NotMapped` (ENOMEM) if part of the range is in no region, `PinLimit` (ENOMEM) if too
    /// many pages would be pinned, `OutOfFrames` if a page cannot be brought in.
    pub fn pin(&mut self, env: &mut dyn PagerEnv, addr: u32, len: u32) -> Result<(), MmError> {
        self.flush(env);
        let start = page_of(addr);
        let end = checked_range(start, len.saturating_add(addr - start))?;
        if let Some(hole) = self.space.first_hole(start, end) {
            return Err(MmError::NotMapped(hole));
        }
        let new: Vec<u32> = (start..end)
            .step_by(PAGE_SIZE as usize)
            .filter(|p| !self.pinned.contains(p))
            .collect();
        self.check_pin_limit(new.len() as u32)?;
        for page in new {
            if !self.resident.contains(page) {
                self.bring_in(env, page, Cause::Pin)
                    .map_err(MmError::OutOfFrames)?;
            }
            self.pinned.insert(page);
            env.event(PagerEvent::Pin { vaddr: page });
        }
        Ok(())
    }

    /// Refuses pinning `asked` more pages if the pinned pages would leave no frame to page
    /// through.
    ///
    /// # Errors
    /// `PinLimit`.
    fn check_pin_limit(&self, asked: u32) -> Result<(), MmError> {
        let pinned = self.pinned.len() as u32;
        if pinned + asked >= self.limit {
            return Err(MmError::PinLimit {
                asked,
                pinned,
                frames: self.limit,
            });
        }
        Ok(())
    }

    /// The workload registered an eviction callback: pin its entry page and the stack page
    /// below `stack_top`, so running it can never fault while the pager is evicting.
    /// core keeps `entry` and `stack_top` to run the callback in `ask_callback`.
    ///
    /// # Errors
    /// As [`MemoryManager::pin`]; EINVAL (`EmptyLength`) for a zero stack top.
    pub fn register_eviction_callback(
        &mut self,
        env: &mut dyn PagerEnv,
        entry: u32,
        stack_top: u32,
    ) -> Result<(), MmError> {
        let stack_page = page_of(stack_top.checked_sub(1).ok_or(MmError::EmptyLength)?);
        let pages = [page_of(entry), stack_page];
        for page in pages {
            if let Some(hole) = self.space.first_hole(page, page + PAGE_SIZE) {
                return Err(MmError::NotMapped(hole));
            }
        }
        // Check the limit for both pages first, so a refusal pins nothing.
        let mut new: Vec<u32> = pages
            .into_iter()
            .filter(|p| !self.pinned.contains(p))
            .collect();
        new.dedup();
        self.check_pin_limit(new.len() as u32)?;
        for page in new {
            self.pin(env, page, PAGE_SIZE)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::fake::{anon, FakeEnv, CONTAINER};
    use crate::{
        MmError, PagerEvent, PolicyKind, Prot, RegionKind, EEXIST, EINVAL, ENOMEM, USER_TOP,
    };
    use physmem::{Request, PAGE_SIZE};

    #[test]
    fn mmap_places_first_fit_and_refuses_bad_requests_with_the_right_errno() {
        let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
        let rw = Prot::RW;
        let a = mm
            .mmap(&mut env, None, 1, rw, RegionKind::Anonymous)
            .unwrap();
        let b = mm
            .mmap(&mut env, None, 2 * PAGE_SIZE, rw, RegionKind::Anonymous)
            .unwrap();
        assert_eq!((a, b), (0x4000, 0x5000));
        mm.munmap(&mut env, a, PAGE_SIZE).unwrap();
        // The hole at 0x4000 fits one page, not two.
        assert_eq!(
            mm.mmap(&mut env, None, PAGE_SIZE, rw, RegionKind::Anonymous),
            Ok(0x4000)
        );
        assert_eq!(
            mm.mmap(&mut env, None, 2 * PAGE_SIZE, rw, RegionKind::Anonymous),
            Ok(0x7000)
        );
        let err = |r: Result<u32, MmError>| r.unwrap_err().errno();
        assert_eq!(
            err(mm.mmap(&mut env, Some(0x9001), 1, rw, RegionKind::Anonymous)),
            EINVAL
        );
        assert_eq!(
            err(mm.mmap(&mut env, Some(0), PAGE_SIZE, rw, RegionKind::Anonymous)),
            EINVAL
        );
        assert_eq!(
            err(mm.mmap(
                &mut env,
                Some(USER_TOP),
                PAGE_SIZE,
                rw,
                RegionKind::Anonymous
            )),
            EINVAL
        );
        assert_eq!(
            err(mm.mmap(&mut env, Some(0x5000), PAGE_SIZE, rw, RegionKind::Anonymous)),
            EEXIST
        );
        assert_eq!(
            err(mm.mmap(&mut env, None, 0, rw, RegionKind::Anonymous)),
            EINVAL
        );
        assert_eq!(
            err(mm.mmap(&mut env, None, USER_TOP, rw, RegionKind::Anonymous)),
            ENOMEM
        );
        assert_eq!(
            err(mm.mmap(&mut env, None, u32::MAX, rw, RegionKind::Anonymous)),
            EINVAL
        );
        assert_eq!(
            err(mm.mmap(&mut env, None, 1, rw, RegionKind::Image)),
            EINVAL
        );
        assert_eq!(
            mm.mmap(&mut env, Some(0x10_0000), 1, rw, RegionKind::Discardable),
            Ok(0x10_0000)
        );
        assert_eq!(mm.regions().len(), 4);
    }

    #[test]
    fn partial_munmap_splits_the_region_and_frees_frames_and_swap() {
        let (mut mm, mut env) = FakeEnv::setup(2, PolicyKind::Fifo);
        let a = anon(&mut mm, &mut env, 3);
        for p in 0..3 {
            env.write(&mut mm, a + p * PAGE_SIZE, 1).unwrap();
        }
        // Page 0 is in swap now, pages 1 and 2 resident.
        assert_eq!(mm.swap_used(), 1);
        mm.munmap(&mut env, a + PAGE_SIZE, PAGE_SIZE).unwrap();
        let spans: Vec<(u32, u32)> = mm.regions().iter().map(|r| (r.start, r.end)).collect();
        assert_eq!(spans, [(0x4000, 0x5000), (0x6000, 0x7000)]);
        assert_eq!(mm.frames_held(), 1);
        assert!(env
            .requests
            .iter()
            .any(|r| matches!(r, Request::ContainerDeallocate { container, .. } if *container == CONTAINER)));
        assert!(env.read(&mut mm, a + PAGE_SIZE).is_err());
        mm.munmap(&mut env, a, PAGE_SIZE).unwrap();
        assert_eq!(mm.swap_used(), 0);
        assert_eq!(
            env.count(|e| matches!(e, PagerEvent::RegionUnmapped { .. })),
            2
        );
        // Unmapping nothing is fine; a bad address is not.
        assert_eq!(mm.munmap(&mut env, 0x80_0000, 1), Ok(()));
        assert_eq!(
            mm.munmap(&mut env, 0x80_0001, 1),
            Err(MmError::Unaligned(0x80_0001))
        );
    }

    #[test]
    fn pinning_too_much_or_outside_regions_is_refused() {
        let (mut mm, mut env) = FakeEnv::setup(2, PolicyKind::Clock);
        let a = anon(&mut mm, &mut env, 2);
        assert!(matches!(
            mm.pin(&mut env, a, 2 * PAGE_SIZE),
            Err(MmError::PinLimit { .. })
        ));
        assert_eq!(mm.pin(&mut env, 0x9000, 1), Err(MmError::NotMapped(0x9000)));
        assert_eq!(
            mm.register_eviction_callback(&mut env, a + 4, a + 2 * PAGE_SIZE)
                .unwrap_err()
                .errno(),
            ENOMEM
        );
        assert!(
            mm.pinned().is_empty(),
            "a refused registration pins nothing"
        );
        mm.register_eviction_callback(&mut env, a + 4, a + PAGE_SIZE)
            .unwrap();
        assert_eq!(mm.pinned(), [a]);
    }
}
