//! The server's invariants, checked by property and soak tests after every step.

use std::collections::BTreeSet;

use crate::caps::Object;
use crate::container::MAX_FRAME_ORDER;
use crate::protocol::PAGE_SIZE;
use crate::server::Physmem;

impl Physmem {
    /// Check every internal invariant: frames are conserved (free + bound = total), each
    /// bound page is referred to by exactly the container offsets that say so and charged
    /// to exactly one control capability, slots are aligned and disjoint, guarantees fit in
    /// memory, and every handle names a live object held by its task.
    ///
    /// # Errors
    /// A description of the first broken invariant.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.frames.check()?;
        let total = self.frames.total();
        if self.frames.free_count() + self.pages.len() != total {
            return Err(format!(
                "frames not conserved: {} free + {} bound != {total}",
                self.frames.free_count(),
                self.pages.len()
            ));
        }
        let promised: u64 = self
            .controls
            .values()
            .map(|c| u64::from(c.guaranteed))
            .sum();
        if promised > u64::from(total) {
            return Err(format!("guarantees {promised} exceed {total} frames"));
        }
        self.check_pages()?;
        self.check_containers()?;
        self.check_caps()
    }

    fn check_pages(&self) -> Result<(), String> {
        let mut charged = 0;
        self.controls.check()?;
        for (id, c) in self.controls.iter() {
            for (seq, pfn) in c.pages.iter() {
                match self.pages.get(pfn) {
                    Some(p) if p.payer == id && p.seq == seq => charged += 1,
                    _ => {
                        return Err(format!(
                            "control {id:?} is charged for {pfn:#x}, which it does not pay"
                        ))
                    }
                }
            }
        }
        if charged != self.pages.len() {
            return Err(format!(
                "{charged} frames charged, {} bound",
                self.pages.len()
            ));
        }
        for (pfn, page) in self.pages.iter() {
            if !self.frames.owns(pfn) || self.frames.is_free(pfn) {
                return Err(format!("bound frame {pfn:#x} is free or not physmem's"));
            }
            if page.is_empty() {
                return Err(format!("frame {pfn:#x} has no reference"));
            }
            let refs: Vec<_> = page.refs().collect();
            if refs.iter().collect::<BTreeSet<_>>().len() != refs.len() {
                return Err(format!("frame {pfn:#x} is referred to twice by one offset"));
            }
            let mut payer_refers = false;
            for &(cid, off) in &refs {
                let Some(c) = self.containers.get(cid) else {
                    return Err(format!(
                        "frame {pfn:#x} referred to by dead container {cid:?}"
                    ));
                };
                if c.pfn_at(u64::from(off)) != Some(pfn) {
                    return Err(format!(
                        "frame {pfn:#x}: container {cid:?} offset {off:#x} holds another frame"
                    ));
                }
                payer_refers |= c.control == page.payer;
            }
            if !payer_refers {
                return Err(format!(
                    "frame {pfn:#x} is charged to a control none of its containers uses"
                ));
            }
        }
        Ok(())
    }

    fn check_containers(&self) -> Result<(), String> {
        for (cid, c) in self.containers.iter() {
            if self.controls.get(c.control).is_none() {
                return Err(format!("container {cid:?} outlived its control capability"));
            }
            let mut end = 0u64;
            for (off, slot) in c.slots.iter() {
                let pages = 1u32 << slot.order;
                if slot.order > MAX_FRAME_ORDER
                    || u64::from(off) % slot.bytes() != 0
                    || u64::from(off) < end
                {
                    return Err(format!(
                        "container {cid:?}: slot {off:#x} misaligned or overlapping"
                    ));
                }
                end = u64::from(off) + slot.bytes();
                let Some(first) = slot.pfn else { continue };
                if first % pages != 0 {
                    return Err(format!(
                        "container {cid:?}: frame {first:#x} not aligned to its size"
                    ));
                }
                for i in 0..pages {
                    let r = (cid, off + i * PAGE_SIZE);
                    if self
                        .pages
                        .get(first + i)
                        .and_then(|p| p.group_of(r))
                        .is_none()
                    {
                        return Err(format!(
                            "container {cid:?} offset {:#x}: frame does not know it",
                            r.1
                        ));
                    }
                }
            }
            for (&task, &h) in &c.holders {
                match self.caps.get(h) {
                    Some(cap) if cap.task == task && cap.object == Object::Container(cid) => {}
                    _ => {
                        return Err(format!(
                            "container {cid:?}: holder {task:?} has no handle {h:?}"
                        ))
                    }
                }
            }
        }
        Ok(())
    }

    fn check_caps(&self) -> Result<(), String> {
        let mut control_caps = 0;
        for (h, cap) in self.caps.iter() {
            let ok = match cap.object {
                Object::Control(id) => {
                    control_caps += 1;
                    self.controls
                        .get(id)
                        .is_some_and(|c| c.handle == h && c.holder == cap.task)
                }
                Object::Container(id) => self
                    .containers
                    .get(id)
                    .is_some_and(|c| c.holders.get(&cap.task) == Some(&h)),
            };
            if !ok {
                return Err(format!(
                    "handle {h:?} of {:?} names a dead or foreign object",
                    cap.task
                ));
            }
        }
        if control_caps != self.controls.len() {
            return Err("a control capability has no handle".to_string());
        }
        if let Some(t) = self.pressure.asks.keys().find(|t| !self.tasks.contains(t)) {
            return Err(format!("pressure request to unknown task {t:?}"));
        }
        Ok(())
    }

    /// Whether two servers are in the same state, ignoring request counters (a refused
    /// request must leave the state as it was).
    #[cfg(test)]
    pub(crate) fn same_state(&self, other: &Physmem) -> bool {
        let strip = |p: &Physmem| {
            let mut p = p.clone();
            p.counters = Default::default();
            format!("{p:?}")
        };
        strip(self) == strip(other)
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use crate::*;

    #[test]
    fn a_fresh_server_is_consistent() {
        let (pm, _) = one_task(64, 8);
        pm.check_invariants().unwrap();
    }

    #[test]
    fn corruption_is_detected() {
        let (mut pm, c) = one_task(64, 8);
        alloc(&mut pm, T1, c, 0, 0x1000).unwrap();
        map(&mut pm, T1, c, Rights::R, 0, 0, 0x1000).unwrap();
        let mut broken = pm.clone();
        let pfn = broken.pages.iter().next().unwrap().0;
        broken.frames.free(pfn);
        assert!(broken.check_invariants().is_err());
        let mut broken = pm.clone();
        broken.pages.get_mut(pfn).unwrap().groups = crate::page::Groups::Many(vec![]);
        assert!(broken.check_invariants().is_err());
    }
}
