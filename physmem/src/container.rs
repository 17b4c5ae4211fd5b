//! Containers: namespaces of byte offsets into which power-of-two frames are allocated.

use std::collections::BTreeMap;

use crate::caps::ControlId;
use crate::protocol::{Handle, PhysmemError, TaskId, PAGE_SIZE};
use crate::slots::Slots;

/// The largest frame `ContainerAllocate` creates: 2^4 pages = 64 KiB. Larger ranges get
/// several frames, so binding never needs more than 16 contiguous free frames.
pub const MAX_FRAME_ORDER: u8 = 4;

/// One allocated frame of a container: 2^order pages at a naturally aligned offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// log2 of the number of pages.
    pub order: u8,
    /// First physical frame, once bound (lazily, at first map or copy); the block is
    /// 2^order contiguous frames aligned to its size.
    pub pfn: Option<u32>,
}

impl Slot {
    /// Size in bytes.
    pub fn bytes(self) -> u64 {
        u64::from(PAGE_SIZE) << self.order
    }
}

/// A container: its slots, who pays for them, and who holds a handle to it.
#[derive(Clone, Debug)]
pub(crate) struct Container {
    /// The control capability charged for its frames.
    pub control: ControlId,
    /// Allocated frames by offset; they never overlap.
    pub slots: Slots,
    /// Every task holding a handle to it, with that handle.
    pub holders: BTreeMap<TaskId, Handle>,
}

/// Check a byte range from a request: page aligned, non-zero, ending at most at 4 GiB.
/// Returns the end.
///
/// # Errors
/// `InvalidRange` or `Overflow`.
pub(crate) fn check_range(start: u32, size: u32) -> Result<u64, PhysmemError> {
    if start % PAGE_SIZE != 0 || size % PAGE_SIZE != 0 || size == 0 {
        return Err(PhysmemError::InvalidRange { start, size });
    }
    let end = u64::from(start) + u64::from(size);
    if end > 1 << 32 {
        return Err(PhysmemError::Overflow { start, size });
    }
    Ok(end)
}

/// Split `[start, end)` into the fewest naturally aligned power-of-two frames, as
/// (offset, order): e.g. [0x1000, 0x8000) = 4K@0x1000 + 8K@0x2000 + 16K@0x4000.
pub(crate) fn decompose(start: u32, end: u64) -> impl Iterator<Item = (u32, u8)> {
    let mut cur = u64::from(start);
    std::iter::from_fn(move || {
        if cur >= end {
            return None;
        }
        let mut k = 0u8;
        while k < MAX_FRAME_ORDER {
            let bytes = u64::from(PAGE_SIZE) << (k + 1);
            if cur % bytes != 0 || cur + bytes > end {
                break;
            }
            k += 1;
        }
        let frame = (cur as u32, k);
        cur += u64::from(PAGE_SIZE) << k;
        Some(frame)
    })
}

impl Container {
    /// A new, empty container charged to `control`.
    pub fn new(control: ControlId) -> Container {
        Container {
            control,
            slots: Slots::default(),
            holders: BTreeMap::new(),
        }
    }

    /// The slot covering byte offset `off`, as (slot offset, slot).
    pub fn slot_at(&self, off: u64) -> Option<(u32, Slot)> {
        self.slots.covering(u32::try_from(off).ok()?)
    }

    /// The physical frame holding the page at `off`, if allocated and bound.
    pub fn pfn_at(&self, off: u64) -> Option<u32> {
        let (base, slot) = self.slot_at(off)?;
        Some(slot.pfn? + ((off - u64::from(base)) / u64::from(PAGE_SIZE)) as u32)
    }

    /// The first offset in `[start, end)` where a slot overlaps, if any.
    pub fn first_allocated(&self, start: u32, end: u64) -> Option<u32> {
        if self.slot_at(u64::from(start)).is_some() {
            return Some(start);
        }
        let (off, _) = self.slots.first_in(u64::from(start), end)?;
        Some(off)
    }

