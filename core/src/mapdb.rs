//! The mapping database: which task maps which frame where, and which mapping was derived
//! from which. physmem owns every frame (sigma0 gave them at boot), so its mappings are the
//! roots; revoking a mapping revokes everything derived from it, recursively, as in L4.
//!
//! Indexed by page, as the hardware is: each task's mappings sit in a table shaped like an
//! i386 page directory (page tables allocated on first use), and each frame's places in a
//! vector indexed by frame number, so a fault's lookup and insertion are a few index
//! operations.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fmt;

use smallvec::SmallVec;

use libhurd_mm::PageMap;
use physmem::Rights;

use crate::by_id::ById;

/// A mapping's place: (task, virtual page address).
pub type Place = (u32, u32);

/// One mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    /// The frame.
    pub pfn: u32,
    /// The rights it carries.
    pub rights: Rights,
    /// The mapping it was derived from, `None` for a mapping sent by physmem.
    pub parent: Option<Place>,
}

/// All mappings of all tasks.
#[derive(Clone, Default)]
pub struct MapDb {
    /// Each task's mappings, by task id (only tasks that have some).
    tasks: ById<PageMap<Node>>,
    /// The places of every frame, sorted, indexed by frame number.
    by_frame: Vec<SmallVec<[Place; 1]>>,
    /// The places derived from each place that has any, sorted.
    children: BTreeMap<Place, Vec<Place>>,
}

impl MapDb {
    /// The mapping at `place`, to change.
    fn get_mut(&mut self, (task, va): Place) -> Option<&mut Node> {
        self.tasks.get_mut(task)?.get_mut(va)
    }

    /// Records a mapping at `place`. The caller removed any older one first.
    ///
    /// Panics if `place` is taken or `parent` is unknown: a broken kernel invariant.
    pub fn insert(&mut self, place: Place, pfn: u32, rights: Rights, parent: Option<Place>) {
        if let Some(p) = parent {
            if self.get(p).is_none() {
                panic!("MapDb::insert: parent {p:?} unknown");
            }
        }
        let (task, va) = place;
        let node = Node {
            pfn,
            rights,
            parent,
        };
        if self.tasks.get_or_default(task).insert(va, node).is_some() {
            panic!("MapDb::insert: {place:?} is mapped");
        }
        if let Some(p) = parent {
            let siblings = self.children.entry(p).or_default();
            siblings.insert(siblings.partition_point(|&c| c < place), place);
        }
        let pfn = pfn as usize;
        if self.by_frame.len() <= pfn {
            // Grown by powers of two: frames are mostly handed out in increasing order.
            let len = (pfn + 1).next_power_of_two();
            self.by_frame.resize_with(len, SmallVec::new);
        }
        let places = &mut self.by_frame[pfn];
        places.insert(places.partition_point(|&p| p < place), place);
    }

    /// The mapping at `place`.
    pub fn get(&self, (task, va): Place) -> Option<&Node> {
        self.tasks.get(task)?.get(va)
    }

    /// Removes the mapping at `place` alone, with its traces in the indices; its children,
    /// if any, stay in `children` for the caller.
    fn take(&mut self, (task, va): Place) -> Option<Node> {
        let table = self.tasks.get_mut(task)?;
        let node = table.remove(va)?;
        if table.is_empty() {
            self.tasks.remove(task);
        }
        let places = &mut self.by_frame[node.pfn as usize];
        if let Ok(i) = places.binary_search(&(task, va)) {
            places.remove(i);
        }
        if let Some(parent) = node.parent {
            if let Entry::Occupied(mut siblings) = self.children.entry(parent) {
                siblings.get_mut().retain(|c| *c != (task, va));
                if siblings.get().is_empty() {
                    siblings.remove();
                }
            }
        }
        Some(node)
    }

    /// Removes the mapping at `place` and every mapping derived from it; returns them all,
    /// the given one first.
    pub fn remove_tree(&mut self, place: Place) -> Vec<(Place, Node)> {
        let mut out = Vec::new();
        let mut todo = vec![place];
        while let Some(p) = todo.pop() {
            let Some(node) = self.take(p) else {
                continue;
            };
            todo.extend(self.children.remove(&p).unwrap_or_default());
            out.push((p, node));
        }
        out
    }

