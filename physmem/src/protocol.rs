//! The physmem wire protocol: every request a task can send and every reply it gets.
//!
//! Labels follow the 2005 hurd-l4 numbering where it exists (container RPCs start at 130).
//! core delivers these as IPC and records each one in the trace.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use smallvec::SmallVec;

/// A task, as physmem knows it: the sender of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TaskId(pub u32);

/// A physical frame number (a 4 KiB page of RAM). physmem owns frames, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pfn(pub u32);

/// An unforgeable capability handle. It is only valid for the task it was given to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Handle(pub u64);

/// Size of one page, the smallest frame, in bytes.
pub const PAGE_SIZE: u32 = 4096;

/// A page of zeroes: what a frame holds after [`Effect::Zero`].
pub static ZERO_PAGE: [u8; PAGE_SIZE as usize] = [0; PAGE_SIZE as usize];

/// The most mappings one `ContainerMap` reply carries; the client asks again for the rest.
pub const MAP_BATCH: usize = 8;

/// Access rights on a mapping, as in an L4 fpage (r=4, w=2, x=1).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Rights(pub u8);

impl Rights {
    /// Read access.
    pub const R: Rights = Rights(4);
    /// Write access.
    pub const W: Rights = Rights(2);
    /// Execute access.
    pub const X: Rights = Rights(1);
    /// Read and write.
    pub const RW: Rights = Rights(6);
    /// Read, write and execute.
    pub const RWX: Rights = Rights(7);
    /// Whether every right in `other` is also in `self`.
    pub fn contains(self, other: Rights) -> bool {
        self.0 & other.0 == other.0
    }
    /// The rights in both.
    pub fn intersect(self, other: Rights) -> Rights {
        Rights(self.0 & other.0)
    }
    /// `self` without the rights in `other`.
    pub fn without(self, other: Rights) -> Rights {
        Rights(self.0 & !other.0)
    }
}

/// How `ContainerCopy` treats the destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CopyMode {
    /// Both containers refer to the same frames (COPY_SHARED).
    Shared,
    /// Copy-on-write: both sides lose write access; a write makes a private copy (the default).
    CopyOnWrite,
}

/// One request to physmem.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Request {
    /// Create a container charged to a control capability (label 130).
    ContainerCreate {
        /// The control capability that pays for the container's frames.
        control: Handle,
    },
    /// Give another task a handle to a container (label 131; EOPNOTSUPP in January 2005).
    ContainerShare {
        /// The container to share.
        container: Handle,
        /// The task that receives a handle.
        with: TaskId,
    },
    /// Reserve `[start, start+size)` with the fewest naturally aligned power-of-two frames
    /// (label 132). Frames are bound lazily, at first map or copy.
    ContainerAllocate {
        /// The container.
        container: Handle,
        /// Byte offset, page aligned.
        start: u32,
        /// Length in bytes, a non-zero multiple of the page size.
        size: u32,
    },
    /// Free `[start, start+size)`, splitting a larger frame when needed (label 133).
    ContainerDeallocate {
        /// The container.
        container: Handle,
        /// Byte offset, page aligned.
        start: u32,
        /// Length in bytes, a non-zero multiple of the page size.
        size: u32,
    },
    /// Map `[index, index+size)` of the container at `vaddr` in the caller (label 134).
    /// The reply carries at most [`MAP_BATCH`] items; the client loops for the rest.
    ContainerMap {
        /// The container.
        container: Handle,
        /// The rights asked for.
        rights: Rights,
        /// Where in the caller's address space the range goes (page aligned).
        vaddr: u32,
        /// Byte offset into the container (page aligned).
        index: u32,
        /// Length in bytes.
        size: u32,
    },
    /// Copy `count` bytes from one container to another (label 135).
    ContainerCopy {
        /// Source container.
        src: Handle,
        /// Byte offset in the source.
        src_start: u32,
        /// Destination container.
        dest: Handle,
        /// Byte offset in the destination.
        dest_start: u32,
        /// Length in bytes (page multiple).
        count: u32,
        /// Shared or copy-on-write.
        mode: CopyMode,
        /// ALL_OR_NONE: fail without changing anything unless the whole range can be copied.
        all_or_none: bool,
    },
    /// Split `frames` of a control capability's guarantee off to another task (label 140).
    ControlSplit {
        /// The control capability to split.
        control: Handle,
        /// Guaranteed frames to move.
        frames: u32,
        /// The task that receives the new control capability.
        to: TaskId,
    },
    /// Destroy a control capability; its containers' frames return (label 141).
    ControlDestroy {
        /// The control capability.
        control: Handle,
    },
    /// Answer a pressure request: these frames were given back (label 142).
    FramesReturned {
        /// How many frames the task released since the request.
        count: u32,
    },
}

impl Request {
    /// The RPC label, as in the hurd-l4 sources where one existed.
    pub fn label(&self) -> u32 {
        match self {
            Request::ContainerCreate { .. } => 130,
            Request::ContainerShare { .. } => 131,
            Request::ContainerAllocate { .. } => 132,
            Request::ContainerDeallocate { .. } => 133,
            Request::ContainerMap { .. } => 134,
            Request::ContainerCopy { .. } => 135,
            Request::ControlSplit { .. } => 140,
            Request::ControlDestroy { .. } => 141,
            Request::FramesReturned { .. } => 142,
        }
    }
}

/// One mapping for the kernel to install: an L4 fpage sent from physmem's space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MapItem {
    /// Where the fpage goes in the receiver (aligned to its size).
    pub vaddr: u32,
    /// First frame of the fpage.
    pub pfn: Pfn,
    /// log2 of the fpage size in bytes (12 for one page).
    pub log2_size: u8,
    /// Rights granted (COW frames come without W).
    pub rights: Rights,
}

