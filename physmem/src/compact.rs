//! Compaction: making a naturally aligned run of free frames for a multi-page frame when
//! enough frames are free but scattered. Bound frames in the chosen window move elsewhere
//! (`Effect::Revoke` of the old frame, then `Effect::Copy` to the new one); tasks refault
//! and get the new frame. physmem never binds a multi-page frame as separate pages.

use std::collections::{BTreeMap, BTreeSet};

use crate::protocol::{Effect, Pfn};
use crate::server::{Physmem, ALL};

impl Physmem {
    /// Free an aligned block of 2^order frames by moving bound frames out of the cheapest
    /// window. Returns the block, taken out of the free lists, or `None` (nothing changed).
    pub(crate) fn compact(&mut self, order: u8, fx: &mut Vec<Effect>) -> Option<u32> {
        let n = 1u32 << order;
        if self.frames.free_count() < n {
            return None;
        }
        let mut windows: Vec<(usize, u32)> = self
            .frames
            .owned()
            .filter(|p| p % n == 0)
            .filter(|&p| {
                p.checked_add(n)
                    .is_some_and(|end| (p..end).all(|q| self.frames.owns(q)))
            })
            .map(|p| ((p..p + n).filter(|q| self.pages.contains(*q)).count(), p))
            .collect();
        // Fewest frames to move first; lowest address on ties.
        windows.sort_unstable();
        for (_, base) in windows {
            let Some(units) = self.window_units(base, order) else {
                continue;
            };
            if self.evacuate(base, order, &units, fx) {
                return Some(base);
            }
        }
        None
    }

    /// The blocks that must move to empty the window: for each bound page in it, the
    /// largest bound frame (of any container) containing it. `None` if one is not inside.
    fn window_units(&self, base: u32, order: u8) -> Option<Vec<(u32, u8)>> {
        let mut units: BTreeMap<u32, u8> = BTreeMap::new();
        for pfn in base..base + (1 << order) {
            let Some(page) = self.pages.get(pfn) else {
                continue;
            };
            for (cid, off) in page.refs() {
                let (_, slot) = self.containers[cid]
                    .slot_at(u64::from(off))
                    .expect("window_units: hole");
                let first = slot.pfn.expect("window_units: unbound");
                if slot.order >= order {
                    return None;
                }
                let k = units.entry(first).or_insert(slot.order);
                *k = (*k).max(slot.order);
            }
        }
        // Aligned blocks nest: drop those inside a larger one.
        let all: Vec<(u32, u8)> = units.into_iter().collect();
        let maximal = all
            .iter()
            .filter(|&&(b, k)| {
                !all.iter()
                    .any(|&(b2, k2)| k2 > k && b2 <= b && b < b2 + (1 << k2))
            })
            .copied()
            .collect();
        Some(maximal)
    }

    /// Claim the window's free frames, find new homes for the units outside it, and move
    /// them. Returns false (and undoes the claim) if some unit has no room.
    fn evacuate(
        &mut self,
        base: u32,
        order: u8,
        units: &[(u32, u8)],
        fx: &mut Vec<Effect>,
    ) -> bool {
        let taken: Vec<u32> = (base..base + (1 << order))
            .filter(|&p| self.frames.take(p))
            .collect();
        let mut sorted = units.to_vec();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut homes = Vec::new();
        for &(_, k) in &sorted {
            match self.frames.alloc(k) {
                Some(home) => homes.push(home),
                None => {
                    for (&home, &(_, k)) in homes.iter().zip(&sorted) {
                        self.frames.free_block(home, k);
                    }
                    for p in taken {
                        self.frames.free(p);
                    }
                    return false;
                }
            }
        }
        for (&(from, k), &to) in sorted.iter().zip(&homes) {
            self.move_block(from, k, to, fx);
        }
        true
    }

    /// Move the bound block `from` (2^order pages) to the free block `to`.
    fn move_block(&mut self, from: u32, order: u8, to: u32, fx: &mut Vec<Effect>) {
        let mut slots = BTreeSet::new();
        for i in 0..1u32 << order {
            let page = self
                .pages
                .remove(from + i)
                .expect("move_block: page not bound");
            fx.push(Effect::Revoke {
                pfn: Pfn(from + i),
                rights: ALL,
            });
            fx.push(Effect::Copy {
                from: Pfn(from + i),
                to: Pfn(to + i),
            });
            self.controls.uncharge(page.payer, page.seq, from + i);
            self.controls.charge(page.payer, page.seq, to + i);
            for (cid, off) in page.refs() {
                let (slot_off, _) = self.containers[cid]
                    .slot_at(u64::from(off))
                    .expect("move_block: hole");
                slots.insert((cid, slot_off));
            }
            self.pages.insert(to + i, page);
        }
        for (cid, slot_off) in slots {
            let slot = self
                .container_mut(cid)
                .slots
                .get_mut(slot_off)
                .expect("move_block: slot vanished");
            let first = slot.pfn.expect("move_block: unbound");
            slot.pfn = Some(first - from + to);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use crate::*;

    #[test]
    fn scattered_free_frames_are_compacted_for_a_large_frame() {
        // 8 frames. Bind 8 single pages, free every other one: 4 free, none contiguous.
        let (mut pm, c) = one_task(8, 8);
        for i in 0..8 {
            alloc(&mut pm, T1, c, 0x1000 * i, 0x1000).unwrap();
            map(&mut pm, T1, c, Rights::RW, 0x1000 * i, 0x1000 * i, 0x1000).unwrap();
        }
        for i in (0..8).step_by(2) {
            pm.handle(
                T1,
                Request::ContainerDeallocate {
                    container: c,
                    start: 0x1000 * i,
                    size: 0x1000,
                },
            );
        }
        alloc(&mut pm, T1, c, 0x10000, 0x4000).unwrap();
        let r = pm.handle(T1, map_req(c, Rights::RW, 0x10000, 0x10000, 0x4000));
        let Ok(Reply::Mapped { items, .. }) = &r.result else {
            panic!("{r:?}")
        };
        assert_eq!(items[0].log2_size, 14);
        let copies = r
            .effects
            .iter()
            .filter(|e| matches!(e, Effect::Copy { .. }))
            .count();
        assert_eq!(copies, 2);
        assert_eq!(pm.stats().free, 0);
        pm.check_invariants().unwrap();
        // The moved pages are still where the container says.
        let items = map_all(&mut pm, T1, c, Rights::R, 0x1000, 0x1000, 0x1000);
        assert!(matches!(pm.frame(items[0].pfn), FrameInfo::Bound { .. }));
    }

    #[test]
    fn no_aligned_window_refuses_and_changes_nothing() {
        // physmem owns only even frames: no two are contiguous.
        let mut pm = Physmem::new((0..8).map(|p| Pfn(2 * p)));
        let c = container(&mut pm, T1, 8);
        alloc(&mut pm, T1, c, 0, 0x2000).unwrap();
        let before = pm.clone();
        let r = pm.handle(T1, map_req(c, Rights::RW, 0, 0, 0x2000));
        assert_eq!(r.result, Err(PhysmemError::NoContiguousBlock { pages: 2 }));
        assert!(r.effects.is_empty());
        assert!(pm.same_state(&before));
        // Page-sized frames are fine.
        alloc(&mut pm, T1, c, 0x2000, 0x1000).unwrap();
        assert!(map(&mut pm, T1, c, Rights::RW, 0x2000, 0x2000, 0x1000).is_ok());
    }
}
