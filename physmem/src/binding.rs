//! Allocating, binding and freeing frames in containers: admission against guarantees,
//! lazy binding, and dropping references.

use crate::caps::{ContainerId, ControlId};
use crate::container::{check_range, decompose, Slot};
use crate::page::{Page, PageRef};
use crate::protocol::{Effect, PhysmemError, Reply, PAGE_SIZE};
use crate::server::{Physmem, ALL};

impl Physmem {
    /// Guaranteed frames not yet used, over all control capabilities: what must stay free.
    pub(crate) fn reserve(&self) -> u64 {
        self.controls.reserve()
    }

    /// May `control` bind `n` more frames?
    ///
    /// Frames within the guarantee are always admitted while enough frames are free. Frames
    /// beyond it (extra frames) only come from frames no guarantee needs.
    ///
    /// # Errors
    /// `MemoryShort` within the guarantee (others hold extra frames), `OutOfMemory` beyond it.
    pub(crate) fn admit(&self, control: ControlId, n: u32) -> Result<(), PhysmemError> {
        let c = &self.controls[control];
        let free = u64::from(self.frames.free_count());
        if n <= c.unused() {
            return if free >= u64::from(n) {
                Ok(())
            } else {
                Err(PhysmemError::MemoryShort { needed: n })
            };
        }
        let others = self.reserve() - u64::from(c.unused());
        if free >= u64::from(n) + others {
            Ok(())
        } else {
            Err(PhysmemError::OutOfMemory {
                guaranteed: c.guaranteed,
            })
        }
    }

    /// Bind the unbound slot at `off` of `cid`, of 2^`order` pages, to a fresh block (lazy
    /// binding), emitting `Zero`s. Returns the block's first frame.
    ///
    /// # Errors
    /// From `admit`, or `NoContiguousBlock`. Nothing changes on error.
    pub(crate) fn bind_slot(
        &mut self,
        cid: ContainerId,
        off: u32,
        order: u8,
        fx: &mut Vec<Effect>,
    ) -> Result<u32, PhysmemError> {
        let control = self.containers[cid].control;
        self.admit(control, 1 << order)?;
        let base = self.alloc_block(order, fx)?;
        let slot = self
            .container_mut(cid)
            .slots
            .get_mut(off)
            .expect("bind_slot: slot vanished");
        assert!(slot.pfn.is_none(), "bind_slot: slot already bound");
        slot.pfn = Some(base);
        for i in 0..1u32 << order {
            let r = (cid, off + i * PAGE_SIZE);
            self.add_page(base + i, r, control);
            fx.push(Effect::Zero(crate::Pfn(base + i)));
        }
        Ok(base)
    }

    /// Record a newly bound page, charged to `payer`.
    pub(crate) fn add_page(&mut self, pfn: u32, r: PageRef, payer: ControlId) {
        self.next_seq += 1;
        let seq = self.next_seq;
        self.pages.insert(pfn, Page::single(r, payer, seq));
        self.controls.charge(payer, seq, pfn);
    }

    /// A free block of 2^order frames: from the buddy lists, else by compaction.
    ///
    /// # Errors
    /// `NoContiguousBlock` when compaction cannot make room (nothing changes then).
    pub(crate) fn alloc_block(
        &mut self,
        order: u8,
        fx: &mut Vec<Effect>,
    ) -> Result<u32, PhysmemError> {
        if let Some(base) = self.frames.alloc(order) {
            return Ok(base);
        }
        self.compact(order, fx)
            .ok_or(PhysmemError::NoContiguousBlock { pages: 1 << order })
    }

    /// Drop one reference to a page: free the page when it was the last, otherwise move the
    /// charge if its payer no longer refers to it.
    pub(crate) fn drop_ref(&mut self, pfn: u32, r: PageRef) {
        let page = self.pages.get_mut(pfn).expect("drop_ref: page not bound");
        assert!(page.remove_ref(r), "drop_ref: reference not on page");
        let (payer, seq) = (page.payer, page.seq);
        if page.is_empty() {
            self.pages.remove(pfn);
            self.controls.uncharge(payer, seq, pfn);
            self.frames.free(pfn);
            return;
        }
        self.settle_payer(pfn);
    }