    /// Changes the rights of the mapping at `place` and of everything derived from it.
    /// Returns the places changed.
    pub fn restrict_tree(&mut self, place: Place, rights: Rights) -> Vec<Place> {
        let mut out = Vec::new();
        let mut todo = vec![place];
        while let Some(p) = todo.pop() {
            if let Some(n) = self.get_mut(p) {
                n.rights = n.rights.intersect(rights);
                todo.extend(self.children.get(&p).into_iter().flatten().copied());
                out.push(p);
            }
        }
        out
    }

    /// Every place where `pfn` is mapped, sorted.
    pub fn places_of(&self, pfn: u32) -> Vec<Place> {
        self.by_frame
            .get(pfn as usize)
            .map_or_else(Vec::new, |places| places.to_vec())
    }

    /// Every mapping, by (task, address).
    pub fn iter(&self) -> impl Iterator<Item = (Place, &Node)> + '_ {
        let tasks = self.tasks.iter();
        tasks.flat_map(|(task, t)| t.iter().map(move |(va, n)| ((task, va), n)))
    }

    /// Every mapping of one task, by address.
    pub fn of_task(&self, task: u32) -> impl Iterator<Item = (u32, &Node)> + '_ {
        self.tasks.get(task).into_iter().flat_map(PageMap::iter)
    }

    /// Number of mappings.
    pub fn len(&self) -> usize {
        self.tasks.values().map(PageMap::len).sum()
    }

    /// Whether there are no mappings.
    pub fn is_empty(&self) -> bool {
        self.tasks.values().next().is_none()
    }
}

