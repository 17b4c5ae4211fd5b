//! `Words`: the untyped words of a traced IPC message. The kernel's messages carry at most
//! two (a fault: address and IP), kept inline, so tracing a fault allocates nothing.
//!
//! It reads, compares, hashes, prints and serializes exactly as the `Vec<u32>` it replaces,
//! so traces and their hashes do not depend on how the words are stored.

use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Most words a traced message carries.
pub const MAX_WORDS: usize = 2;

/// Up to [`MAX_WORDS`] message words, in order; a slice through `Deref`.
#[derive(Clone, Copy, Default)]
pub struct Words {
    len: u8,
    words: [u32; MAX_WORDS],
}

impl Words {
    /// No words (a reply, or a request whose contents the trace shows apart).
    pub const NONE: Words = Words {
        len: 0,
        words: [0; MAX_WORDS],
    };

    /// The two words of a fault message, for example.
    pub fn two(first: u32, second: u32) -> Words {
        Words {
            len: 2,
            words: [first, second],
        }
    }
}

impl Deref for Words {
    type Target = [u32];

    fn deref(&self) -> &[u32] {
        &self.words[..usize::from(self.len)]
    }
}

impl PartialEq for Words {
    fn eq(&self, other: &Words) -> bool {
        **self == **other
    }
}

impl Eq for Words {}

impl Hash for Words {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `Vec<u32>` hashes: the slice, with its length first.
        (**self).hash(state);
    }
}

impl std::fmt::Debug for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Words {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Words {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Words, D::Error> {
        let v = Vec::<u32>::deserialize(d)?;
        let mut words = Words::NONE;
        let slot = words.words.get_mut(..v.len()).ok_or_else(|| {
            D::Error::custom(format!(
                "an IPC message has at most {MAX_WORDS} words here, not {}",
                v.len()
            ))
        })?;
        slot.copy_from_slice(&v);
        words.len = v.len() as u8;
        Ok(words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of(h: &impl Hash) -> u64 {
        let mut s = DefaultHasher::new();
        h.hash(&mut s);
        s.finish()
    }

    #[test]
    fn reads_hashes_and_serializes_as_the_vec_it_replaces() {
        for (words, v) in [(Words::NONE, vec![]), (Words::two(7, 9), vec![7, 9])] {
            assert_eq!(*words, *v);
            assert_eq!(hash_of(&words), hash_of(&v));
            assert_eq!(format!("{words:?}"), format!("{v:?}"));
            let json = serde_json::to_string(&words).expect("serializes");
            assert_eq!(json, serde_json::to_string(&v).expect("serializes"));
            assert_eq!(serde_json::from_str::<Words>(&json).expect("reads"), words);
        }
        assert!(serde_json::from_str::<Words>("[1,2,3]").is_err());
    }
}
