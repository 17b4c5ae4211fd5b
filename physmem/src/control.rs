//! Control capabilities: a guarantee of frames, and the frames charged against it.

use std::collections::{btree_map, BTreeMap, BTreeSet};
use std::ops::Index;

use crate::caps::ControlId;
use crate::protocol::{Handle, TaskId};

/// A control capability: the right to `guaranteed` frames. Frames charged beyond the
/// guarantee are *extra* frames, which physmem may ask back under pressure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Control {
    /// The task holding it (a control capability has exactly one holder).
    pub holder: TaskId,
    /// The holder's handle.
    pub handle: Handle,
    /// Frames guaranteed.
    pub guaranteed: u32,
    /// Frames charged to it, as (bind sequence number, pfn): the last ones are the extra ones.
    pub pages: BTreeSet<(u64, u32)>,
}

impl Control {
    /// Frames charged.
    pub fn charged(&self) -> u32 {
        self.pages.len() as u32
    }

    /// Guaranteed frames not yet used: what physmem must keep free for this capability.
    pub fn unused(&self) -> u32 {
        self.guaranteed.saturating_sub(self.charged())
    }

    /// Frames charged beyond the guarantee.
    pub fn extra(&self) -> u32 {
        self.charged().saturating_sub(self.guaranteed)
    }

    /// The extra frames: the most recently bound ones beyond the guarantee.
    pub fn extra_pages(&self) -> impl Iterator<Item = u32> + '_ {
        self.pages
            .iter()
            .rev()
            .take(self.extra() as usize)
            .map(|&(_, pfn)| pfn)
    }
}

/// Every control capability, and the sum of their unused guarantees kept up to date (the
/// pressure check runs at every step, so it must not add them up each time).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Controls {
    by_id: BTreeMap<ControlId, Control>,
    /// Sum of `unused()` over all of them.
    reserve: u64,
}

impl Controls {
    /// Guaranteed frames not yet used, over all control capabilities: what must stay free.
    pub fn reserve(&self) -> u64 {
        self.reserve
    }

    /// Add a control capability.
    pub fn insert(&mut self, id: ControlId, control: Control) {
        self.reserve += u64::from(control.unused());
        assert!(
            self.by_id.insert(id, control).is_none(),
            "Controls::insert: id in use"
        );
    }

    /// Remove a control capability.
    pub fn remove(&mut self, id: ControlId) -> Option<Control> {
        let control = self.by_id.remove(&id)?;
        self.reserve -= u64::from(control.unused());
        Some(control)
    }

    /// Change one control capability through `f`, keeping the reserve in step.
    fn update(&mut self, id: ControlId, f: impl FnOnce(&mut Control)) {
        let c = self
            .by_id
            .get_mut(&id)
            .expect("Controls::update: unknown control");
        let before = c.unused();
        f(c);
        self.reserve = self.reserve - u64::from(before) + u64::from(c.unused());
    }

    /// Charge frame `pfn`, bound with sequence number `seq`, to `id`.
    pub fn charge(&mut self, id: ControlId, seq: u64, pfn: u32) {
        self.update(id, |c| {
            assert!(
                c.pages.insert((seq, pfn)),
                "Controls::charge: charged twice"
            );
        });
    }

    /// Stop charging frame `pfn` (sequence number `seq`) to `id`.
    pub fn uncharge(&mut self, id: ControlId, seq: u64, pfn: u32) {
        self.update(id, |c| {
            assert!(
                c.pages.remove(&(seq, pfn)),
                "Controls::uncharge: not charged"
            );
        });
    }

    /// Take `frames` off the guarantee of `id`.
    pub fn shrink_guarantee(&mut self, id: ControlId, frames: u32) {
        self.update(id, |c| c.guaranteed -= frames);
    }

    /// The control capability `id`.
    pub fn get(&self, id: &ControlId) -> Option<&Control> {
        self.by_id.get(id)
    }

    /// Whether `id` is a live control capability.
    pub fn contains_key(&self, id: &ControlId) -> bool {
        self.by_id.contains_key(id)
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Every control capability, by id.
    pub fn iter(&self) -> btree_map::Iter<'_, ControlId, Control> {
        self.by_id.iter()
    }

    /// Every control capability, in id order.
    pub fn values(&self) -> btree_map::Values<'_, ControlId, Control> {
        self.by_id.values()
    }

    /// Check that the reserve is the sum of the unused guarantees.
    pub fn check(&self) -> Result<(), String> {
        let sum: u64 = self.values().map(|c| u64::from(c.unused())).sum();
        if sum != self.reserve {
            return Err(format!(
                "reserve {} but {sum} guaranteed frames unused",
                self.reserve
            ));
        }
        Ok(())
    }
}

impl Index<&ControlId> for Controls {
    type Output = Control;

    fn index(&self, id: &ControlId) -> &Control {
        self.get(id).expect("Controls: unknown control")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_frames_are_the_extra_ones() {
        let mut c = Control {
            holder: TaskId(1),
            handle: Handle(1),
            guaranteed: 2,
            pages: BTreeSet::new(),
        };
        assert_eq!((c.unused(), c.extra()), (2, 0));
        for (seq, pfn) in [(1, 40), (2, 10), (3, 30)] {
            c.pages.insert((seq, pfn));
        }
        assert_eq!((c.unused(), c.extra()), (0, 1));
        assert_eq!(c.extra_pages().collect::<Vec<_>>(), vec![30]);
    }

    #[test]
    fn the_reserve_follows_charges_and_guarantees() {
        let mut cs = Controls::default();
        let control = |guaranteed| Control {
            holder: TaskId(1),
            handle: Handle(1),
            guaranteed,
            pages: BTreeSet::new(),
        };
        cs.insert(ControlId(1), control(2));
        cs.insert(ControlId(2), control(3));
        assert_eq!(cs.reserve(), 5);
        for pfn in 0..3 {
            cs.charge(ControlId(1), pfn.into(), pfn);
        }
        assert_eq!(cs.reserve(), 3); // the third frame is an extra one
        cs.uncharge(ControlId(1), 0, 0);
        cs.shrink_guarantee(ControlId(2), 1);
        assert_eq!(cs.reserve(), 2);
        cs.remove(ControlId(2));
        assert_eq!(cs.reserve(), 0);
        cs.check().unwrap();
    }
}
