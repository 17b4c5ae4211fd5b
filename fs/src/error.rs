//! Why the file side refused a request, with the errno a workload sees through the gate.

use physmem::PhysmemError;
use thiserror::Error;

/// ENOENT: no such file.
pub const ENOENT: i32 = 2;
/// EBADF: not an open file.
pub const EBADF: i32 = 9;
/// ENOMEM: no frame for the page cache.
pub const ENOMEM: i32 = 12;
/// EACCES: the file was opened read-only.
pub const EACCES: i32 = 13;
/// EFAULT: an access past the end of the file (what a SIGBUS reports).
pub const EFAULT: i32 = 14;
/// EINVAL: invalid argument.
pub const EINVAL: i32 = 22;
/// ENOSPC: the disk is full.
pub const ENOSPC: i32 = 28;

/// Why the file server, its pager library or the ramdisk refused. A refused request changes
/// nothing a client can see.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum FsError {
    /// No file has this path.
    #[error("no file {0:?} on the disk")]
    NotFound(String),
    /// A path longer than the directory holds.
    #[error("path {path:?} is {len} bytes long; at most {max} bytes fit in a directory entry")]
    PathTooLong {
        /// The path given.
        path: String,
        /// Its length in bytes.
        len: usize,
        /// The most a directory entry holds.
        max: usize,
    },
    /// An empty path, or one that is not text.
    #[error("a file's path must be non-empty UTF-8 text")]
    BadPath,
    /// Two files with one path.
    #[error("two files are named {0:?}; paths on the disk must be unique")]
    DuplicatePath(String),
    /// The files do not fit on the disk.
    #[error("file {path:?} needs {needed} blocks of 4 KiB but only {free} of the disk's {blocks} are free")]
    DiskFull {
        /// The file that did not fit.
        path: String,
        /// Blocks it needs.
        needed: u32,
        /// Blocks left.
        free: u32,
        /// Blocks on the disk.
        blocks: u32,
    },
    /// A disk of no blocks, or of more than the 32-bit offsets reach.
    #[error("a disk must have between 1 and {max} blocks, not {blocks}")]
    BadDiskSize {
        /// Blocks asked for.
        blocks: u32,
        /// The most allowed.
        max: u32,
    },
    /// A block number past the end of the disk.
    #[error("block {block} is past the end of the disk ({blocks} blocks)")]
    NoSuchBlock {
        /// The block asked for.
        block: u32,
        /// Blocks on the disk.
        blocks: u32,
    },
    /// Not an open file (never opened, or closed).
    #[error("{0} is not an open file (never opened, or closed already)")]
    BadOpen(u32),
    /// A write through a read-only open.
    #[error("file {0:?} was opened read-only: writing to it is not allowed")]
    ReadOnly(String),
    /// A page wholly past the end of the file: a SIGBUS on a real system.
    #[error("offset {offset:#x} is past the end of file {path:?} ({size} bytes): no page of the file is there (SIGBUS)")]
    PastEof {
        /// The file.
        path: String,
        /// The byte offset asked for.
        offset: u32,
        /// The file's size.
        size: u32,
    },
    /// A file offset that is not a multiple of the page size.
    #[error("file offset {0:#x} is not page aligned (pages are 4 KiB)")]
    Unaligned(u32),
    /// The page cache could get no frame.
    #[error("the file server's page cache has no frame: {0}")]
    NoFrame(String),
}

impl FsError {
    /// The errno a workload sees (negated in EAX).
    pub fn errno(&self) -> i32 {
        match self {
            FsError::NotFound(_) => ENOENT,
            FsError::BadOpen(_) => EBADF,
            FsError::ReadOnly(_) => EACCES,
            FsError::PastEof { .. } => EFAULT,
            FsError::DiskFull { .. } => ENOSPC,
            FsError::NoFrame(_) => ENOMEM,
            _ => EINVAL,
        }
    }

    /// A physmem refusal met while filling the cache.
    pub(crate) fn physmem(what: &str, e: PhysmemError) -> FsError {
        FsError::NoFrame(format!("physmem refused to {what}: {e}"))
    }
}
