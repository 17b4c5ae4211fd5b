//! Control capabilities: a guarantee of frames, and the frames charged against it.

use std::collections::BTreeSet;

use crate::protocol::{Handle, TaskId};

/// A control capability: the right to `guaranteed` frames. Frames charged beyond the
/// guarantee are *extra* frames, which physmem may ask back under pressure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Control {
    /// The task holding it (a control capability has exactly one holder).
    pub holder: TaskId,
    /// The holder's handle.
    pub handle: Handle,
    /// Frames guaranteed.
    pub guaranteed: u32,
    /// Frames charged to it, as (bind sequence number, pfn): the last ones are the extra ones.
    pub pages: BTreeSet<(u64, u32)>,
}

impl Control {
    /// Frames charged.
    pub fn charged(&self) -> u32 {
        self.pages.len() as u32
    }

    /// Guaranteed frames not yet used: what physmem must keep free for this capability.
    pub fn unused(&self) -> u32 {
        self.guaranteed.saturating_sub(self.charged())
    }

    /// Frames charged beyond the guarantee.
    pub fn extra(&self) -> u32 {
        self.charged().saturating_sub(self.guaranteed)
    }

    /// The extra frames: the most recently bound ones beyond the guarantee.
    pub fn extra_pages(&self) -> impl Iterator<Item = u32> + '_ {
        self.pages
            .iter()
            .rev()
            .take(self.extra() as usize)
            .map(|&(_, pfn)| pfn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_frames_are_the_extra_ones() {
        let mut c = Control {
            holder: TaskId(1),
            handle: Handle(1),
            guaranteed: 2,
            pages: BTreeSet::new(),
        };
        assert_eq!((c.unused(), c.extra()), (2, 0));
        for (seq, pfn) in [(1, 40), (2, 10), (3, 30)] {
            c.pages.insert((seq, pfn));
        }
        assert_eq!((c.unused(), c.extra()), (0, 1));
        assert_eq!(c.extra_pages().collect::<Vec<_>>(), vec![30]);
    }
}
