//! Backing stores: where a page's contents come from the first time it is touched, and where
//! they go when its frame is taken away.

mod file;
mod image;
mod swap;

pub use file::{FileError, FileGrant, FileMap, FileOpened, FileTable, OpenFile, FIRST_FD};
pub use image::ImageStore;
pub use swap::SwapStore;

use crate::region::RegionKind;
use physmem::PAGE_SIZE;

/// What backs a region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backing {
    /// Anonymous memory (zero-filled, swapped when dirty).
    Anonymous,
    /// Anonymous memory that is dropped, never swapped.
    Discardable,
    /// Program image bytes.
    Image(ImageStore),
    /// A file of the file server.
    File(FileMap),
}

impl Backing {
    /// The kind the UI shows.
    pub fn kind(&self) -> RegionKind {
        match self {
            Backing::Anonymous => RegionKind::Anonymous,
            Backing::Discardable => RegionKind::Discardable,
            Backing::Image(_) => RegionKind::Image,
            Backing::File(f) if f.shared => RegionKind::SharedFile,
            Backing::File(_) => RegionKind::PrivateFile,
        }
    }

    /// The initial contents of the page at byte `offset` in the region: `None` when it is all
    /// zeroes (anonymous memory nobody has written yet), else the page's bytes.
    pub fn initial(&self, offset: u32) -> Option<Vec<u8>> {
        match self {
            Backing::Anonymous | Backing::Discardable | Backing::File(_) => None,
            Backing::Image(img) => {
                let mut page = vec![0; PAGE_SIZE as usize];
                img.fill(offset, &mut page);
                Some(page)
            }
        }
    }

    /// Split the store at byte `at` of the region: `self` keeps the low part.
    pub fn split_off(&mut self, at: u32) -> Backing {
        match self {
            Backing::Image(img) => Backing::Image(img.split_off(at)),
            Backing::File(f) => Backing::File(FileMap {
                offset: f.offset + at,
                ..f.clone()
            }),
            other => other.clone(),
        }
    }
}
