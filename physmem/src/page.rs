//! Bound pages: which container offsets refer to a physical frame, and who pays for it.

use crate::caps::{ContainerId, ControlId};

/// A reference to a page: (container, byte offset).
pub(crate) type PageRef = (ContainerId, u32);

/// A bound physical page (4 KiB frame).
///
/// References are grouped: references in one group share writes (`CopyMode::Shared`);
/// different groups are copy-on-write against each other. A page is COW while it has more
/// than one group; a write through a group gives that group a private copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Page {
    /// The groups of references; never empty, no group empty.
    pub groups: Vec<Vec<PageRef>>,
    /// The control capability charged for the page (the control of one referring container).
    pub payer: ControlId,
    /// Bind sequence number: later binds are reclaimed first.
    pub seq: u64,
}

impl Page {
    /// A page referred to by one container offset.
    pub fn new(r: PageRef, payer: ControlId, seq: u64) -> Page {
        Page {
            groups: vec![vec![r]],
            payer,
            seq,
        }
    }

    /// Whether the page is copy-on-write (mapped without W everywhere).
    pub fn is_cow(&self) -> bool {
        self.groups.len() > 1
    }

    /// Every reference.
    pub fn refs(&self) -> impl Iterator<Item = PageRef> + '_ {
        self.groups.iter().flatten().copied()
    }

    /// The group index holding `r`.
    pub fn group_of(&self, r: PageRef) -> Option<usize> {
        self.groups.iter().position(|g| g.contains(&r))
    }

    /// Remove one reference (dropping an emptied group). Returns whether it was there.
    pub fn remove_ref(&mut self, r: PageRef) -> bool {
        let Some(g) = self.group_of(r) else {
            return false;
        };
        self.groups[g].retain(|&x| x != r);
        if self.groups[g].is_empty() {
            self.groups.remove(g);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cow_ends_with_the_last_other_group() {
        let a = (ContainerId(1), 0);
        let b = (ContainerId(2), 0x1000);
        let mut p = Page::new(a, ControlId(0), 1);
        assert!(!p.is_cow());
        p.groups.push(vec![b]);
        assert!(p.is_cow());
        assert!(p.remove_ref(b));
        assert!(!p.remove_ref(b));
        assert!(!p.is_cow());
        assert_eq!(p.refs().collect::<Vec<_>>(), vec![a]);
    }
}
