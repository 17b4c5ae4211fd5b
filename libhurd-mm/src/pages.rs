//! A map keyed by page address, laid out as the hardware lays out an address space: a
//! directory of 1,024 tables of 1,024 pages each, a table allocated on first use. A fault's
//! lookup and insertion are two index operations; iteration is in address order.

/// Entries of the directory, and pages of a table, as on i386.
const SLOTS: usize = 1024;

/// The entries of the 4 MiB one table covers, by page.
type Table<T> = [Option<T>; SLOTS];

/// A map from page addresses (the offset in the page is ignored) to `T`.
#[derive(Clone)]
pub struct PageMap<T> {
    /// Tables by directory index, each allocated on first use.
    dir: Box<[Option<Box<Table<T>>>; SLOTS]>,
    /// Number of entries.
    len: usize,
}

/// `SLOTS` empty entries, made in the heap. (`Box::new([None; SLOTS])` made them on the stack
/// and copied them over: a `memory.copy` of 4–8 KiB in wasm, once per directory and table.)
fn empty<E>() -> Box<[Option<E>; SLOTS]> {
    let entries: Box<[Option<E>]> = std::iter::repeat_with(|| None).take(SLOTS).collect();
    match entries.try_into() {
        Ok(table) => table,
        Err(_) => unreachable!("pages::empty: SLOTS entries were made"),
    }
}

/// The directory and table indices of a page address.
fn split(page: u32) -> (usize, usize) {
    ((page >> 22) as usize, (page >> 12) as usize % SLOTS)
}

impl<T> Default for PageMap<T> {
    fn default() -> Self {
        PageMap {
            dir: empty(),
            len: 0,
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for PageMap<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<T> PageMap<T> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entry of `page`.
    pub fn get(&self, page: u32) -> Option<&T> {
        let (d, i) = split(page);
        self.dir[d].as_ref()?[i].as_ref()
    }

    /// The entry of `page`, to change.
    pub fn get_mut(&mut self, page: u32) -> Option<&mut T> {
        let (d, i) = split(page);
        self.dir[d].as_mut()?[i].as_mut()
    }

    /// Whether `page` has an entry.
    pub fn contains(&self, page: u32) -> bool {
        self.get(page).is_some()
    }

    /// Sets the entry of `page`; returns the one it replaces.
    pub fn insert(&mut self, page: u32, value: T) -> Option<T> {
        let (d, i) = split(page);
        let table = self.dir[d].get_or_insert_with(empty);
        let old = table[i].replace(value);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    /// Removes the entry of `page`.
    pub fn remove(&mut self, page: u32) -> Option<T> {
        let (d, i) = split(page);
        let old = self.dir[d].as_mut()?[i].take()?;
        self.len -= 1;
        Some(old)
    }

    /// Every entry, by page address.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> + '_ {
        self.range(0, u32::MAX)
    }

    /// The entries of the pages in `[start, end)`, by page address: only the tables the
    /// range covers are walked.
    pub fn range(&self, start: u32, end: u32) -> impl Iterator<Item = (u32, &T)> + '_ {
        let first = (start >> 22) as usize;
        let last = (end.saturating_sub(1) >> 22) as usize;
        let tables = self.dir.get(first..=last).unwrap_or_default().iter();
        tables
            .enumerate()
            .filter_map(move |(d, table)| Some((first + d, table.as_deref()?)))
            .flat_map(|(d, table)| {
                let pages = table.iter().enumerate();
                pages.filter_map(move |(i, e)| Some((((d << 22) | (i << 12)) as u32, e.as_ref()?)))
            })
            .skip_while(move |&(page, _)| page < start)
            .take_while(move |&(page, _)| page < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Against a `BTreeMap`: same answers, same length, same order.
        #[test]
        fn behaves_like_a_btree_map(
            ops in proptest::collection::vec((0u8..3, 0u32..3, 0u32..4, any::<u8>()), 0..200),
            start in 0u32..3,
            end in 0u32..3,
        ) {
            // Pages in three tables far apart, the last one at the top of the address space.
            let page = |t: u32, p: u32| [0, 0x40_0000, 0xFFC0_0000][t as usize] + p * 0x1000;
            let (mut m, mut model) = (PageMap::default(), BTreeMap::new());
            for (op, t, p, v) in ops {
                let k = page(t, p);
                match op {
                    0 => prop_assert_eq!(m.insert(k, v), model.insert(k, v)),
                    1 => prop_assert_eq!(m.remove(k), model.remove(&k)),
                    _ => {
                        if let Some(e) = m.get_mut(k) {
                            *e = v;
                        }
                        if let Some(e) = model.get_mut(&k) {
                            *e = v;
                        }
                    }
                }
                prop_assert_eq!(m.len(), model.len());
                prop_assert_eq!(m.get(k), model.get(&k));
                prop_assert_eq!(m.contains(k + 0x123), model.contains_key(&k));
            }
            let all: Vec<(u32, u8)> = model.iter().map(|(&k, &v)| (k, v)).collect();
            prop_assert_eq!(m.iter().map(|(k, &v)| (k, v)).collect::<Vec<_>>(), all);
            let (s, e) = (page(start, 1), page(end, 3));
            let within: Vec<(u32, u8)> =
                model.iter().filter(|(&k, _)| s <= k && k < e).map(|(&k, &v)| (k, v)).collect();
            prop_assert_eq!(m.range(s, e).map(|(k, &v)| (k, v)).collect::<Vec<_>>(), within);
        }
    }
}
