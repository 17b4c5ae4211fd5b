//! Control capabilities: a guarantee of frames, and the frames charged against it.

use std::ops::Index;

use crate::caps::ControlId;
use crate::charges::Charges;
use crate::protocol::{Handle, TaskId};
use crate::table::Table;

/// A control capability: the right to `guaranteed` frames. Frames charged beyond the
/// guarantee are *extra* frames, which physmem may ask back under pressure.
#[derive(Clone, Debug)]
pub(crate) struct Control {
    /// The task holding it (a control capability has exactly one holder).
    pub holder: TaskId,
    /// The holder's handle.
    pub handle: Handle,
    /// Frames guaranteed.
    pub guaranteed: u32,
    /// Frames charged to it, as (bind sequence number, pfn): the last ones are the extra ones.
    pub pages: Charges,
}

impl Control {
    /// Frames charged.
    pub fn charged(&self) -> u32 {
        self.pages.len()
    }

    /// Guaranteed frames not yet used: what physmem must keep free for this capability.
    pub fn unused(&self) -> u32 {
        self.guaranteed.saturating_sub(self.charged())
    }

    /// Frames charged beyond the guarantee.
    pub fn extra(&self) -> u32 {
        self.charged().saturating_sub(self.guaranteed)
    }

    /// The extra frames as (bind sequence number, pfn): the most recently bound ones beyond
    /// the guarantee, newest first.
    pub fn extra_charges(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.pages.iter().rev().take(self.extra() as usize)
    }

    /// The extra frames, newest first.
    pub fn extra_pages(&self) -> impl Iterator<Item = u32> + '_ {
        self.extra_charges().map(|(_, pfn)| pfn)
    }
}

/// Every control capability, and the sum of their unused guarantees kept up to date (the
/// pressure check runs at every step, so it must not add them up each time).
#[derive(Clone, Debug, Default)]
pub(crate) struct Controls {
    by_id: Table<ControlId, Control>,
    /// Sum of `unused()` over all of them.
    reserve: u64,
}

impl Controls {
    /// Guaranteed frames not yet used, over all control capabilities: what must stay free.
    pub fn reserve(&self) -> u64 {
        self.reserve
    }

    /// The id the next `add` hands out.
    pub fn next_id(&self) -> ControlId {
        self.by_id.next_id()
    }

    /// Add a control capability, and return its id.
    pub fn add(&mut self, control: Control) -> ControlId {
        self.reserve += u64::from(control.unused());
        self.by_id.add(control)
    }

    /// Remove a control capability.
    pub fn remove(&mut self, id: ControlId) -> Option<Control> {
        let control = self.by_id.remove(id)?;
        self.reserve -= u64::from(control.unused());
        Some(control)
    }

    /// Change one control capability through `f`, keeping the reserve in step.
    fn update(&mut self, id: ControlId, f: impl FnOnce(&mut Control)) {
        let c = self
            .by_id
            .get_mut(id)
            .expect("Controls::update: unknown control");
        let before = c.unused();
        f(c);
        self.reserve = self.reserve - u64::from(before) + u64::from(c.unused());
    }

    /// Charge frame `pfn`, bound with sequence number `seq`, to `id`.
    pub fn charge(&mut self, id: ControlId, seq: u64, pfn: u32) {
        self.update(id, |c| {
            assert!(c.pages.insert(seq, pfn), "Controls::charge: charged twice");
        });
    }

    /// Stop charging frame `pfn` (sequence number `seq`) to `id`.
    pub fn uncharge(&mut self, id: ControlId, seq: u64, pfn: u32) {
        self.update(id, |c| {
            assert!(c.pages.remove(seq, pfn), "Controls::uncharge: not charged");
        });
    }

    /// Take `frames` off the guarantee of `id`.
    pub fn shrink_guarantee(&mut self, id: ControlId, frames: u32) {
        self.update(id, |c| c.guaranteed -= frames);
    }

    /// The control capability `id`.
    pub fn get(&self, id: ControlId) -> Option<&Control> {
        self.by_id.get(id)
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Every control capability with its id, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (ControlId, &Control)> + '_ {
        self.by_id.iter()
    }

    /// Every control capability, in id order.
    pub fn values(&self) -> impl Iterator<Item = &Control> + Clone + '_ {
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

impl Index<ControlId> for Controls {
    type Output = Control;

    fn index(&self, id: ControlId) -> &Control {
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
            pages: Charges::default(),
        };
        assert_eq!((c.unused(), c.extra()), (2, 0));
        for (seq, pfn) in [(1, 40), (2, 10), (3, 30)] {
            c.pages.insert(seq, pfn);
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
            pages: Charges::default(),
        };
        let (one, two) = (cs.add(control(2)), cs.add(control(3)));
        assert_eq!(cs.reserve(), 5);
        for pfn in 0..3 {
            cs.charge(one, pfn.into(), pfn);
        }
        assert_eq!(cs.reserve(), 3); // the third frame is an extra one
        cs.uncharge(one, 0, 0);
        cs.shrink_guarantee(two, 1);
        assert_eq!(cs.reserve(), 2);
        cs.remove(two);
        assert_eq!(cs.reserve(), 0);
        cs.check().unwrap();
    }
}
