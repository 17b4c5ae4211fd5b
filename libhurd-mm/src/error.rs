//! Errors of the memory manager's calls, with the errno a workload sees through the gate.

use thiserror::Error;

/// ENOENT: no such file.
pub const ENOENT: i32 = 2;
/// EBADF: not an open file descriptor.
pub const EBADF: i32 = 9;
/// EACCES: a shared writable mapping of a file opened read-only.
pub const EACCES: i32 = 13;
/// ENOMEM: out of memory, or the range is not mapped.
pub const ENOMEM: i32 = 12;
/// EFAULT: bad address (core uses it when a gate argument points outside the task).
pub const EFAULT: i32 = 14;
/// EEXIST: the range is already mapped.
pub const EEXIST: i32 = 17;
/// EINVAL: invalid argument.
pub const EINVAL: i32 = 22;
/// ENOSYS: no such library function.
pub const ENOSYS: i32 = 38;

/// Why an mmap, munmap, advise, pin or policy call was refused. A refused call changes nothing
/// the workload can see.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MmError {
    /// Addresses given to the memory manager must be page aligned.
    #[error("address {0:#x} is not page aligned (pages are 4 KiB: the low 12 bits must be 0)")]
    Unaligned(u32),
    /// A length of zero maps nothing.
    #[error("length must be greater than zero")]
    EmptyLength,
    /// The range wraps around the end of the 32-bit address space.
    #[error("range {start:#x} + {len:#x} runs past the end of the 32-bit address space")]
    Overflow {
        /// Start given.
        start: u32,
        /// Length given.
        len: u32,
    },
    /// The range touches space the kernel keeps for itself (page 0, or the top of memory).
    #[error("range {start:#x}..{end:#x} overlaps kernel-reserved space (below {low:#x} or at/above {high:#x})")]
    Reserved {
        /// Start of the range.
        start: u32,
        /// End of the range (exclusive).
        end: u32,
        /// First usable address.
        low: u32,
        /// First reserved address at the top.
        high: u32,
    },
    /// A fixed mapping would cover part of an existing region.
    #[error(
        "range {start:#x}..{end:#x} overlaps region {name} at {other_start:#x}..{other_end:#x}"
    )]
    Overlap {
        /// Start of the range asked for.
        start: u32,
        /// End of the range asked for.
        end: u32,
        /// The existing region's name.
        name: String,
        /// The existing region's start.
        other_start: u32,
        /// The existing region's end.
        other_end: u32,
    },
    /// No gap in the address space is large enough.
    #[error("no free gap of {0:#x} bytes left in the address space")]
    NoSpace(u32),
    /// Part of the range is in no region.
    #[error("address {0:#x} is not in any region")]
    NotMapped(u32),
    /// Protection bits other than r=4, w=2, x=1.
    #[error("protection {0:#x} is not a combination of r=4, w=2, x=1")]
    BadProt(u32),
    /// A program image longer than its region.
    #[error("image of {bytes} bytes does not fit a region of {len} bytes")]
    ImageTooLarge {
        /// Bytes given.
        bytes: usize,
        /// Region length.
        len: u32,
    },
    /// mmap makes anonymous memory; program regions come from the loader.
    #[error("program image regions are added by the loader (add_region), not by mmap")]
    ImageNeedsBytes,
    /// mmap makes anonymous memory; file regions come from `mmap_file`.
    #[error("file regions are made by mmap_file from an open file, not by mmap")]
    FileNeedsFd,
    /// Only anonymous memory can be made discardable.
    #[error("region {0} is not anonymous memory, so it cannot be made discardable")]
    NotAnonymous(String),
    /// OPT needs the future reference string, which a live pager never has.
    #[error("Belady's OPT needs to know future references; it runs only in `simulate`, not as a live pager policy")]
    OfflinePolicy,
    /// Pinning more pages would leave no frame to page through.
    #[error("cannot pin {asked} more pages: {pinned} of {frames} frames are pinned already and at least one must stay pageable")]
    PinLimit {
        /// Pages asked to pin.
        asked: u32,
        /// Pages already pinned.
        pinned: u32,
        /// Frames the task may hold.
        frames: u32,
    },
    /// A page could not be made resident (no frame, or physmem refused).
    #[error("{0}")]
    OutOfFrames(String),
    /// Not an open file descriptor.
    #[error("{0} is not an open file descriptor (never opened, or closed)")]
    BadFd(u32),
    /// A shared writable mapping of a file opened read-only.
    #[error("file {0} was opened read-only: a shared mapping of it cannot be writable")]
    ReadOnlyFile(String),
    /// A file offset that is not a multiple of the page size.
    #[error("file offset {0:#x} is not page aligned (pages are 4 KiB)")]
    UnalignedFileOffset(u32),
    /// The file server refused.
    #[error("file server: {0}")]
    File(crate::store::FileError),
}

impl MmError {
    /// The errno a workload sees (returned negated in EAX by the gate).
    pub fn errno(&self) -> i32 {
        match self {
            MmError::Overlap { .. } => EEXIST,
            MmError::NoSpace(_) | MmError::NotMapped(_) => ENOMEM,
            MmError::PinLimit { .. } | MmError::OutOfFrames(_) => ENOMEM,
            MmError::BadFd(_) => EBADF,
            MmError::ReadOnlyFile(_) => EACCES,
            MmError::File(e) => e.errno,
            _ => EINVAL,
        }
    }
}