    /// Keep the invariant "a page's payer is the control of a container referring to it":
    /// when the payer's last reference went, the first remaining referrer pays.
    pub(crate) fn settle_payer(&mut self, pfn: u32) {
        let page = &self.pages[pfn];
        let control_of = |(c, _): PageRef| self.containers[c].control;
        if page.refs().any(|r| control_of(r) == page.payer) {
            return;
        }
        let first = page.refs().next().expect("settle_payer: no reference left");
        let (old, seq, new) = (page.payer, page.seq, control_of(first));
        self.controls.uncharge(old, seq, pfn);
        self.controls.charge(new, seq, pfn);
        self.pages
            .get_mut(pfn)
            .expect("settle_payer: page vanished")
            .payer = new;
    }

    /// Unallocate `[start, end)` of `cid` (slots partly inside are split first), revoking
    /// every mapping of the frames it referred to.
    pub(crate) fn remove_range(
        &mut self,
        cid: ContainerId,
        start: u64,
        end: u64,
        fx: &mut Vec<Effect>,
    ) {
        let c = self.container_mut(cid);
        let first = c.split_at(start);
        // A slot ending exactly at `end` means no slot crosses it.
        if first.is_none_or(|s| start + s.bytes() != end) {
            c.split_at(end);
        }
        let mut from = start;
        while let Some((off, slot)) = self.container_mut(cid).take_first(from, end) {
            from = u64::from(off) + slot.bytes();
            self.release_slot(cid, off, slot, fx);
        }
    }

    /// Revoke every mapping of the pages of `slot`, just taken out of `cid` at `off`, and
    /// drop their references.
    pub(crate) fn release_slot(
        &mut self,
        cid: ContainerId,
        off: u32,
        slot: Slot,
        fx: &mut Vec<Effect>,
    ) {
        let Some(base) = slot.pfn else { return };
        for i in 0..1u32 << slot.order {
            fx.push(Effect::Revoke {
                pfn: crate::Pfn(base + i),
                rights: ALL,
            });
            self.drop_ref(base + i, (cid, off + i * PAGE_SIZE));
        }
    }

    /// `ContainerAllocate`: reserve `[start, start+size)` with the fewest aligned frames.
    ///
    /// # Errors
    /// `InvalidRange`, `Overflow`, `AlreadyAllocated`.
    pub(crate) fn allocate(
        &mut self,
        cid: ContainerId,
        start: u32,
        size: u32,
    ) -> Result<Reply, PhysmemError> {
        let end = check_range(start, size)?;
        let c = self.container_mut(cid);
        if let Some(off) = c.first_allocated(start, end) {
            return Err(PhysmemError::AlreadyAllocated(off));
        }
        for (off, order) in decompose(start, end) {
            c.slots.insert(off, Slot { order, pfn: None });
        }
        Ok(Reply::Amount(size))
    }

