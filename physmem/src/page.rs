//! Bound pages: which container offsets refer to a physical frame, and who pays for it.

use std::fmt;
use std::ops::Index;

use crate::caps::{ContainerId, ControlId};

/// A reference to a page: (container, byte offset).
pub(crate) type PageRef = (ContainerId, u32);

/// A page's references in groups: references in one group share writes
/// (`CopyMode::Shared`); different groups are copy-on-write against each other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Groups {
    /// One group of one reference: the common case, kept without a heap allocation.
    One(PageRef),
    /// Any other shape, as (group, reference): groups numbered from 0 without gaps, a
    /// group's references together in the order they joined. Empty only while the last
    /// reference is being dropped.
    Many(Vec<(u32, PageRef)>),
}

impl Groups {
    /// Every reference with its group, in order.
    fn iter(&self) -> impl Iterator<Item = (u32, PageRef)> + '_ {
        let (one, many) = match self {
            Groups::One(r) => (Some((0, *r)), &[][..]),
            Groups::Many(refs) => (None, &refs[..]),
        };
        one.into_iter().chain(many.iter().copied())
    }

    /// Every reference, in order.
    pub fn refs(&self) -> impl Iterator<Item = PageRef> + '_ {
        self.iter().map(|(_, r)| r)
    }

    /// One group of `members` (at least one).
    fn one_group(mut members: impl Iterator<Item = PageRef>) -> Groups {
        let first = members.next().expect("Groups::one_group: no member");
        match members.next() {
            None => Groups::One(first),
            Some(second) => Groups::Many(
                [first, second]
                    .into_iter()
                    .chain(members)
                    .map(|r| (0, r))
                    .collect(),
            ),
        }
    }

    /// The references as a list, to change them (`settle` afterwards).
    fn many(&mut self) -> &mut Vec<(u32, PageRef)> {
        if let Groups::One(r) = *self {
            *self = Groups::Many(vec![(0, r)]);
        }
        match self {
            Groups::Many(refs) => refs,
            Groups::One(_) => unreachable!("Groups::many: just replaced"),
        }
    }

    /// Back to `One` if a single reference is left.
    fn settle(&mut self) {
        if let Groups::Many(refs) = self {
            if let [(_, r)] = refs[..] {
                *self = Groups::One(r);
            }
        }
    }

    /// Remove group `g`, renumbering the later ones.
    fn close_gap(refs: &mut Vec<(u32, PageRef)>, g: u32) {
        refs.retain(|e| e.0 != g);
        for e in refs.iter_mut().filter(|e| e.0 > g) {
            e.0 -= 1;
        }
    }
}

/// A bound physical page (4 KiB frame).
///
/// A page is COW while it has more than one group; a write through a group gives that
/// group a private copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Page {
    /// The references, never empty while the page is bound.
    pub groups: Groups,
    /// The control capability charged for the page (the control of one referring container).
    pub payer: ControlId,
    /// Bind sequence number: later binds are reclaimed first.
    pub seq: u64,
}

impl Page {
    /// A page referred to by one container offset.
    pub fn single(r: PageRef, payer: ControlId, seq: u64) -> Page {
        Page {
            groups: Groups::One(r),
            payer,
            seq,
        }
    }

    /// Whether no reference is left.
    pub fn is_empty(&self) -> bool {
        matches!(&self.groups, Groups::Many(refs) if refs.is_empty())
    }

    /// Whether the page is copy-on-write (mapped without W everywhere).
    pub fn is_cow(&self) -> bool {
        matches!(&self.groups, Groups::Many(refs) if refs.last().is_some_and(|e| e.0 > 0))
    }

    /// Every reference.
    pub fn refs(&self) -> impl Iterator<Item = PageRef> + '_ {
        self.groups.refs()
    }

    /// The group holding `r`.
    pub fn group_of(&self, r: PageRef) -> Option<u32> {
        self.groups.iter().find(|&(_, x)| x == r).map(|(g, _)| g)
    }

    /// The number of references in each group, in order.
    pub fn group_sizes(&self) -> impl Iterator<Item = usize> + '_ {
        let (one, many) = match &self.groups {
            Groups::One(_) => (Some(1), &[][..]),
            Groups::Many(refs) => (None, &refs[..]),
        };
        one.into_iter()
            .chain(many.chunk_by(|a, b| a.0 == b.0).map(<[_]>::len))
    }

    /// Add `r` to the group of `with` (a shared copy). Returns false if `with` is not here.
    pub fn join(&mut self, with: PageRef, r: PageRef) -> bool {
        let Some(g) = self.group_of(with) else {
            return false;
        };
        let refs = self.groups.many();
        let after = refs.iter().rposition(|e| e.0 == g).map_or(0, |i| i + 1);
        refs.insert(after, (g, r));
        true
    }

    /// Add `r` as a group of its own (a copy-on-write copy).
    pub fn add_group(&mut self, r: PageRef) {
        match &mut self.groups {
            Groups::One(x) => self.groups = Groups::Many(vec![(0, *x), (1, r)]),
            Groups::Many(refs) => refs.push((refs.last().map_or(0, |e| e.0 + 1), r)),
        }
    }

    /// Take group `g` out (it gets a frame of its own); it comes back as group 0.
    pub fn take_group(&mut self, g: u32) -> Groups {
        let refs = self.groups.many();
        let taken = Groups::one_group(refs.iter().filter(|e| e.0 == g).map(|e| e.1));
        Groups::close_gap(refs, g);
        self.groups.settle();
        taken
    }

    /// Remove one reference (dropping an emptied group). Returns whether it was there.
    pub fn remove_ref(&mut self, r: PageRef) -> bool {
        if self.groups == Groups::One(r) {
            self.groups = Groups::Many(Vec::new());
            return true;
        }
        let Some(g) = self.group_of(r) else {
            return false;
        };
        let refs = self.groups.many();
        refs.retain(|e| e.1 != r);
        if refs.iter().all(|e| e.0 != g) {
            Groups::close_gap(refs, g);
        }
        self.groups.settle();
        true
    }
}

