//! Capabilities: unforgeable handles, each bound to the one task that holds it.

use std::collections::BTreeMap;

use crate::protocol::{Handle, ObjectKind, PhysmemError, TaskId};
use crate::table::Id;

/// Internal name of a control capability (never shown to tasks): its index in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ControlId(pub u32);

/// Internal name of a container (never shown to tasks): its index in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ContainerId(pub u32);

impl Id for ControlId {
    fn from_index(index: usize) -> ControlId {
        ControlId(index.try_into().expect("ControlId: too many"))
    }
    fn index(self) -> usize {
        self.0 as usize
    }
}

impl Id for ContainerId {
    fn from_index(index: usize) -> ContainerId {
        ContainerId(index.try_into().expect("ContainerId: too many"))
    }
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a handle names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Object {
    /// A control capability.
    Control(ControlId),
    /// A container.
    Container(ContainerId),
}

/// One capability: who holds it and what it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cap {
    /// The only task that may use this handle.
    pub task: TaskId,
    /// The object.
    pub object: Object,
}

/// The SplitMix64 finaliser: a fixed bijection on `u64`, so distinct counters give distinct
/// handles, while neighbouring handles look unrelated (no wall clock, no OS randomness).
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The table of every live handle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Caps {
    table: BTreeMap<Handle, Cap>,
    minted: u64,
}

impl Caps {
    /// Mint a fresh handle naming `object` for `task`.
    pub fn mint(&mut self, task: TaskId, object: Object) -> Handle {
        loop {
            self.minted += 1;
            let h = Handle(splitmix64(self.minted));
            // The bijection never repeats a value; 0 is kept out so it can mean "none" to clients.
            if h.0 != 0 && !self.table.contains_key(&h) {
                self.table.insert(h, Cap { task, object });
                return h;
            }
        }
    }

    /// Revoke one handle.
    pub fn revoke(&mut self, h: Handle) {
        self.table.remove(&h);
    }

    /// The object `h` names, if `task` holds it.
    ///
    /// # Errors
    /// `PermissionDenied` when `h` is unknown or held by another task.
    pub fn object(&self, task: TaskId, h: Handle) -> Result<Object, PhysmemError> {
        match self.table.get(&h) {
            Some(cap) if cap.task == task => Ok(cap.object),
            _ => Err(PhysmemError::PermissionDenied(h)),
        }
    }

    /// The control capability `h` names, if `task` holds it.
    ///
    /// # Errors
    /// `PermissionDenied` for a handle the task does not hold, `WrongKind` for a container.
    pub fn control(&self, task: TaskId, h: Handle) -> Result<ControlId, PhysmemError> {
        match self.object(task, h)? {
            Object::Control(id) => Ok(id),
            Object::Container(_) => Err(PhysmemError::WrongKind(h, ObjectKind::Control)),
        }
    }

    /// The container `h` names, if `task` holds it.
    ///
    /// # Errors
    /// `PermissionDenied` for a handle the task does not hold, `WrongKind` for a control.
    pub fn container(&self, task: TaskId, h: Handle) -> Result<ContainerId, PhysmemError> {
        match self.object(task, h)? {
            Object::Container(id) => Ok(id),
            Object::Control(_) => Err(PhysmemError::WrongKind(h, ObjectKind::Container)),
        }
    }

    /// Every live handle with its capability, in handle order.
    pub fn iter(&self) -> impl Iterator<Item = (Handle, Cap)> + '_ {
        self.table.iter().map(|(h, c)| (*h, *c))
    }

    /// The capability behind a handle, whoever holds it.
    pub fn get(&self, h: Handle) -> Option<Cap> {
        self.table.get(&h).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_golden_values() {
        // Reference outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(0x9E37_79B9_7F4A_7C15), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn handles_are_bound_to_their_task() {
        let mut caps = Caps::default();
        let h = caps.mint(TaskId(1), Object::Control(ControlId(0)));
        assert_eq!(caps.control(TaskId(1), h), Ok(ControlId(0)));
        assert_eq!(
            caps.control(TaskId(2), h),
            Err(PhysmemError::PermissionDenied(h))
        );
        assert_eq!(
            caps.container(TaskId(1), h),
            Err(PhysmemError::WrongKind(h, ObjectKind::Container))
        );
        caps.revoke(h);
        assert_eq!(
            caps.control(TaskId(1), h),
            Err(PhysmemError::PermissionDenied(h))
        );
    }

    #[test]
    fn consecutive_handles_do_not_look_consecutive() {
        let mut caps = Caps::default();
        let a = caps.mint(TaskId(1), Object::Control(ControlId(0)));
        let b = caps.mint(TaskId(1), Object::Control(ControlId(1)));
        assert!(a.0.abs_diff(b.0) > 1 << 32);
    }
}
