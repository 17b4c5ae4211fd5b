//! `MapItems`: the fpages of one `ContainerMap` reply. Nearly every reply carries one item
//! (a first-touch fault maps one page), so one item is kept inline and only longer batches
//! use the heap: a fault costs no allocation for its reply, nor for the trace's copy of it.
//!
//! It reads, compares, hashes, prints and serializes exactly as the `Vec<MapItem>` it
//! replaces, so traces and their hashes do not depend on how the items are stored.

use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::protocol::MapItem;

/// The map items of one reply, in order; a slice through `Deref`.
#[derive(Clone)]
pub struct MapItems(Store);

/// One item inline, or any number on the heap.
#[derive(Clone)]
enum Store {
    One(MapItem),
    Many(Vec<MapItem>),
}

impl MapItems {
    /// No items.
    pub fn new() -> MapItems {
        MapItems(Store::Many(Vec::new()))
    }

    /// Appends an item; the second one moves them to the heap.
    pub fn push(&mut self, item: MapItem) {
        match &mut self.0 {
            Store::Many(v) if v.is_empty() => self.0 = Store::One(item),
            Store::Many(v) => v.push(item),
            Store::One(first) => self.0 = Store::Many(vec![*first, item]),
        }
    }
}

impl Default for MapItems {
    fn default() -> MapItems {
        MapItems::new()
    }
}

impl Deref for MapItems {
    type Target = [MapItem];

    fn deref(&self) -> &[MapItem] {
        match &self.0 {
            Store::One(item) => std::slice::from_ref(item),
            Store::Many(v) => v,
        }
    }
}

impl<'a> IntoIterator for &'a MapItems {
    type Item = &'a MapItem;
    type IntoIter = std::slice::Iter<'a, MapItem>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl From<Vec<MapItem>> for MapItems {
    fn from(v: Vec<MapItem>) -> MapItems {
        match v.as_slice() {
            [one] => MapItems(Store::One(*one)),
            _ => MapItems(Store::Many(v)),
        }
    }
}

impl PartialEq for MapItems {
    fn eq(&self, other: &MapItems) -> bool {
        **self == **other
    }
}

impl Eq for MapItems {}

impl Hash for MapItems {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `Vec<MapItem>` hashes: the slice, with its length first.
        (**self).hash(state);
    }
}

impl std::fmt::Debug for MapItems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for MapItems {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for MapItems {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MapItems, D::Error> {
        Vec::<MapItem>::deserialize(d).map(MapItems::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Pfn, Rights};
    use std::collections::hash_map::DefaultHasher;

    fn item(n: u32) -> MapItem {
        MapItem {
            vaddr: n << 12,
            pfn: Pfn(n),
            log2_size: 12,
            rights: Rights::RW,
        }
    }

    fn hash_of(h: &impl Hash) -> u64 {
        let mut s = DefaultHasher::new();
        h.hash(&mut s);
        s.finish()
    }

    #[test]
    fn reads_hashes_and_serializes_as_the_vec_it_replaces() {
        for n in 0..4 {
            let v: Vec<MapItem> = (0..n).map(item).collect();
            let mut pushed = MapItems::new();
            for &i in &v {
                pushed.push(i);
            }
            for items in [pushed, MapItems::from(v.clone())] {
                assert_eq!(*items, *v);
                assert_eq!(hash_of(&items), hash_of(&v));
                assert_eq!(format!("{items:?}"), format!("{v:?}"));
                let json = serde_json::to_string(&items).expect("serializes");
                assert_eq!(json, serde_json::to_string(&v).expect("serializes"));
                let back: MapItems = serde_json::from_str(&json).expect("deserializes");
                assert_eq!(back, items);
            }
        }
    }
}
