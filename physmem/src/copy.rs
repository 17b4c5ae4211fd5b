//! `ContainerCopy` (shared or copy-on-write) and breaking copy-on-write on a write.

use crate::caps::ContainerId;
use crate::container::{check_range, Slot};
use crate::protocol::{CopyMode, Effect, Pfn, PhysmemError, Reply, Rights, PAGE_SIZE};
use crate::server::{Physmem, ALL};

/// The arguments of one `ContainerCopy`, resolved to containers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CopyArgs {
    pub src: ContainerId,
    pub src_start: u32,
    pub dest: ContainerId,
    pub dest_start: u32,
    pub count: u32,
    pub mode: CopyMode,
    pub all_or_none: bool,
}

impl Physmem {
    /// `ContainerCopy`: make `[dest_start, +count)` of `dest` refer to the pages of
    /// `[src_start, +count)` of `src`, replacing whatever `dest` held there.
    ///
    /// Copy-on-write keeps unbound (never touched) pages lazy and takes W away from the
    /// source's mappings. Shared mode binds unbound source pages first, so both containers
    /// really refer to the same frames. Without `all_or_none`, the longest prefix that can be
    /// copied is copied, and the reply says how many bytes.
    ///
    /// # Errors
    /// `InvalidRange` (misaligned, or overlapping ranges of one container), `Overflow`,
    /// `NotAllocated` (a source hole at the start, or anywhere with `all_or_none`), and
    /// bind errors in shared mode.
    pub(crate) fn copy(
        &mut self,
        a: CopyArgs,
        fx: &mut Vec<Effect>,
    ) -> Result<Reply, PhysmemError> {
        let src_end = check_range(a.src_start, a.count)?;
        let dest_end = check_range(a.dest_start, a.count)?;
        let overlap = u64::from(a.src_start) < dest_end && u64::from(a.dest_start) < src_end;
        if a.src == a.dest && overlap {
            return Err(PhysmemError::InvalidRange {
                start: a.dest_start,
                size: a.count,
            });
        }
        let mut len = u64::from(a.count);
        if let Some(hole) = self.containers[a.src].first_hole(a.src_start, src_end) {
            len = u64::from(hole - a.src_start);
            if len == 0 || a.all_or_none {
                return Err(PhysmemError::NotAllocated(hole));
            }
        }
        if a.mode == CopyMode::Shared {
            len = self.bind_for_share(a, len, fx)?;
        }
        for i in (0..len).step_by(PAGE_SIZE as usize) {
            let (s, d) = (a.src_start + i as u32, a.dest_start + i as u32);
            self.copy_page(a.src, s, a.dest, d, a.mode, fx);
        }
        Ok(Reply::Amount(len as u32))
    }

    /// Bind the unbound source slots of the first `len` bytes. Returns how many bytes can be
    /// copied (a bind failure cuts the copy short, unless `all_or_none`).
    fn bind_for_share(
        &mut self,
        a: CopyArgs,
        len: u64,
        fx: &mut Vec<Effect>,
    ) -> Result<u64, PhysmemError> {
        let start = u64::from(a.src_start);
        let mut unbound = Vec::new();
        let mut off = start;
        while off < start + len {
            let (base, slot) = self.containers[a.src]
                .slot_at(off)
                .expect("bind_for_share: hole");
            if slot.pfn.is_none() {
                unbound.push((base, slot.order));
            }
            off = u64::from(base) + slot.bytes();
        }
        if unbound.is_empty() {
            return Ok(len);
        }
        // Binding may compact memory; keep a copy to undo everything on a refusal.
        let undo = (self.clone(), fx.len());
        for (base, order) in unbound {
            if let Err(e) = self.bind_slot(a.src, base, order, fx) {
                let cut = u64::from(base).max(start) - start;
                if cut == 0 || a.all_or_none {
                    *self = undo.0;
                    fx.truncate(undo.1);
                    return Err(e);
                }
                return Ok(cut);
            }
        }
        Ok(len)
    }

    /// Make the page at `d` of `dest` refer to the page at `s` of `src`.
    fn copy_page(
        &mut self,
        src: ContainerId,
        s: u32,
        dest: ContainerId,
        d: u32,
        mode: CopyMode,
        fx: &mut Vec<Effect>,
    ) {
        // A one-page slot at `d` now names the source's frame; free what it held before.
        let pfn = self.containers[src].pfn_at(u64::from(s));
        let dc = self.container_mut(dest);
        dc.isolate(d);
        if let Some(old) = dc.slots.insert(d, Slot { order: 0, pfn }) {
            self.release_slot(dest, d, old, fx);
        }
        let Some(pfn) = pfn else {
            return; // never touched: the copy stays lazy (both sides are zero pages).
        };
        let page = self
            .pages
            .get_mut(pfn)
            .expect("copy_page: source page not bound");
        match mode {
            CopyMode::Shared => {
                assert!(
                    page.join((src, s), (dest, d)),
                    "copy_page: source ref missing"
                );
            }
            CopyMode::CopyOnWrite => {
                if !page.is_cow() {
                    fx.push(Effect::Revoke {
                        pfn: Pfn(pfn),
                        rights: Rights::W,
                    });
                }
                page.add_group((dest, d));
            }
        }
    }