impl fmt::Debug for MapDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoking_a_mapping_revokes_what_was_derived_from_it() {
        let mut db = MapDb::default();
        db.insert((1, 0x1000), 40, Rights::RWX, None);
        db.insert((2, 0x8000), 40, Rights::R, Some((1, 0x1000)));
        db.insert((3, 0x9000), 40, Rights::R, Some((2, 0x8000)));
        db.insert((1, 0x2000), 41, Rights::RWX, None);
        assert_eq!(db.places_of(40).len(), 3);
        let gone = db.remove_tree((1, 0x1000));
        assert_eq!(gone.len(), 3);
        assert!(db.places_of(40).is_empty());
        assert_eq!(db.len(), 1);
    }

    #[test]
    fn restricting_rights_reaches_derived_mappings() {
        let mut db = MapDb::default();
        db.insert((1, 0x1000), 7, Rights::RWX, None);
        db.insert((2, 0x1000), 7, Rights(6), Some((1, 0x1000)));
        db.restrict_tree((1, 0x1000), Rights(5));
        assert_eq!(db.get((2, 0x1000)).map(|n| n.rights), Some(Rights(4)));
    }

    #[test]
    fn mappings_come_in_task_then_address_order_across_page_tables() {
        let mut db = MapDb::default();
        for (i, va) in [0xFFFF_F000, 0x40_0000, 0, 0x3F_F000]
            .into_iter()
            .enumerate()
        {
            db.insert((7, va), i as u32, Rights::R, None);
            db.insert((3, va), 10 + i as u32, Rights::R, None);
        }
        let order = [0, 0x3F_F000, 0x40_0000, 0xFFFF_F000];
        let places: Vec<Place> = db.iter().map(|(p, _)| p).collect();
        let expected: Vec<Place> = [3, 7]
            .into_iter()
            .flat_map(|t| order.map(|va| (t, va)))
            .collect();
        assert_eq!(places, expected);
        let of_7: Vec<u32> = db.of_task(7).map(|(va, _)| va).collect();
        assert_eq!(of_7, order);
        assert_eq!(db.of_task(5).count(), 0);
        assert_eq!(db.get((7, 0xFFFF_F000)).map(|n| n.pfn), Some(0));
        assert_eq!(db.get((3, 0x40_0000)).map(|n| n.pfn), Some(11));
        assert_eq!(db.get((3, 0x40_1000)), None);
        assert_eq!(db.len(), 8);
    }

    #[test]
    fn a_task_without_mappings_leaves_no_table() {
        let mut db = MapDb::default();
        db.insert((2, 0x1000), 1, Rights::R, None);
        db.insert((1, 0x1000), 1, Rights::R, None);
        db.remove_tree((2, 0x1000));
        db.remove_tree((1, 0x1000));
        assert!(db.is_empty());
        assert!(db.tasks.values().next().is_none());
        assert!(db.places_of(1).is_empty());
        assert!(db.places_of(99).is_empty());
    }

    #[test]
    fn places_of_a_frame_stay_sorted_through_removals() {
        let mut db = MapDb::default();
        db.insert((2, 0x5000), 9, Rights::R, None);
        db.insert((1, 0x7000), 9, Rights::R, Some((2, 0x5000)));
        db.insert((3, 0x1000), 9, Rights::R, None);
        db.insert((1, 0x2000), 9, Rights::R, Some((3, 0x1000)));
        db.insert((1, 0x3000), 8, Rights::R, None);
        assert_eq!(
            db.places_of(9),
            [(1, 0x2000), (1, 0x7000), (2, 0x5000), (3, 0x1000)]
        );
        db.remove_tree((1, 0x2000));
        assert_eq!(db.places_of(9), [(1, 0x7000), (2, 0x5000), (3, 0x1000)]);
        db.remove_tree((2, 0x5000));
        assert_eq!(db.places_of(9), [(3, 0x1000)]);
        assert_eq!(db.places_of(8), [(1, 0x3000)]);
        db.insert((0, 0x1000), 9, Rights::R, Some((3, 0x1000)));
        assert_eq!(db.places_of(9), [(0, 0x1000), (3, 0x1000)]);
    }

    #[test]
    fn a_tree_goes_depth_first_the_last_child_first() {
        let mut db = MapDb::default();
        let root = (1, 0x1000);
        db.insert(root, 5, Rights::RWX, None);
        // Inserted out of order: the children are kept sorted.
        for child in [(4, 0x1000), (2, 0x3000), (3, 0x1000), (2, 0x2000)] {
            db.insert(child, 5, Rights::RWX, Some(root));
        }
        db.insert((5, 0x1000), 5, Rights::R, Some((2, 0x3000)));
        db.insert((5, 0x2000), 5, Rights::R, Some((4, 0x1000)));
        let order: Vec<Place> = db.restrict_tree(root, Rights::R);
        let gone: Vec<Place> = db.remove_tree(root).into_iter().map(|(p, _)| p).collect();
        let expected = [
            root,
            (4, 0x1000),
            (5, 0x2000),
            (3, 0x1000),
            (2, 0x3000),
            (5, 0x1000),
            (2, 0x2000),
        ];
        assert_eq!(gone, expected);
        assert_eq!(order, expected);
        assert!(db.is_empty());
        assert!(db.children.is_empty());
    }

    #[test]
    fn removing_a_derived_mapping_detaches_it_from_its_parent() {
        let mut db = MapDb::default();
        db.insert((1, 0x1000), 5, Rights::RWX, None);
        db.insert((2, 0x1000), 5, Rights::R, Some((1, 0x1000)));
        db.insert((3, 0x1000), 5, Rights::R, Some((1, 0x1000)));
        let gone = db.remove_tree((2, 0x1000));
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].1.parent, Some((1, 0x1000)));
        assert_eq!(db.restrict_tree((1, 0x1000), Rights::R).len(), 2);
        assert_eq!(db.remove_tree((1, 0x1000)).len(), 2);
    }

    #[test]
    fn a_page_table_of_mappings_is_small() {
        assert_eq!(std::mem::size_of::<Option<Node>>(), 20);
    }
}