    /// The first offset in `[start, end)` that no slot covers, if any.
    pub fn first_hole(&self, start: u32, end: u64) -> Option<u32> {
        let mut cur = u64::from(start);
        while cur < end {
            match self.slot_at(cur) {
                Some((base, slot)) => cur = u64::from(base) + slot.bytes(),
                None => return Some(cur as u32),
            }
        }
        None
    }

    /// Split slots so that one starts exactly at `off` (if a slot covers `off`), and return
    /// it. Splitting changes no page's frame, only how the range is cut into frames.
    pub fn split_at(&mut self, off: u64) -> Option<Slot> {
        while let Some((base, slot)) = self.slot_at(off) {
            if u64::from(base) == off {
                return Some(slot);
            }
            let k = slot.order - 1;
            let half = (PAGE_SIZE << k, 1u32 << k);
            self.slots.insert(
                base,
                Slot {
                    order: k,
                    pfn: slot.pfn,
                },
            );
            self.slots.insert(
                base + half.0,
                Slot {
                    order: k,
                    pfn: slot.pfn.map(|p| p + half.1),
                },
            );
        }
        None
    }

    /// Split slots so that the page at `off`, if allocated, is a one-page slot of its own.
    pub fn isolate(&mut self, off: u32) {
        if self.split_at(u64::from(off)).is_some_and(|s| s.order > 0) {
            self.split_at(u64::from(off) + u64::from(PAGE_SIZE));
        }
    }

    /// Remove and return the first slot starting in `[start, end)`.
    pub fn take_first(&mut self, start: u64, end: u64) -> Option<(u32, Slot)> {
        let (off, slot) = self.slots.first_in(start, end)?;
        self.slots.remove(off);
        Some((off, slot))
    }

    /// Pages allocated, in all slots.
    pub fn allocated_pages(&self) -> u32 {
        self.slots.iter().map(|(_, s)| 1u32 << s.order).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decompose_uses_the_fewest_aligned_frames() {
        assert_eq!(
            decompose(0x1000, 0x8000).collect::<Vec<_>>(),
            vec![(0x1000, 0), (0x2000, 1), (0x4000, 2)]
        );
        assert_eq!(decompose(0, 0x10000).collect::<Vec<_>>(), vec![(0, 4)]);
        assert_eq!(
            decompose(0, 0x20000).collect::<Vec<_>>(),
            vec![(0, 4), (0x10000, 4)]
        );
        assert_eq!(
            decompose(0x3000, 0x5000).collect::<Vec<_>>(),
            vec![(0x3000, 0), (0x4000, 0)]
        );
    }

    #[test]
    fn check_range_refuses_bad_ranges() {
        assert_eq!(check_range(0x1000, 0x1000), Ok(0x2000));
        assert_eq!(
            check_range(0x1001, 0x1000),
            Err(PhysmemError::InvalidRange {
                start: 0x1001,
                size: 0x1000
            })
        );
        assert_eq!(
            check_range(0, 0),
            Err(PhysmemError::InvalidRange { start: 0, size: 0 })
        );
        assert_eq!(check_range(0xFFFF_F000, 0x1000), Ok(1 << 32));
        assert_eq!(
            check_range(0xFFFF_F000, 0x2000),
            Err(PhysmemError::Overflow {
                start: 0xFFFF_F000,
                size: 0x2000
            })
        );
    }

    #[test]
    fn split_keeps_frames() {
        let mut c = Container::new(ControlId(0));
        c.slots.insert(
            0,
            Slot {
                order: 2,
                pfn: Some(8),
            },
        );
        c.split_at(0x3000);
        assert_eq!(c.slots.iter().count(), 3);
        assert_eq!(
            c.slot_at(0x3000),
            Some((
                0x3000,
                Slot {
                    order: 0,
                    pfn: Some(11)
                }
            ))
        );
        assert_eq!(c.pfn_at(0x1000), Some(9));
        assert_eq!(c.first_hole(0, 0x5000), Some(0x4000));
        assert_eq!(c.first_allocated(0x4000, 0x9000), None);
        assert_eq!(c.first_allocated(0x2000, 0x9000), Some(0x2000));
    }
}