/// The fpages of one `ContainerMap` reply. Nearly every reply carries one (a first-touch
/// fault maps one page), kept inline: the reply and the trace's copy of it allocate nothing.
/// It compares, hashes and serializes as the slice it holds, like a `Vec`.
pub type MapItems = SmallVec<[MapItem; 1]>;

/// The kinds of object a handle can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ObjectKind {
    /// A control capability (a guarantee of frames).
    Control,
    /// A container (a namespace of byte offsets holding frames).
    Container,
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ObjectKind::Control => "control capability",
            ObjectKind::Container => "container",
        })
    }
}

/// A successful reply.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reply {
    /// A new capability handle (container or control).
    Handle(Handle),
    /// Bytes covered (allocate) or copied (copy).
    Amount(u32),
    /// Mappings to install; `next` is the index to ask for next, if the range is not done.
    Mapped {
        /// The fpages, at most [`MAP_BATCH`].
        items: MapItems,
        /// Where to continue, or `None` when the whole range is mapped.
        next: Option<u32>,
    },
    /// Done, nothing to return.
    Done,
}

/// Why physmem refused a request. A refused request changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Error, Serialize, Deserialize)]
pub enum PhysmemError {
    /// The handle is unknown, stale, or was never given to the caller.
    #[error("permission denied: this task holds no capability {0:?}")]
    PermissionDenied(Handle),
    /// The handle names an object of the wrong kind.
    #[error("handle {0:?} is not a {1}")]
    WrongKind(Handle, ObjectKind),
    /// Offsets and sizes must be page aligned and non-zero.
    #[error("invalid range: start {start:#x}, size {size:#x} must be page aligned and non-zero")]
    InvalidRange {
        /// Start given.
        start: u32,
        /// Size given.
        size: u32,
    },
    /// `start + size` overflows the 32-bit offset space.
    #[error("range {start:#x} + {size:#x} overflows")]
    Overflow {
        /// Start given.
        start: u32,
        /// Size given.
        size: u32,
    },
    /// Part of the range is already allocated (EEXIST).
    #[error("offset {0:#x} is already allocated in this container")]
    AlreadyAllocated(u32),
    /// Part of the range is not allocated.
    #[error("offset {0:#x} is not allocated in this container")]
    NotAllocated(u32),
    /// No free frame and the caller's guarantee is used up.
    #[error(
        "out of memory: no free frame, and this task's guarantee of {guaranteed} frames is used up"
    )]
    OutOfMemory {
        /// The caller's guarantee.
        guaranteed: u32,
    },
    /// A control capability cannot give away more than it guarantees.
    #[error("cannot split {asked} frames from a guarantee of {available}")]
    GuaranteeTooSmall {
        /// Frames asked for.
        asked: u32,
        /// Frames the capability guarantees and does not use.
        available: u32,
    },
    /// The memory-policy role asked for more guaranteed frames than are left unpromised.
    #[error(
        "cannot guarantee {asked} frames: only {available} frames are not yet guaranteed to a task"
    )]
    GuaranteeUnavailable {
        /// Frames asked for.
        asked: u32,
        /// Frames physmem owns that no guarantee covers yet.
        available: u32,
    },
    /// The caller is within its guarantee, but its frames are still held by tasks over
    /// their guarantee; they are asked to return them (see `Effect::ReturnFrames`). Retry later.
    #[error("memory is short: {needed} guaranteed frames are still held as extra frames by other tasks, which are being asked to return them; retry after their deadline")]
    MemoryShort {
        /// Frames the request needed.
        needed: u32,
    },
    /// Enough frames are free, but no naturally aligned run of them is, even after moving
    /// frames around (compaction).
    #[error("no contiguous, aligned run of {pages} free frames, even after compaction")]
    NoContiguousBlock {
        /// Frames the multi-page frame needs.
        pages: u32,
    },
    /// The task is not known to physmem.
    #[error("unknown task {0:?}")]
    UnknownTask(TaskId),
    /// The operation is declared but not offered.
    #[error("operation not supported")]
    NotSupported,
}

/// What physmem asks the kernel (core) to do as a consequence of a request or of time passing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Effect {
    /// Fill a newly bound frame with zeroes before anyone maps it.
    Zero(Pfn),
    /// Copy a frame's bytes (a COW break or an eager copy).
    Copy {
        /// Frame to read.
        from: Pfn,
        /// Frame to write.
        to: Pfn,
    },
    /// Revoke `rights` on every mapping of this frame, recursively ("L4 is a cache of mappings").
    Revoke {
        /// The frame.
        pfn: Pfn,
        /// Rights to take away; all rights removes the mapping.
        rights: Rights,
    },
    /// Ask a task over its guarantee to give back `count` frames before step `deadline`.
    ReturnFrames {
        /// The task asked.
        task: TaskId,
        /// Frames wanted back.
        count: u32,
        /// The step by which it must comply.
        deadline: u64,
    },
    /// A task did not comply in time and lost the extra frame at `offset` of `container`.
    Reclaimed {
        /// The task that lost the frame.
        task: TaskId,
        /// Its container.
        container: Handle,
        /// Byte offset of the lost frame in the container.
        offset: u32,
        /// The frame: now free, unless another task's container still refers to it (COW or
        /// shared), which then keeps it.
        pfn: Pfn,
    },
}

/// physmem's answer to one request: the result and what the kernel must do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Response {
    /// The reply or the reason for refusing.
    pub result: Result<Reply, PhysmemError>,
    /// Side effects for the kernel, in order. Empty when the request was refused.
    pub effects: Vec<Effect>,
}