/// The database against a model that is a plain map of nodes, over random operations.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    /// Page addresses on both sides of page-table boundaries, and the last page.
    const PAGES: [u32; 6] = [0, 0x1000, 0x3F_F000, 0x40_0000, 0x8000_0000, 0xFFFF_F000];
    const FRAMES: u32 = 5;

    #[derive(Clone, Debug)]
    enum Op {
        /// Map `pfn` at a place, derived from the `parent`-th mapping (mod their number) if
        /// given; skipped if the place is taken.
        Insert {
            place: Place,
            pfn: u32,
            rights: u8,
            parent: Option<usize>,
        },
        RemoveTree(Place),
        RestrictTree(Place, u8),
    }

    fn place() -> impl Strategy<Value = Place> {
        (1u32..4, prop::sample::select(&PAGES[..]))
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (place(), 0..FRAMES, 0u8..8, prop::option::of(any::<usize>())).prop_map(
                |(place, pfn, rights, parent)| Op::Insert { place, pfn, rights, parent }
            ),
            1 => place().prop_map(Op::RemoveTree),
            1 => (place(), 0u8..8).prop_map(|(p, r)| Op::RestrictTree(p, r)),
        ]
    }

    /// The places derived from `p` in the model, sorted.
    fn children(model: &BTreeMap<Place, Node>, p: Place) -> Vec<Place> {
        let derived = model.iter().filter(|(_, n)| n.parent == Some(p));
        derived.map(|(&c, _)| c).collect()
    }

    fn check(db: &MapDb, model: &BTreeMap<Place, Node>) -> Result<(), TestCaseError> {
        let all: Vec<(Place, Node)> = db.iter().map(|(p, n)| (p, *n)).collect();
        let expected: Vec<(Place, Node)> = model.iter().map(|(p, n)| (*p, *n)).collect();
        prop_assert_eq!(all, expected);
        prop_assert_eq!(db.len(), model.len());
        prop_assert_eq!(db.is_empty(), model.is_empty());
        for task in 0..5 {
            let of_task: Vec<(u32, Node)> = db.of_task(task).map(|(va, n)| (va, *n)).collect();
            let expected: Vec<(u32, Node)> = model
                .iter()
                .filter(|((t, _), _)| *t == task)
                .map(|(&(_, va), n)| (va, *n))
                .collect();
            prop_assert_eq!(of_task, expected);
        }
        for pfn in 0..=FRAMES {
            let expected: Vec<Place> = model
                .iter()
                .filter(|(_, n)| n.pfn == pfn)
                .map(|(p, _)| *p)
                .collect();
            prop_assert_eq!(db.places_of(pfn), expected);
        }
        for p in model.keys() {
            prop_assert_eq!(db.get(*p), model.get(p));
        }
        Ok(())
    }

    fn run(ops: &[Op]) -> Result<(), TestCaseError> {
        let mut db = MapDb::default();
        let mut model: BTreeMap<Place, Node> = BTreeMap::new();
        for op in ops {
            match *op {
                Op::Insert {
                    place,
                    pfn,
                    rights,
                    parent,
                } => {
                    if model.contains_key(&place) {
                        continue;
                    }
                    let keys: Vec<Place> = model.keys().copied().collect();
                    let parent = parent
                        .filter(|_| !keys.is_empty())
                        .map(|i| keys[i % keys.len()]);
                    let rights = Rights(rights);
                    db.insert(place, pfn, rights, parent);
                    let node = Node {
                        pfn,
                        rights,
                        parent,
                    };
                    model.insert(place, node);
                }
                Op::RemoveTree(place) => {
                    let mut expected = Vec::new();
                    let mut todo = vec![place];
                    while let Some(p) = todo.pop() {
                        todo.extend(children(&model, p));
                        if let Some(n) = model.remove(&p) {
                            expected.push((p, n));
                        }
                    }
                    prop_assert_eq!(db.remove_tree(place), expected);
                }
                Op::RestrictTree(place, rights) => {
                    let mut expected = Vec::new();
                    let mut todo = vec![place];
                    while let Some(p) = todo.pop() {
                        if let Some(n) = model.get_mut(&p) {
                            n.rights = n.rights.intersect(Rights(rights));
                            todo.extend(children(&model, p));
                            expected.push(p);
                        }
                    }
                    prop_assert_eq!(db.restrict_tree(place, Rights(rights)), expected);
                }
            }
            check(&db, &model)?;
            check(&db.clone(), &model)?;
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn matches_a_map_of_nodes(ops in prop::collection::vec(op(), 1..120)) {
            run(&ops)?;
        }
    }
}