/// Every bound page, indexed by frame number (frames are dense, so a vector is the map).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Pages {
    /// The page bound to each frame below the limit, if any.
    by_pfn: Vec<Option<Page>>,
    /// Pages bound.
    len: u32,
}

impl Pages {
    /// No page bound, room for frames `0..limit`.
    pub fn new(limit: u32) -> Pages {
        Pages {
            by_pfn: vec![None; limit as usize],
            len: 0,
        }
    }

    /// Pages bound.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// The page bound to `pfn`.
    pub fn get(&self, pfn: u32) -> Option<&Page> {
        self.by_pfn.get(pfn as usize)?.as_ref()
    }

    /// The page bound to `pfn`, to change it.
    pub fn get_mut(&mut self, pfn: u32) -> Option<&mut Page> {
        self.by_pfn.get_mut(pfn as usize)?.as_mut()
    }

    /// Whether a page is bound to `pfn`.
    pub fn contains(&self, pfn: u32) -> bool {
        self.get(pfn).is_some()
    }

    /// Bind `page` to the free frame `pfn` (one physmem owns).
    pub fn insert(&mut self, pfn: u32, page: Page) {
        let old = self.by_pfn[pfn as usize].replace(page);
        assert!(old.is_none(), "Pages::insert: frame {pfn:#x} already bound");
        self.len += 1;
    }

    /// Unbind the page of `pfn`.
    pub fn remove(&mut self, pfn: u32) -> Option<Page> {
        let page = self.by_pfn.get_mut(pfn as usize)?.take()?;
        self.len -= 1;
        Some(page)
    }

    /// Every bound page with its frame, ascending.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Page)> + '_ {
        self.by_pfn
            .iter()
            .enumerate()
            .filter_map(|(pfn, page)| Some((pfn as u32, page.as_ref()?)))
    }
}

impl Index<u32> for Pages {
    type Output = Page;

    fn index(&self, pfn: u32) -> &Page {
        self.get(pfn)
            .unwrap_or_else(|| panic!("Pages: frame {pfn:#x} is not bound"))
    }
}

impl fmt::Debug for Pages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cow_ends_with_the_last_other_group() {
        let a = (ContainerId(1), 0);
        let b = (ContainerId(2), 0x1000);
        let mut p = Page::single(a, ControlId(0), 1);
        assert!(!p.is_cow());
        p.add_group(b);
        assert!(p.is_cow());
        assert!(p.remove_ref(b));
        assert!(!p.remove_ref(b));
        assert!(!p.is_cow());
        assert_eq!(p.groups, Groups::One(a));
        assert_eq!(p.refs().collect::<Vec<_>>(), vec![a]);
        assert!(p.remove_ref(a));
        assert!(p.is_empty());
    }

    #[test]
    fn groups_keep_their_order() {
        let r = |i| (ContainerId(i), 0);
        let mut p = Page::single(r(1), ControlId(0), 1);
        p.add_group(r(3));
        assert!(p.join(r(1), r(2)));
        assert!(!p.join(r(9), r(4)));
        p.add_group(r(4));
        assert_eq!(p.refs().collect::<Vec<_>>(), vec![r(1), r(2), r(3), r(4)]);
        assert_eq!(p.group_sizes().collect::<Vec<_>>(), vec![2, 1, 1]);
        assert_eq!((p.group_of(r(2)), p.group_of(r(4))), (Some(0), Some(2)));
        assert_eq!(p.take_group(1), Groups::One(r(3)));
        assert_eq!(p.group_of(r(4)), Some(1));
        assert!(p.remove_ref(r(4)));
        assert!(!p.is_cow());
        assert_eq!(p.take_group(0), Groups::Many(vec![(0, r(1)), (0, r(2))]));
        assert!(p.is_empty());
    }

    #[test]
    fn a_page_entry_stays_small() {
        // `Pages` holds an entry for every frame, bound or not.
        assert!(std::mem::size_of::<Option<Page>>() <= 40);
    }
}