    /// `ContainerDeallocate`: free `[start, start+size)`, splitting larger frames.
    ///
    /// # Errors
    /// `InvalidRange`, `Overflow`, `NotAllocated` (if any part is not allocated).
    pub(crate) fn deallocate(
        &mut self,
        cid: ContainerId,
        start: u32,
        size: u32,
        fx: &mut Vec<Effect>,
    ) -> Result<Reply, PhysmemError> {
        let end = check_range(start, size)?;
        if let Some(off) = self.containers[cid].first_hole(start, end) {
            return Err(PhysmemError::NotAllocated(off));
        }
        self.remove_range(cid, u64::from(start), end, fx);
        Ok(Reply::Done)
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use crate::*;

    #[test]
    fn allocate_covers_with_fewest_frames_and_binds_lazily() {
        let (mut pm, c) = one_task(64, 32);
        assert_eq!(
            alloc(&mut pm, T1, c, 0x1000, 0x7000),
            Ok(Reply::Amount(0x7000))
        );
        let s = pm.stats();
        assert_eq!(
            (s.free, s.containers[0].allocated, s.containers[0].bound),
            (64, 7, 0)
        );
        assert_eq!(
            frame_orders(&pm, c),
            vec![(0x1000, 0), (0x2000, 1), (0x4000, 2)]
        );
    }

    #[test]
    fn allocate_refuses_overlap_and_changes_nothing() {
        let (mut pm, c) = one_task(64, 32);
        alloc(&mut pm, T1, c, 0x4000, 0x2000).unwrap();
        let before = pm.clone();
        assert_eq!(
            alloc(&mut pm, T1, c, 0x1000, 0x4000),
            Err(PhysmemError::AlreadyAllocated(0x4000))
        );
        assert_eq!(
            alloc(&mut pm, T1, c, 0x5000, 0x1000),
            Err(PhysmemError::AlreadyAllocated(0x5000))
        );
        assert_eq!(
            alloc(&mut pm, T1, c, 0x1001, 0x1000),
            Err(PhysmemError::InvalidRange {
                start: 0x1001,
                size: 0x1000
            })
        );
        assert_eq!(
            alloc(&mut pm, T1, c, 0, 0),
            Err(PhysmemError::InvalidRange { start: 0, size: 0 })
        );
        assert_eq!(
            alloc(&mut pm, T1, c, 0xFFFF_F000, 0x2000),
            Err(PhysmemError::Overflow {
                start: 0xFFFF_F000,
                size: 0x2000
            })
        );
        assert_eq!(
            alloc(&mut pm, T2, c, 0, 0x1000),
            Err(PhysmemError::PermissionDenied(c))
        );
        assert!(pm.same_state(&before));
    }

    #[test]
    fn deallocate_splits_a_bound_frame_and_revokes() {
        let (mut pm, c) = one_task(64, 32);
        alloc(&mut pm, T1, c, 0, 0x4000).unwrap();
        let items = map_all(&mut pm, T1, c, Rights::RWX, 0x10000, 0, 0x4000);
        assert_eq!(items.len(), 1);
        let base = items[0].pfn.0;
        let r = pm.handle(
            T1,
            Request::ContainerDeallocate {
                container: c,
                start: 0x1000,
                size: 0x1000,
            },
        );
        assert_eq!(r.result, Ok(Reply::Done));
        assert_eq!(
            r.effects,
            vec![Effect::Revoke {
                pfn: Pfn(base + 1),
                rights: Rights::RWX
            }]
        );
        assert_eq!(frame_orders(&pm, c), vec![(0, 0), (0x2000, 1)]);
        assert_eq!(pm.frame(Pfn(base + 1)), FrameInfo::Free);
        assert_eq!(pm.stats().free, 61);
        pm.check_invariants().unwrap();
    }

    #[test]
    fn deallocate_refuses_holes_and_changes_nothing() {
        let (mut pm, c) = one_task(64, 32);
        alloc(&mut pm, T1, c, 0, 0x2000).unwrap();
        let before = pm.clone();
        let r = pm.handle(
            T1,
            Request::ContainerDeallocate {
                container: c,
                start: 0x1000,
                size: 0x2000,
            },
        );
        assert_eq!(r.result, Err(PhysmemError::NotAllocated(0x2000)));
        assert!(r.effects.is_empty());
        let r = pm.handle(
            T2,
            Request::ContainerDeallocate {
                container: c,
                start: 0,
                size: 0x1000,
            },
        );
        assert_eq!(r.result, Err(PhysmemError::PermissionDenied(c)));
        assert!(pm.same_state(&before));
    }

    #[test]
    fn extra_frames_only_from_unpromised_memory() {
        // 16 frames: task 1 guaranteed 4, task 2 guaranteed 8; 4 frames nobody was promised.
        let mut pm = boot(16);
        let c1 = container(&mut pm, T1, 4);
        let _c2 = container(&mut pm, T2, 8);
        for i in 0..9 {
            alloc(&mut pm, T1, c1, 0x1000 * i, 0x1000).unwrap();
        }
        // 4 guaranteed + 4 extra fit; the ninth would eat task 2's guarantee.
        for i in 0..8 {
            map(&mut pm, T1, c1, Rights::RW, 0x1000 * i, 0x1000 * i, 0x1000).unwrap();
        }
        assert_eq!(
            map(&mut pm, T1, c1, Rights::RW, 0x8000, 0x8000, 0x1000),
            Err(PhysmemError::OutOfMemory { guaranteed: 4 })
        );
        let t1 = pm.stats().tasks[0].clone();
        assert_eq!((t1.bound, t1.extra), (8, 4));
    }
}