    /// A write to the COW page at `off` of `cid`, bound to `old`: give its group a private
    /// copy, charged to the writer's control capability. Returns the new frame.
    ///
    /// # Errors
    /// `MemoryShort` / `OutOfMemory` from admission. Nothing changes on error.
    pub(crate) fn break_cow(
        &mut self,
        cid: ContainerId,
        off: u32,
        old: u32,
        fx: &mut Vec<Effect>,
    ) -> Result<u32, PhysmemError> {
        let control = self.containers[cid].control;
        self.admit(control, 1)?;
        let new = self.alloc_block(0, fx)?;
        fx.push(Effect::Copy {
            from: Pfn(old),
            to: Pfn(new),
        });
        // Every other mapping of the old frame through this group must go (the group now
        // lives in the new frame); others keep reading the old one after a refault.
        fx.push(Effect::Revoke {
            pfn: Pfn(old),
            rights: ALL,
        });
        let page = self.pages.get_mut(old).expect("break_cow: page not bound");
        let g = page
            .group_of((cid, off))
            .expect("break_cow: reference missing");
        let group = page.take_group(g);
        self.settle_payer(old);
        self.next_seq += 1;
        let seq = self.next_seq;
        for (c, o) in group.refs() {
            let cont = self.container_mut(c);
            cont.isolate(o);
            cont.slots.insert(
                o,
                Slot {
                    order: 0,
                    pfn: Some(new),
                },
            );
        }
        let page = crate::page::Page {
            groups: group,
            payer: control,
            seq,
        };
        self.pages.insert(new, page);
        self.controls.charge(control, seq, new);
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use crate::*;

    fn copy_req(
        src: Handle,
        dest: Handle,
        count: u32,
        mode: CopyMode,
        all_or_none: bool,
    ) -> Request {
        Request::ContainerCopy {
            src,
            src_start: 0,
            dest,
            dest_start: 0,
            count,
            mode,
            all_or_none,
        }
    }

    #[test]
    fn cow_copy_revokes_write_and_breaks_on_write() {
        let (mut pm, a) = one_task(64, 16);
        let b = container(&mut pm, T2, 16);
        let b_for_1 = share(&mut pm, T2, b, T1);
        alloc(&mut pm, T1, a, 0, 0x1000).unwrap();
        let items = map_all(&mut pm, T1, a, Rights::RW, 0x10000, 0, 0x1000);
        let p = items[0].pfn;
        let r = pm.handle(
            T1,
            copy_req(a, b_for_1, 0x1000, CopyMode::CopyOnWrite, false),
        );
        assert_eq!(r.result, Ok(Reply::Amount(0x1000)));
        assert_eq!(
            r.effects,
            vec![Effect::Revoke {
                pfn: p,
                rights: Rights::W
            }]
        );
        // Both sides now map it without W.
        let ia = map_all(
            &mut pm,
            T1,
            a,
            Rights::RW.without(Rights::W),
            0x10000,
            0,
            0x1000,
        );
        assert_eq!((ia[0].pfn, ia[0].rights), (p, Rights::R));
        let r = pm.handle(T2, map_req(b, Rights::R, 0x20000, 0, 0x1000));
        assert!(r.effects.is_empty());
        let FrameInfo::Bound {
            cow: true, owners, ..
        } = pm.frame(p)
        else {
            panic!()
        };
        assert_eq!(owners.len(), 3); // a (task 1), b (task 2 and task 1)
                                     // A write fault by task 2 breaks COW for that page only.
        let r = pm.handle(T2, map_req(b, Rights::RW, 0x20000, 0, 0x1000));
        let Ok(Reply::Mapped { items, .. }) = r.result else {
            panic!()
        };
        let q = items[0].pfn;
        assert_ne!(q, p);
        assert_eq!(items[0].rights, Rights::RW);
        assert_eq!(
            r.effects,
            vec![
                Effect::Copy { from: p, to: q },
                Effect::Revoke {
                    pfn: p,
                    rights: Rights::RWX
                }
            ]
        );
        // The source is the only referrer left: writable again, no longer COW.
        let FrameInfo::Bound { cow: false, .. } = pm.frame(p) else {
            panic!()
        };
        let ia = map_all(&mut pm, T1, a, Rights::RW, 0x10000, 0, 0x1000);
        assert_eq!((ia[0].pfn, ia[0].rights), (p, Rights::RW));
        let s = pm.stats();
        assert_eq!((s.tasks[0].bound, s.tasks[1].bound), (1, 1));
        pm.check_invariants().unwrap();
    }

    #[test]
    fn cow_copy_of_untouched_pages_stays_lazy() {
        let (mut pm, a) = one_task(64, 16);
        let b = container(&mut pm, T1, 0);
        alloc(&mut pm, T1, a, 0, 0x4000).unwrap();
        let r = pm.handle(T1, copy_req(a, b, 0x4000, CopyMode::CopyOnWrite, true));
        assert_eq!(r.result, Ok(Reply::Amount(0x4000)));
        assert!(r.effects.is_empty());
        assert_eq!(pm.stats().free, 64);
        assert_eq!(pm.stats().containers[1].allocated, 4);
    }

    #[test]
    fn shared_copy_writes_are_seen_by_both() {
        let (mut pm, a) = one_task(64, 16);
        let b = container(&mut pm, T1, 0);
        alloc(&mut pm, T1, a, 0, 0x2000).unwrap();
        let r = pm.handle(T1, copy_req(a, b, 0x2000, CopyMode::Shared, false));
        assert_eq!(r.result, Ok(Reply::Amount(0x2000)));
        assert_eq!(r.effects.len(), 2); // the source got bound: two Zero effects
        let ia = map_all(&mut pm, T1, a, Rights::RW, 0x10000, 0, 0x2000);
        let ib = map_all(&mut pm, T1, b, Rights::RW, 0x20000, 0, 0x2000);
        assert_eq!(ia[0].pfn, ib[0].pfn);
        assert_eq!(ib[0].rights, Rights::RW);
        let FrameInfo::Bound {
            shared: true,
            cow: false,
            ..
        } = pm.frame(ia[0].pfn)
        else {
            panic!()
        };
        pm.check_invariants().unwrap();
    }

    #[test]
    fn copy_partial_and_all_or_none() {
        let (mut pm, a) = one_task(64, 16);
        let b = container(&mut pm, T1, 0);
        alloc(&mut pm, T1, a, 0, 0x2000).unwrap();
        let before = pm.clone();
        let r = pm.handle(T1, copy_req(a, b, 0x3000, CopyMode::CopyOnWrite, true));
        assert_eq!(r.result, Err(PhysmemError::NotAllocated(0x2000)));
        assert!(pm.same_state(&before));
        let r = pm.handle(
            T1,
            Request::ContainerCopy {
                src: a,
                src_start: 0x2000,
                dest: b,
                dest_start: 0,
                count: 0x1000,
                mode: CopyMode::CopyOnWrite,
                all_or_none: false,
            },
        );
        assert_eq!(r.result, Err(PhysmemError::NotAllocated(0x2000)));
        let r = pm.handle(
            T1,
            Request::ContainerCopy {
                src: a,
                src_start: 0,
                dest: a,
                dest_start: 0x1000,
                count: 0x2000,
                mode: CopyMode::CopyOnWrite,
                all_or_none: false,
            },
        );
        assert_eq!(
            r.result,
            Err(PhysmemError::InvalidRange {
                start: 0x1000,
                size: 0x2000
            })
        );
        assert!(pm.same_state(&before));
        let r = pm.handle(T1, copy_req(a, b, 0x3000, CopyMode::CopyOnWrite, false));
        assert_eq!(r.result, Ok(Reply::Amount(0x2000)));
    }

    #[test]
    fn copy_replaces_destination_frames() {
        let (mut pm, a) = one_task(64, 16);
        let b = container(&mut pm, T1, 4);
        alloc(&mut pm, T1, a, 0, 0x1000).unwrap();
        alloc(&mut pm, T1, b, 0, 0x1000).unwrap();
        let old = map_all(&mut pm, T1, b, Rights::RW, 0x20000, 0, 0x1000)[0].pfn;
        let src = map_all(&mut pm, T1, a, Rights::RW, 0x10000, 0, 0x1000)[0].pfn;
        let r = pm.handle(T1, copy_req(a, b, 0x1000, CopyMode::CopyOnWrite, false));
        assert_eq!(
            r.effects,
            vec![
                Effect::Revoke {
                    pfn: old,
                    rights: Rights::RWX
                },
                Effect::Revoke {
                    pfn: src,
                    rights: Rights::W
                }
            ]
        );
        assert_eq!(pm.frame(old), FrameInfo::Free);
        pm.check_invariants().unwrap();
    }

    #[test]
    fn shared_copy_refused_when_binding_fails_changes_nothing() {
        let mut pm = boot(4);
        let a = container(&mut pm, T1, 2);
        container(&mut pm, T2, 2);
        let b = container(&mut pm, T1, 0);
        alloc(&mut pm, T1, a, 0, 0x4000).unwrap();
        let before = pm.clone();
        let r = pm.handle(T1, copy_req(a, b, 0x4000, CopyMode::Shared, false));
        assert_eq!(r.result, Err(PhysmemError::OutOfMemory { guaranteed: 2 }));
        assert!(r.effects.is_empty());
        assert!(pm.same_state(&before));
    }
}
