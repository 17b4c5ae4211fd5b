//! What the file side sees of the world: the [`FsEnv`] core implements, and the events it
//! records for the trace.

use physmem::{Handle, PhysmemError, Reply, Request, TaskId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// IPC labels of the file protocol, as core traces them (replies carry label 0).
pub mod labels {
    /// A client opens a file.
    pub const OPEN: u32 = 300;
    /// A client closes an open file.
    pub const CLOSE: u32 = 301;
    /// A client pager asks for a page.
    pub const PAGE: u32 = 302;
    /// A client asks for its dirty pages to be written (msync).
    pub const SYNC: u32 = 303;
    /// The file server asks the ramdisk to read a block into a frame.
    pub const DISK_READ: u32 = 310;
    /// The file server asks the ramdisk to write a block from a frame.
    pub const DISK_WRITE: u32 = 311;
}

/// Everything the file server, its pager library and the ramdisk do that a trace shows.
/// core stamps each with step and cost (disk reads and writes cost page I/O).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FsEvent {
    /// A client pager asked the file server for a page of a file.
    PageRequest {
        /// The client task.
        client: TaskId,
        /// The file.
        path: Arc<str>,
        /// Byte offset of the page in the file.
        offset: u32,
        /// Whether the client wants to write it.
        write: bool,
    },
    /// The page was in the cache.
    CacheHit {
        /// The file.
        path: Arc<str>,
        /// Byte offset in the file.
        offset: u32,
        /// Offset of its frame in the server's container.
        cache: u32,
    },
    /// The page was not in the cache: the file system reads it (read page).
    CacheMiss {
        /// The file.
        path: Arc<str>,
        /// Byte offset in the file.
        offset: u32,
        /// Offset of the frame it goes into.
        cache: u32,
    },
    /// The ramdisk read a block into a frame of a container it holds a share of.
    DiskRead {
        /// The block.
        block: u32,
        /// The container offset it went to.
        cache: u32,
    },
    /// The ramdisk wrote a block from a frame.
    DiskWrite {
        /// The block.
        block: u32,
        /// The container offset it came from.
        cache: u32,
    },
    /// A write-locked page was unlocked for writing: it is dirty now.
    Unlock {
        /// The file.
        path: Arc<str>,
        /// Byte offset in the file.
        offset: u32,
    },
    /// A dirty page was written back to the disk (write page) and write-locked again.
    WriteBack {
        /// The file.
        path: Arc<str>,
        /// Byte offset in the file.
        offset: u32,
    },
    /// A page left the cache (its frame went back to physmem).
    Evict {
        /// The file.
        path: Arc<str>,
        /// Byte offset in the file.
        offset: u32,
        /// Why, in one short sentence.
        reason: String,
    },
    /// physmem asked for frames back; the server returned them.
    FramesReturned {
        /// Frames asked for.
        asked: u32,
        /// Frames given back.
        returned: u32,
    },
    /// A file was opened.
    Open {
        /// The client.
        client: TaskId,
        /// The file.
        path: Arc<str>,
        /// Opened for writing.
        write: bool,
    },
    /// A page was lost with a frame physmem reclaimed while it was dirty.
    Lost {
        /// The file.
        path: Arc<str>,
        /// Byte offset in the file.
        offset: u32,
    },
}

impl FsEvent {
    /// Whether the event moved a block between the disk and a frame (it costs device I/O).
    pub fn is_disk_io(&self) -> bool {
        matches!(self, FsEvent::DiskRead { .. } | FsEvent::DiskWrite { .. })
    }
}

impl fmt::Display for FsEvent {
    /// One line a student can read in the trace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsEvent::PageRequest {
                client,
                path,
                offset,
                write,
            } => {
                let how = if *write { "to write" } else { "to read" };
                write!(
                    f,
                    "task {}'s pager asks for {path}+{offset:#x} {how}",
                    client.0
                )
            }
            FsEvent::CacheHit {
                path,
                offset,
                cache,
            } => write!(f, "{path}+{offset:#x}: in the cache (frame at {cache:#x})"),
            FsEvent::CacheMiss {
                path,
                offset,
                cache,
            } => write!(
                f,
                "{path}+{offset:#x}: not cached; reading it into the frame at {cache:#x}"
            ),
            FsEvent::DiskRead { block, cache } => {
                write!(
                    f,
                    "ramdisk: block {block} read into the frame at {cache:#x}"
                )
            }
            FsEvent::DiskWrite { block, cache } => {
                write!(
                    f,
                    "ramdisk: block {block} written from the frame at {cache:#x}"
                )
            }
            FsEvent::Unlock { path, offset } => {
                write!(f, "{path}+{offset:#x}: unlocked for writing (now dirty)")
            }
            FsEvent::WriteBack { path, offset } => {
                write!(f, "{path}+{offset:#x}: dirty, written back to the disk")
            }
            FsEvent::Evict {
                path,
                offset,
                reason,
            } => write!(f, "{path}+{offset:#x}: left the cache ({reason})"),
            FsEvent::FramesReturned { asked, returned } => write!(
                f,
                "file server: asked for {asked} frames, gave back {returned}"
            ),
            FsEvent::Open {
                client,
                path,
                write,
            } => {
                let how = if *write { "read-write" } else { "read-only" };
                write!(f, "task {} opened {path} {how}", client.0)
            }
            FsEvent::Lost { path, offset } => write!(
                f,
                "{path}+{offset:#x}: physmem took its frame while it was dirty; the write is lost"
            ),
        }
    }
}

/// The file side's view of the kernel and physmem. core implements it.
pub trait FsEnv {
    /// One RPC to physmem from `task` (an IPC core records).
    ///
    /// # Errors
    /// physmem's refusal, unchanged.
    fn physmem(&mut self, task: TaskId, req: Request) -> Result<Reply, PhysmemError>;
    /// Read the frame at `offset` of `container` (as `task` names it) through the server's
    /// own never-paged mapping.
    fn read_frame(&mut self, task: TaskId, container: Handle, offset: u32, buf: &mut [u8]);
    /// Write the frame at `offset` of `container` (as `task` names it).
    fn write_frame(&mut self, task: TaskId, container: Handle, offset: u32, data: &[u8]);
    /// L4 unmap with W of the frame at `offset` of `container`: every mapping of it, in every
    /// task, loses write access (the next write faults to that task's pager).
    fn revoke_write(&mut self, task: TaskId, container: Handle, offset: u32);
    /// Record an event for the trace.
    fn event(&mut self, e: FsEvent);
}
