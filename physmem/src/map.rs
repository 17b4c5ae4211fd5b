//! `ContainerMap`: turning container offsets into fpage-style map items, binding lazily and
//! breaking copy-on-write on a write request.

use crate::caps::ContainerId;
use crate::container::check_range;
use crate::protocol::{
    Effect, MapItem, MapItems, Pfn, PhysmemError, Reply, Rights, MAP_BATCH, PAGE_SIZE,
};
use crate::server::Physmem;

/// The largest fpage a map item carries: 2^10 pages = 4 MiB (one i386 page-directory entry).
pub const MAX_FPAGE_ORDER: u8 = 10;

const PAGE: u64 = PAGE_SIZE as u64;

impl Physmem {
    /// `ContainerMap`: map `[index, index+size)` at `vaddr`, at most `MAP_BATCH` items.
    ///
    /// Each item is the largest fpage that is aligned in the container offset, in `vaddr`
    /// and in the frame number, and whose pages are contiguous frames with the same rights.
    /// COW pages come without W, unless W is asked for: then that page's COW is broken.
    ///
    /// # Errors
    /// `InvalidRange`, `Overflow`, `NotAllocated`, and bind errors for the first page (a
    /// later page that cannot be bound ends the batch early instead; asking again reports it).
    pub(crate) fn map(
        &mut self,
        cid: ContainerId,
        rights: Rights,
        vaddr: u32,
        index: u32,
        size: u32,
        fx: &mut Vec<Effect>,
    ) -> Result<Reply, PhysmemError> {
        let end = check_range(index, size)?;
        check_range(vaddr, size)?;
        if let Some(off) = self.containers[cid].first_hole(index, end) {
            return Err(PhysmemError::NotAllocated(off));
        }
        let rights = rights.intersect(Rights::RWX);
        let write = rights.contains(Rights::W);
        let mut items = MapItems::new();
        let mut off = u64::from(index);
        while off < end && items.len() < MAP_BATCH {
            let first = match self.prepare_page(cid, off, write, fx) {
                Ok(first) => first,
                Err(e) if items.is_empty() => return Err(e),
                Err(_) => break,
            };
            let v = u64::from(vaddr) + off - u64::from(index);
            let (item, len) = self.fpage_at(cid, off, v, end, rights, first);
            items.push(item);
            off += len;
        }
        let next = (off < end).then_some(off as u32);
        Ok(Reply::Mapped { items, next })
    }

    /// Make the page at `off` mappable: bind its frame, and break COW if W is wanted.
    /// Returns its frame and whether it is still COW. Atomic: on error nothing changed.
    fn prepare_page(
        &mut self,
        cid: ContainerId,
        off: u64,
        write: bool,
        fx: &mut Vec<Effect>,
    ) -> Result<(u32, bool), PhysmemError> {
        let (base, slot) = self.containers[cid]
            .slot_at(off)
            .expect("prepare_page: hole");
        let index = ((off - u64::from(base)) / PAGE) as u32;
        let Some(first) = slot.pfn else {
            // A freshly bound frame is never COW.
            let first = self.bind_slot(cid, base, slot.order, fx)?;
            return Ok((first + index, false));
        };
        let pfn = first + index;
        let cow = self.pages[pfn].is_cow();
        if write && cow {
            return Ok((self.break_cow(cid, off as u32, pfn, fx)?, false));
        }
        Ok((pfn, cow))
    }

    /// Whether the page at `off` is COW, and its frame (it must be bound).
    fn page_state(&self, cid: ContainerId, off: u64) -> Option<(u32, bool)> {
        let pfn = self.containers[cid].pfn_at(off)?;
        Some((pfn, self.pages[pfn].is_cow()))
    }

