//! Backing stores: where a page's contents come from the first time it is touched, and where
//! they go when its frame is taken away.

mod anon;
mod image;
mod swap;

pub use anon::zero_fill;
pub use image::ImageStore;
pub use swap::SwapStore;

use crate::region::RegionKind;

/// What backs a region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backing {
    /// Anonymous memory (zero-filled, swapped when dirty).
    Anonymous,
    /// Anonymous memory that is dropped, never swapped.
    Discardable,
    /// Program image bytes.
    Image(ImageStore),
}

/// How a page was first filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// All zeroes.
    Zero,
    /// Copied from the program image.
    Image,
}

impl Backing {
    /// The kind the UI shows.
    pub fn kind(&self) -> RegionKind {
        match self {
            Backing::Anonymous => RegionKind::Anonymous,
            Backing::Discardable => RegionKind::Discardable,
            Backing::Image(_) => RegionKind::Image,
        }
    }

    /// Fill `buf` (one page) with the initial contents of the page at byte `offset` in the region.
    pub fn fill(&self, offset: u32, buf: &mut [u8]) -> Fill {
        match self {
            Backing::Anonymous | Backing::Discardable => {
                zero_fill(buf);
                Fill::Zero
            }
            Backing::Image(img) => {
                img.fill(offset, buf);
                Fill::Image
            }
        }
    }

    /// Split the store at byte `at` of the region: `self` keeps the low part.
    pub fn split_off(&mut self, at: u32) -> Backing {
        match self {
            Backing::Image(img) => Backing::Image(img.split_off(at)),
            other => other.clone(),
        }
    }
}
