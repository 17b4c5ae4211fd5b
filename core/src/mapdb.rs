//! The mapping database: which task maps which frame where, and which mapping was derived
//! from which. physmem owns every frame (sigma0 gave them at boot), so its mappings are the
//! roots; revoking a mapping revokes everything derived from it, recursively, as in L4.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use physmem::Rights;

/// A mapping's place: (task, virtual page address).
pub type Place = (u32, u32);

/// One mapping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// The frame.
    pub pfn: u32,
    /// The rights it carries.
    pub rights: Rights,
    /// The mapping it was derived from, `None` for a mapping sent by physmem.
    pub parent: Option<Place>,
    children: BTreeSet<Place>,
}

/// All mappings of all tasks.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MapDb {
    nodes: BTreeMap<Place, Node>,
    /// (frame, place) for every mapping: the places of a frame are one range.
    by_frame: BTreeSet<(u32, Place)>,
}

impl MapDb {
    /// Records a mapping at `place`. The caller removed any older one first.
    ///
    /// Panics if `place` is taken or `parent` is unknown: a broken kernel invariant.
    pub fn insert(&mut self, place: Place, pfn: u32, rights: Rights, parent: Option<Place>) {
        if let Some(p) = parent {
            let pn = self.nodes.get_mut(&p);
            pn.unwrap_or_else(|| panic!("MapDb::insert: parent {p:?} unknown"))
                .children
                .insert(place);
        }
        let node = Node {
            pfn,
            rights,
            parent,
            children: BTreeSet::new(),
        };
        match self.nodes.entry(place) {
            Entry::Vacant(v) => v.insert(node),
            Entry::Occupied(_) => panic!("MapDb::insert: {place:?} is mapped"),
        };
        self.by_frame.insert((pfn, place));
    }

    /// The mapping at `place`.
    pub fn get(&self, place: Place) -> Option<&Node> {
        self.nodes.get(&place)
    }

    /// Removes the mapping at `place` and every mapping derived from it; returns them all,
    /// the given one first.
    pub fn remove_tree(&mut self, place: Place) -> Vec<(Place, Node)> {
        let mut out = Vec::new();
        let mut todo = vec![place];
        while let Some(p) = todo.pop() {
            let Some(node) = self.nodes.remove(&p) else {
                continue;
            };
            self.by_frame.remove(&(node.pfn, p));
            if let Some(parent) = node.parent {
                if let Some(pn) = self.nodes.get_mut(&parent) {
                    pn.children.remove(&p);
                }
            }
            todo.extend(node.children.iter().copied());
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
            if let Some(n) = self.nodes.get_mut(&p) {
                n.rights = n.rights.intersect(rights);
                todo.extend(n.children.iter().copied());
                out.push(p);
            }
        }
        out
    }

    /// Every place where `pfn` is mapped.
    pub fn places_of(&self, pfn: u32) -> Vec<Place> {
        self.by_frame
            .range((pfn, (0, 0))..=(pfn, (u32::MAX, u32::MAX)))
            .map(|&(_, place)| place)
            .collect()
    }

    /// Every mapping, by (task, address).
    pub fn iter(&self) -> impl Iterator<Item = (Place, &Node)> + '_ {
        self.nodes.iter().map(|(&p, n)| (p, n))
    }

    /// Every mapping of one task, by address.
    pub fn of_task(&self, task: u32) -> impl Iterator<Item = (u32, &Node)> + '_ {
        self.nodes
            .range((task, 0)..=(task, u32::MAX))
            .map(|(&(_, va), n)| (va, n))
    }

    /// Number of mappings.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no mappings.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
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
}
