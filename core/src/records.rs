//! The kept records of a trace, in chunks allocated once at a fixed capacity. A push never
//! moves earlier records (wasm's allocator cannot grow a large block in place, so one `Vec`
//! copied the whole trace at every doubling), and the oldest records go a chunk at a time.

use std::iter::{Chain, Flatten};
use std::slice;

use crate::trace::Record;

/// Records in chunks of `chunk_len`: every chunk but the last is full, so record `i` is at
/// `chunks[i / chunk_len][i % chunk_len]`. (A clone's last chunk has only the capacity it
/// uses, and grows once more to `chunk_len`: a bounded copy, once per clone.)
#[derive(Clone, Debug)]
pub(crate) struct Chunks {
    chunks: Vec<Vec<Record>>,
    chunk_len: usize,
    /// Records held (kept, not recounted: a push asks twice).
    len: usize,
}

impl Chunks {
    /// No records, in chunks of `chunk_len` (at least 1).
    pub(crate) fn new(chunk_len: usize) -> Chunks {
        Chunks {
            chunks: Vec::new(),
            chunk_len: chunk_len.max(1),
            len: 0,
        }
    }

    /// Number of records held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends `record` and returns it where it now lies. (Inlined, the record is built
    /// where it goes: a call moved it once more, by `memory.copy` in wasm.)
    #[inline(always)]
    pub(crate) fn push(&mut self, record: Record) -> &Record {
        if self.chunks.last().is_none_or(|c| c.len() == self.chunk_len) {
            self.new_chunk();
        }
        self.len += 1;
        let last = self.chunks.len() - 1;
        let chunk = &mut self.chunks[last];
        chunk.push(record);
        &chunk[chunk.len() - 1]
    }

    /// Starts an empty chunk (once per `chunk_len` pushes: kept out of the inlined push).
    #[cold]
    #[inline(never)]
    fn new_chunk(&mut self) {
        self.chunks.push(Vec::with_capacity(self.chunk_len));
    }

    /// Drops the oldest whole chunks holding at most `n` records, but at least one chunk;
    /// returns how many records went.
    pub(crate) fn drop_oldest(&mut self, n: usize) -> usize {
        let count = (n / self.chunk_len).max(1).min(self.chunks.len());
        let dropped = self.chunks.drain(..count).map(|c| c.len()).sum();
        self.len -= dropped;
        dropped
    }

    /// The records from the `start`th held on (none if `start` is past the end).
    pub(crate) fn from(&self, start: usize) -> Records<'_> {
        let len = self.len().saturating_sub(start);
        let at = start / self.chunk_len;
        let (head, rest) = match self.chunks.get(at) {
            Some(chunk) if len > 0 => (&chunk[start % self.chunk_len..], &self.chunks[at + 1..]),
            _ => (&[][..], &[][..]),
        };
        Records {
            head,
            rest,
            chunk_len: self.chunk_len,
            len,
        }
    }
}

/// A view of a trace's records from some position to the newest, oldest first.
#[derive(Clone, Copy, Debug)]
pub struct Records<'a> {
    /// The records in the first chunk (from the view's start).
    head: &'a [Record],
    /// The whole chunks after it, every one full but the last.
    rest: &'a [Vec<Record>],
    chunk_len: usize,
    len: usize,
}

impl<'a> Records<'a> {
    /// Number of records in view.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no record is in view.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `i`th record in view, if there are that many.
    pub fn get(&self, i: usize) -> Option<&'a Record> {
        match i.checked_sub(self.head.len()) {
            None => self.head.get(i),
            Some(j) => self.rest.get(j / self.chunk_len)?.get(j % self.chunk_len),
        }
    }

    /// The oldest record in view.
    pub fn first(&self) -> Option<&'a Record> {
        self.head.first()
    }

    /// The records in view, oldest first.
    pub fn iter(&self) -> RecordsIter<'a> {
        RecordsIter {
            inner: self.head.iter().chain(self.rest.iter().flatten()),
            len: self.len,
        }
    }

    /// The records in view as consecutive slices (one per chunk), oldest first.
    pub fn slices(&self) -> impl Iterator<Item = &'a [Record]> {
        let head = Some(self.head).filter(|h| !h.is_empty());
        head.into_iter().chain(self.rest.iter().map(Vec::as_slice))
    }
}

impl<'a> IntoIterator for Records<'a> {
    type Item = &'a Record;
    type IntoIter = RecordsIter<'a>;

    fn into_iter(self) -> RecordsIter<'a> {
        self.iter()
    }
}

/// An iterator over a [`Records`] view, from either end.
#[derive(Clone, Debug)]
pub struct RecordsIter<'a> {
    inner: Chain<slice::Iter<'a, Record>, Flatten<slice::Iter<'a, Vec<Record>>>>,
    /// Records not yet returned.
    len: usize,
}

impl<'a> Iterator for RecordsIter<'a> {
    type Item = &'a Record;

    fn next(&mut self) -> Option<&'a Record> {
        let r = self.inner.next()?;
        self.len -= 1;
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl DoubleEndedIterator for RecordsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let r = self.inner.next_back()?;
        self.len -= 1;
        Some(r)
    }
}

impl ExactSizeIterator for RecordsIter<'_> {}
