//! The file store: regions backed by a file of the file server, and the task's table of open
//! files. The pages of a **shared** mapping are the file server's cached frames, mapped
//! through the task's share of the server's container (they are never the task's own frames);
//! those of a **private** mapping are copied copy-on-write into the task's container and are
//! then the task's, paged like anonymous memory.

use crate::pages::PageMap;
use physmem::Handle;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Why the file server refused, as the pager hears it: the errno for the gate and a reason.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[error("{reason}")]
pub struct FileError {
    /// The errno a workload sees (positive; the gate negates it).
    pub errno: i32,
    /// Why, in words a student understands.
    pub reason: String,
}

impl FileError {
    /// The refusal when the scenario has no file server.
    pub fn no_server() -> FileError {
        FileError {
            errno: crate::ENOSYS,
            reason: "this scenario has no file server (declare a [disk] and [[file]]s)".into(),
        }
    }
}

/// What the file server answers to an open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileOpened {
    /// The server's name for the open file.
    pub open: u32,
    /// The file's size in bytes.
    pub size: u32,
    /// The task's handle to the server's cache container.
    pub container: Handle,
}

/// What the file server answers to a page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileGrant {
    /// Offset of the page's frame in the server's cache container.
    pub cache: u32,
    /// Whether it may be mapped writable (the server knows it is dirty); else write-locked.
    pub writable: bool,
}

/// What backs a file region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileMap {
    /// The file's path (shared with the open file and every event of a fault on the file).
    pub path: Arc<str>,
    /// The server's name for the open file.
    pub open: u32,
    /// The task's handle to the server's cache container.
    pub container: Handle,
    /// Byte offset in the file of the region's first page.
    pub offset: u32,
    /// Shared (the server's frames) or private (copy-on-write copies).
    pub shared: bool,
}

/// One open file of the task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenFile {
    /// Its path.
    pub path: Arc<str>,
    /// What the server answered.
    pub opened: FileOpened,
    /// Opened read-write.
    pub write: bool,
}

/// The task's open files by descriptor, and the shared file pages it has mapped.
#[derive(Clone, Debug, Default)]
pub struct FileTable {
    fds: BTreeMap<u32, OpenFile>,
    /// Opens closed by the task but still used by a mapping (closed at the server on munmap).
    lingering: BTreeSet<u32>,
    /// Pages of shared file mappings the pager mapped (the server may have unmapped them since).
    /// A page table rather than a tree: a fault adds its page in a few instructions.
    pub(crate) mapped: PageMap<()>,
}

/// The first descriptor handed out (0, 1 and 2 are the standard streams on Unix).
pub const FIRST_FD: u32 = 3;

impl FileTable {
    /// Add an open file; returns its descriptor (the lowest free one).
    pub fn insert(&mut self, f: OpenFile) -> u32 {
        let fd = (FIRST_FD..)
            .find(|fd| !self.fds.contains_key(fd))
            .unwrap_or(FIRST_FD);
        self.fds.insert(fd, f);
        fd
    }

    /// The open file `fd`.
    pub fn get(&self, fd: u32) -> Option<&OpenFile> {
        self.fds.get(&fd)
    }

    /// Close `fd`; the open stays (lingers) if `in_use`. Returns the open file.
    pub fn remove(&mut self, fd: u32, in_use: bool) -> Option<OpenFile> {
        let f = self.fds.remove(&fd)?;
        if in_use {
            self.lingering.insert(f.opened.open);
        }
        Some(f)
    }

    /// Whether `open` was closed by the task and waits for its last mapping to go.
    pub fn take_lingering(&mut self, open: u32) -> bool {
        self.lingering.remove(&open)
    }

    /// Every open descriptor.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &OpenFile)> {
        self.fds.iter().map(|(&fd, f)| (fd, f))
    }
}
