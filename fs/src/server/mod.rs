//! The file server: a flat directory of files on the ramdisk, paged with [`Pager`], and the
//! requests client pagers send (open, close, page, sync, size, return frames).
//!
//! At boot it creates its container (paid by its own control capability: its guaranteed
//! frames, plus extra frames up to the configured limit) and gives the ramdisk a share of it,
//! so the disk reads blocks straight into the page cache. Each client gets a share at its
//! first open, through which it maps cached frames (shared mappings) or copies them
//! copy-on-write (private mappings).

mod disk_fs;
mod opens;
mod paging;
#[cfg(test)]
mod tests;

use disk_fs::DiskFs;

use crate::disk::{Directory, FileSpec};
use crate::env::FsEnv;
use crate::error::FsError;
use crate::libpager::{CachePolicy, CacheStats, CachedPage, Callbacks, FileId, Pager};
use crate::ramdisk::{DiskStats, Ramdisk};
use physmem::{Handle, Reply, Request, TaskId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the file server maps its own page cache: its never-paged window.
pub const CACHE_WINDOW: u32 = 0x1000_0000;

/// How the file server is configured, like a task: its frames and cache policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsConfig {
    /// Frames physmem guarantees it.
    pub guaranteed: u32,
    /// Extra frames it may hold beyond the guarantee (returned under pressure).
    pub extra: u32,
    /// Which cached page goes first.
    pub policy: CachePolicy,
}

/// An open file, as a client names it (a port right, in the Hurd).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpenId(pub u32);

/// What `open` gives a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    /// The open file.
    pub open: OpenId,
    /// The file's size in bytes.
    pub size: u32,
    /// The client's handle to the server's cache container.
    pub container: Handle,
}

/// The file server's and the ramdisk's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsStats {
    /// The page cache's counters.
    pub cache: CacheStats,
    /// The ramdisk's counters.
    pub disk: DiskStats,
    /// Pages cached now.
    pub cached: u32,
    /// Of them, dirty.
    pub dirty: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Open {
    client: TaskId,
    file: FileId,
    write: bool,
}

/// The file server task.
#[derive(Clone, Debug)]
pub struct FileServer {
    task: TaskId,
    container: Handle,
    fs: DiskFs,
    pager: Pager,
    opens: BTreeMap<OpenId, Open>,
    next_open: u32,
    /// Each client's handle to the cache container.
    shares: BTreeMap<TaskId, Handle>,
}

impl FileServer {
    /// Boot the file server as task `task`, paid by `control`: lay out `files` on `disk`,
    /// create the cache container and share it with the ramdisk.
    ///
    /// # Errors
    /// The layout's refusal (duplicate paths, a file bigger than the disk, a bad path) or
    /// physmem's refusal to create or share the container.
    pub fn boot(
        env: &mut dyn FsEnv,
        task: TaskId,
        control: Handle,
        mut disk: Ramdisk,
        files: &[FileSpec],
        cfg: &FsConfig,
    ) -> Result<FileServer, FsError> {
        let dir = Directory::format(&mut disk, files)?;
        let container = match env.physmem(task, Request::ContainerCreate { control }) {
            Ok(Reply::Handle(h)) => h,
            other => return Err(FsError::NoFrame(format!("container create: {other:?}"))),
        };
        let share = Request::ContainerShare {
            container,
            with: disk.task(),
        };
        let disk_handle = match env.physmem(task, share) {
            Ok(Reply::Handle(h)) => h,
            other => return Err(FsError::NoFrame(format!("share with the disk: {other:?}"))),
        };
        let limit = cfg.guaranteed.saturating_add(cfg.extra);
        Ok(FileServer {
            task,
            container,
            fs: DiskFs {
                dir,
                disk,
                disk_handle,
            },
            pager: Pager::new(task, container, CACHE_WINDOW, limit, cfg.policy),
            opens: BTreeMap::new(),
            next_open: 1,
            shares: BTreeMap::new(),
        })
    }

    /// The server's task.
    pub fn task(&self) -> TaskId {
        self.task
    }

    /// The server's own handle to its cache container.
    pub fn container(&self) -> Handle {
        self.container
    }

    /// The most frames its cache holds (guaranteed plus extra, less after physmem refused).
    pub fn cache_limit(&self) -> u32 {
        self.pager.limit()
    }

    /// The ramdisk it drives.
    pub fn ramdisk(&self) -> &Ramdisk {
        &self.fs.disk
    }

    /// The directory.
    pub fn directory(&self) -> &Directory {
        &self.fs.dir
    }

    /// Counters of the cache and the disk.
    pub fn stats(&self) -> FsStats {
        let cached = self.pager.cached();
        FsStats {
            cache: self.pager.stats(),
            disk: self.fs.disk.stats(),
            cached: cached.len() as u32,
            dirty: cached.iter().filter(|c| c.dirty).count() as u32,
        }
    }

    /// Every cached page with the path of its file.
    pub fn cached(&self) -> Vec<(String, CachedPage)> {
        self.pager
            .cached()
            .into_iter()
            .map(|c| (self.fs.name(c.file).to_string(), c))
            .collect()
    }

    /// The file's contents as they are on the disk now.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn contents(&self, path: &str) -> Result<Vec<u8>, FsError> {
        self.fs.dir.contents(&self.fs.disk, path)
    }
}
