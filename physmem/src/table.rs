//! Tables of objects named by small ids that are handed out in order and never reused.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Index;

/// An id naming an entry of a [`Table`]: the entry's index.
pub(crate) trait Id: Copy {
    /// The id of the entry at `index`.
    fn from_index(index: usize) -> Self;
    /// The index of the entry it names.
    fn index(self) -> usize;
}

/// Objects by id. `add` hands out the next index as the new object's id and ids are never
/// reused, so a lookup is a vector index and iteration goes in id order, which is creation
/// order. A removed object leaves an empty entry behind.
#[derive(Clone)]
pub(crate) struct Table<K, T> {
    entries: Vec<Option<T>>,
    /// Objects present (entries not emptied by `remove`).
    len: usize,
    id: PhantomData<K>,
}

impl<K: Id, T> Table<K, T> {
    /// The id the next `add` hands out.
    pub fn next_id(&self) -> K {
        K::from_index(self.entries.len())
    }

    /// Add `value` under a fresh id (`next_id`), and return the id.
    pub fn add(&mut self, value: T) -> K {
        let id = self.next_id();
        self.entries.push(Some(value));
        self.len += 1;
        id
    }

    /// The object `id`, if it is present.
    pub fn get(&self, id: K) -> Option<&T> {
        self.entries.get(id.index())?.as_ref()
    }

    /// The object `id`, to change it, if it is present.
    pub fn get_mut(&mut self, id: K) -> Option<&mut T> {
        self.entries.get_mut(id.index())?.as_mut()
    }

    /// Remove the object `id` and return it, if it was present.
    pub fn remove(&mut self, id: K) -> Option<T> {
        let value = self.entries.get_mut(id.index())?.take()?;
        self.len -= 1;
        Some(value)
    }

    /// How many objects are present.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Every object with its id, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (K, &T)> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((K::from_index(i), v.as_ref()?)))
    }

    /// Every object, in id order.
    pub fn values(&self) -> impl Iterator<Item = &T> + Clone + '_ {
        self.entries.iter().flatten()
    }
}

impl<K, T> Default for Table<K, T> {
    fn default() -> Self {
        Table {
            entries: Vec::new(),
            len: 0,
            id: PhantomData,
        }
    }
}

impl<K: Id, T> Index<K> for Table<K, T> {
    type Output = T;

    fn index(&self, id: K) -> &T {
        self.get(id)
            .unwrap_or_else(|| panic!("Table: no object {}", id.index()))
    }
}

impl<K: Id + fmt::Debug, T: fmt::Debug> fmt::Debug for Table<K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    struct N(usize);

    impl Id for N {
        fn from_index(index: usize) -> N {
            N(index)
        }
        fn index(self) -> usize {
            self.0
        }
    }

    #[test]
    fn ids_are_never_reused_and_iteration_is_in_id_order() {
        let mut t: Table<N, &str> = Table::default();
        assert_eq!(t.next_id(), N(0));
        let (a, b) = (t.add("a"), t.add("b"));
        assert_eq!(t.remove(a), Some("a"));
        assert_eq!(t.remove(a), None);
        let c = t.add("c");
        assert_ne!(c, a);
        *t.get_mut(b).unwrap() = "B";
        assert_eq!(t.iter().collect::<Vec<_>>(), vec![(b, &"B"), (c, &"c")]);
        assert_eq!((t.len(), t[c], t.get(N(9))), (2, "c", None));
        assert_eq!(format!("{t:?}"), r#"{N(1): "B", N(2): "c"}"#);
    }
}
