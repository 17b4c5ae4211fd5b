//! The trace's hash: a chain over its records, the same natively and in wasm.

use std::hash::{Hash, Hasher};

use crate::trace::Record;

/// The hash of an empty trace.
pub(crate) const HASH_SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// A deterministic 64-bit hasher for records: the same on every platform (a `usize` is
/// hashed by value, so the wasm build gives the native hash). Hashing is one serial chain
/// of multiplies, most of a push's cost, so values of up to 32 bits (most fields, enum
/// tags, lengths) go in pairs: one multiply per two.
#[derive(Clone, Copy)]
struct RecordHasher {
    hash: u64,
    /// A value of up to 32 bits waiting for its pair.
    half: Option<u32>,
}

impl RecordHasher {
    /// Continues the chain from `hash`.
    fn new(hash: u64) -> RecordHasher {
        RecordHasher { hash, half: None }
    }

    /// Mixes one word in.
    fn mix(&mut self, word: u64) {
        let h = (self.hash ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.hash = h ^ (h >> 29);
    }

    /// Mixes in a waiting half word alone, so that words keep their order.
    fn flush(&mut self) {
        if let Some(lo) = self.half.take() {
            self.mix(u64::from(lo));
        }
    }

    /// Takes a value of up to 32 bits: it waits for a second one, and the two go as one word.
    fn half(&mut self, n: u32) {
        match self.half.take() {
            Some(lo) => self.mix(u64::from(lo) | u64::from(n) << 32),
            None => self.half = Some(n),
        }
    }

    /// Takes a 64-bit value.
    fn full(&mut self, n: u64) {
        self.flush();
        self.mix(n);
    }

    /// The hash of everything written.
    fn end(mut self) -> u64 {
        self.flush();
        self.hash
    }
}

impl Hasher for RecordHasher {
    fn finish(&self) -> u64 {
        self.end()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.flush();
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            // The tail as a little-endian word padded with zeroes, built by shifts: a copy
            // into a zeroed array was a `memory.copy` in wasm, one per string hashed.
            let word = tail
                .iter()
                .rev()
                .fold(0u64, |w, &b| (w << 8) | u64::from(b));
            self.mix(word);
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.half(u32::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.half(u32::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.half(n);
    }

    fn write_u64(&mut self, n: u64) {
        self.full(n);
    }

    fn write_usize(&mut self, n: usize) {
        match u32::try_from(n) {
            Ok(n) => self.half(n),
            Err(_) => self.full(n as u64),
        }
    }
}

/// The trace's hash `hash` continued with `record`. The sequence number is the record's
/// place in the chain, so it is not hashed again. Out of line: one copy of the hashing of
/// every kind of event, not one in each caller of [`Trace::push`].
#[inline(never)]
pub(crate) fn chain(hash: u64, record: &Record) -> u64 {
    let mut hasher = RecordHasher::new(hash);
    hasher.write_u64(record.time);
    hasher.write_u64(record.cost);
    record.event.hash(&mut hasher);
    hasher.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_tail_is_hashed_as_its_little_endian_word_padded_with_zeroes() {
        let bytes: Vec<u8> = (1..=15).map(|b| b * 17).collect();
        for n in 0..=bytes.len() {
            let mut got = RecordHasher::new(HASH_SEED);
            got.write(&bytes[..n]);
            let mut want = RecordHasher::new(HASH_SEED);
            for chunk in bytes[..n].chunks(8) {
                let mut word = [0u8; 8];
                word[..chunk.len()].copy_from_slice(chunk);
                want.mix(u64::from_le_bytes(word));
            }
            assert_eq!(got.end(), want.end(), "{n} bytes");
        }
    }
}