    /// The largest fpage starting at the (bound) page `off`, whose frame and COW state are
    /// `first`, and its length in bytes.
    fn fpage_at(
        &self,
        cid: ContainerId,
        off: u64,
        v: u64,
        end: u64,
        rights: Rights,
        first: (u32, bool),
    ) -> (MapItem, u64) {
        let (pfn, cow) = first;
        let mut k = 0u8;
        while k < MAX_FPAGE_ORDER {
            let (pages, bytes) = (1u64 << (k + 1), PAGE << (k + 1));
            let aligned = off % bytes == 0 && v % bytes == 0 && u64::from(pfn) % pages == 0;
            if !aligned || off + bytes > end {
                break;
            }
            // The upper half must continue the frames with the same rights.
            let half = 1u64 << k;
            let same = (half..pages)
                .all(|i| self.page_state(cid, off + i * PAGE) == Some((pfn + i as u32, cow)));
            if !same {
                break;
            }
            k += 1;
        }
        let rights = if cow {
            rights.without(Rights::W)
        } else {
            rights
        };
        let item = MapItem {
            vaddr: v as u32,
            pfn: Pfn(pfn),
            log2_size: 12 + k,
            rights,
        };
        (item, PAGE << k)
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use crate::*;

    #[test]
    fn map_binds_lazily_with_zero_effects() {
        let (mut pm, c) = one_task(64, 32);
        alloc(&mut pm, T1, c, 0, 0x4000).unwrap();
        let r = pm.handle(T1, map_req(c, Rights::RW, 0x40000, 0, 0x4000));
        let Ok(Reply::Mapped { items, next: None }) = r.result else {
            panic!("{r:?}")
        };
        assert_eq!(items.len(), 1);
        assert_eq!(
            (items[0].log2_size, items[0].rights, items[0].vaddr),
            (14, Rights::RW, 0x40000)
        );
        let base = items[0].pfn.0;
        assert_eq!(base % 4, 0);
        assert_eq!(
            r.effects,
            (base..base + 4)
                .map(|p| Effect::Zero(Pfn(p)))
                .collect::<Vec<_>>()
        );
        // Mapping again binds nothing new.
        let r = pm.handle(T1, map_req(c, Rights::R, 0x40000, 0, 0x4000));
        assert!(r.effects.is_empty());
        pm.check_invariants().unwrap();
    }

    #[test]
    fn fpages_follow_vaddr_alignment() {
        let (mut pm, c) = one_task(64, 32);
        alloc(&mut pm, T1, c, 0, 0x4000).unwrap();
        // A 16K frame at a vaddr only 4K aligned goes out as four 4K fpages.
        let items = map_all(&mut pm, T1, c, Rights::R, 0x41000, 0, 0x4000);
        assert_eq!(
            items
                .iter()
                .map(|i| (i.vaddr, i.log2_size))
                .collect::<Vec<_>>(),
            vec![(0x41000, 12), (0x42000, 12), (0x43000, 12), (0x44000, 12)]
        );
        // 8K aligned: two 8K fpages.
        let items = map_all(&mut pm, T1, c, Rights::R, 0x42000, 0, 0x4000);
        assert_eq!(
            items.iter().map(|i| i.log2_size).collect::<Vec<_>>(),
            vec![13, 13]
        );
    }

    #[test]
    fn map_batches_with_next() {
        let (mut pm, c) = one_task(64, 32);
        let n = MAP_BATCH as u32 + 3;
        for i in 0..n {
            alloc(&mut pm, T1, c, 0x2000 * i, 0x1000).unwrap();
            alloc(&mut pm, T1, c, 0x2000 * i + 0x1000, 0x1000).unwrap();
        }
        // Bind every other page first so no two neighbours are contiguous frames.
        for i in 0..2 * n {
            map(&mut pm, T1, c, Rights::R, 0x1000 * i, 0x1000 * i, 0x1000).unwrap();
            let _ = pm.handle(
                T1,
                Request::ContainerAllocate {
                    container: c,
                    start: 0x100000 + 0x1000 * i,
                    size: 0x1000,
                },
            );
            map(
                &mut pm,
                T1,
                c,
                Rights::R,
                0x100000 + 0x1000 * i,
                0x100000 + 0x1000 * i,
                0x1000,
            )
            .unwrap();
        }
        let r = map(&mut pm, T1, c, Rights::R, 0, 0, 0x1000 * 2 * n).unwrap();
        let Reply::Mapped { items, next } = r else {
            panic!()
        };
        assert_eq!(items.len(), MAP_BATCH);
        assert_eq!(next, Some(0x1000 * MAP_BATCH as u32));
        let all = map_all(&mut pm, T1, c, Rights::R, 0, 0, 0x1000 * 2 * n);
        assert_eq!(all.len(), 2 * n as usize);
    }

    #[test]
    fn map_refuses_bad_requests_and_changes_nothing() {
        let (mut pm, c) = one_task(64, 32);
        alloc(&mut pm, T1, c, 0, 0x2000).unwrap();
        let before = pm.clone();
        assert_eq!(
            map(&mut pm, T1, c, Rights::R, 0, 0, 0x3000),
            Err(PhysmemError::NotAllocated(0x2000))
        );
        assert_eq!(
            map(&mut pm, T1, c, Rights::R, 0x800, 0, 0x1000),
            Err(PhysmemError::InvalidRange {
                start: 0x800,
                size: 0x1000
            })
        );
        assert_eq!(
            map(&mut pm, T1, c, Rights::R, 0xFFFF_F000, 0, 0x2000),
            Err(PhysmemError::Overflow {
                start: 0xFFFF_F000,
                size: 0x2000
            })
        );
        assert_eq!(
            map(&mut pm, T2, c, Rights::R, 0, 0, 0x1000),
            Err(PhysmemError::PermissionDenied(c))
        );
        assert!(pm.same_state(&before));
    }

    #[test]
    fn map_refuses_when_nothing_can_be_bound() {
        // Guarantee 2 of 4 frames, 2 frames promised elsewhere: a 4-frame bind is too much.
        let mut pm = boot(4);
        let c = container(&mut pm, T1, 2);
        container(&mut pm, T2, 2);
        alloc(&mut pm, T1, c, 0, 0x4000).unwrap();
        let before = pm.clone();
        assert_eq!(
            map(&mut pm, T1, c, Rights::R, 0, 0, 0x1000),
            Err(PhysmemError::OutOfMemory { guaranteed: 2 })
        );
        assert!(pm.same_state(&before));
    }
}
