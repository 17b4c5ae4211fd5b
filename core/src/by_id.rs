//! A map keyed by task id. Ids are small and dense (the scenario's tasks are 1..=n, forks
//! come after them), so entry `id` of a vector holds task `id`'s value: a lookup is one
//! index, and iteration is in id order.

/// Values by task id.
#[derive(Clone)]
pub(crate) struct ById<T>(Vec<Option<T>>);

impl<T> Default for ById<T> {
    fn default() -> Self {
        ById(Vec::new())
    }
}

impl<T> ById<T> {
    /// The value of `id`.
    pub fn get(&self, id: u32) -> Option<&T> {
        self.0.get(id as usize)?.as_ref()
    }

    /// The value of `id`, to change.
    pub fn get_mut(&mut self, id: u32) -> Option<&mut T> {
        self.0.get_mut(id as usize)?.as_mut()
    }

    /// Whether `id` has a value.
    pub fn contains(&self, id: u32) -> bool {
        self.get(id).is_some()
    }

    /// The entry of `id`, the vector grown to hold it.
    fn entry(&mut self, id: u32) -> &mut Option<T> {
        let at = id as usize;
        if self.0.len() <= at {
            self.0.resize_with(at + 1, || None);
        }
        &mut self.0[at]
    }

    /// Sets the value of `id`.
    pub fn insert(&mut self, id: u32, value: T) {
        *self.entry(id) = Some(value);
    }

    /// The value of `id`, made the default one first if it has none.
    pub fn get_or_default(&mut self, id: u32) -> &mut T
    where
        T: Default,
    {
        self.entry(id).get_or_insert_with(T::default)
    }

    /// Takes the value of `id` out.
    pub fn remove(&mut self, id: u32) -> Option<T> {
        self.0.get_mut(id as usize)?.take()
    }

    /// Every value, by id.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().flatten()
    }

    /// Every value with its id, by id.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        let entries = self.0.iter().enumerate();
        entries.filter_map(|(id, v)| Some((id as u32, v.as_ref()?)))
    }

    /// The highest id with a value.
    pub fn last_id(&self) -> Option<u32> {
        self.0.iter().rposition(Option::is_some).map(|at| at as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_by_id_and_gaps_stay_empty() {
        let mut m = ById::default();
        m.insert(3, 'c');
        m.insert(1, 'a');
        assert_eq!(m.values().collect::<String>(), "ac");
        assert_eq!((m.get(1), m.get(2), m.get(9)), (Some(&'a'), None, None));
        assert!(m.contains(3) && !m.contains(0));
        assert_eq!(m.last_id(), Some(3));
        *m.get_mut(1).unwrap() = 'b';
        assert_eq!(m.remove(3), Some('c'));
        assert_eq!(m.remove(3), None);
        assert_eq!(m.last_id(), Some(1));
        assert_eq!(m.values().collect::<String>(), "b");
        *m.get_or_default(5) = 'e';
        assert_eq!(m.get_or_default(1), &mut 'b');
        assert_eq!(m.iter().collect::<Vec<_>>(), [(1, &'b'), (5, &'e')]);
    }
}
