//! The file server: a flat directory of files on the ramdisk, paged with [`Pager`], and the
//! requests client pagers send (open, close, page, sync, size, return frames).
//!
//! At boot it creates its container (paid by its own control capability: its guaranteed
//! frames, plus extra frames up to the configured limit) and gives the ramdisk a share of it,
//! so the disk reads blocks straight into the page cache. Each client gets a share at its
//! first open, through which it maps cached frames (shared mappings) or copies them
//! copy-on-write (private mappings).

use crate::disk::{Directory, FileSpec};
use crate::env::{FsEnv, FsEvent};
use crate::error::FsError;
use crate::libpager::{CachePolicy, CacheStats, CachedPage, Callbacks, FileId, PageGrant, Pager};
use crate::ramdisk::{DiskStats, Ramdisk, BLOCK_SIZE};
use physmem::{Handle, Reply, Request, TaskId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// The file system proper: what libpager's callbacks work on.
#[derive(Clone, Debug)]
struct DiskFs {
    dir: Directory,
    disk: Ramdisk,
    /// The ramdisk's handle to the server's container.
    disk_handle: Handle,
}

impl DiskFs {
    fn block(&self, file: FileId, offset: u32) -> Result<Option<u32>, FsError> {
        let e = self.dir.get(file.0).ok_or(FsError::BadOpen(file.0))?;
        Ok(e.block_of(offset))
    }
}

impl Callbacks for DiskFs {
    fn read_page(
        &mut self,
        env: &mut dyn FsEnv,
        file: FileId,
        offset: u32,
        cache: u32,
    ) -> Result<(), FsError> {
        let block = self.block(file, offset)?.ok_or(FsError::PastEof {
            path: self.name(file).to_string(),
            offset,
            size: self.report_extent(file)?,
        })?;
        self.disk.read(env, block, self.disk_handle, cache)
    }

    fn write_page(
        &mut self,
        env: &mut dyn FsEnv,
        file: FileId,
        offset: u32,
        cache: u32,
    ) -> Result<(), FsError> {
        let Some(block) = self.block(file, offset)? else {
            return Ok(());
        };
        // The last block of a file holds zeroes past its end, whatever a mapping wrote there.
        let size = self.report_extent(file)?;
        self.disk.write(env, block, self.disk_handle, cache)?;
        let valid = size - offset.min(size);
        if valid < BLOCK_SIZE {
            let mut tail = self.disk.block(block)?.to_vec();
            tail[valid as usize..].fill(0);
            self.disk.load(block, &tail)?;
        }
        Ok(())
    }

    fn unlock_page(&mut self, _file: FileId, _offset: u32) -> Result<(), FsError> {
        // Blocks are allocated when a file is made: every page of a file can be written.
        Ok(())
    }

    fn report_extent(&self, file: FileId) -> Result<u32, FsError> {
        Ok(self.dir.get(file.0).ok_or(FsError::BadOpen(file.0))?.size)
    }

    fn name(&self, file: FileId) -> Arc<str> {
        self.dir
            .get(file.0)
            .map_or_else(|| format!("file {}", file.0).into(), |e| e.path.clone())
    }
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

    /// Open `path` for `client` (read-write if `write`), giving it a share of the cache.
    ///
    /// # Errors
    /// `NotFound`, or physmem's refusal to share the container.
    pub fn open(
        &mut self,
        env: &mut dyn FsEnv,
        client: TaskId,
        path: &str,
        write: bool,
    ) -> Result<Opened, FsError> {
        let (index, entry) = self
            .fs
            .dir
            .lookup(path)
            .ok_or_else(|| FsError::NotFound(path.to_string()))?;
        let size = entry.size;
        let container = match self.shares.get(&client) {
            Some(&h) => h,
            None => {
                let share = Request::ContainerShare {
                    container: self.container,
                    with: client,
                };
                let h = match env.physmem(self.task, share) {
                    Ok(Reply::Handle(h)) => h,
                    Err(e) => return Err(FsError::physmem("share the cache", e)),
                    Ok(r) => return Err(FsError::NoFrame(format!("share answered {r:?}"))),
                };
                self.shares.insert(client, h);
                h
            }
        };
        let open = OpenId(self.next_open);
        self.next_open += 1;
        self.opens.insert(
            open,
            Open {
                client,
                file: FileId(index),
                write,
            },
        );
        env.event(FsEvent::Open {
            client,
            path: path.into(),
            write,
        });
        Ok(Opened {
            open,
            size,
            container,
        })
    }

    fn open_of(&self, client: TaskId, open: OpenId) -> Result<Open, FsError> {
        self.opens
            .get(&open)
            .filter(|o| o.client == client)
            .copied()
            .ok_or(FsError::BadOpen(open.0))
    }

    /// Close an open file. Its dirty pages stay cached and reach the disk later: nothing is
    /// lost.
    ///
    /// # Errors
    /// `BadOpen` if `client` holds no such open file.
    pub fn close(&mut self, client: TaskId, open: OpenId) -> Result<(), FsError> {
        self.open_of(client, open)?;
        self.opens.remove(&open);
        Ok(())
    }

    /// A client task ended: forget its opens and its share of the cache (physmem drops the
    /// task's handles itself). Its dirty pages stay cached: nothing is lost.
    pub fn forget(&mut self, client: TaskId) {
        self.opens.retain(|_, o| o.client != client);
        self.shares.remove(&client);
    }

    /// How many files are open, by all clients.
    pub fn opens(&self) -> usize {
        self.opens.len()
    }

    /// The size of an open file.
    ///
    /// # Errors
    /// `BadOpen`.
    pub fn size(&self, client: TaskId, open: OpenId) -> Result<u32, FsError> {
        let o = self.open_of(client, open)?;
        self.fs.report_extent(o.file)
    }

    /// A client pager asks for the page at byte `offset` of an open file (to write if
    /// `write`).
    ///
    /// # Errors
    /// `BadOpen`, `ReadOnly` for a write through a read-only open, `Unaligned`, `PastEof`,
    /// or `NoFrame`.
    pub fn page(
        &mut self,
        env: &mut dyn FsEnv,
        client: TaskId,
        open: OpenId,
        offset: u32,
        write: bool,
    ) -> Result<PageGrant, FsError> {
        let o = self.open_of(client, open)?;
        if write && !o.write {
            return Err(FsError::ReadOnly(self.fs.name(o.file).to_string()));
        }
        env.event(FsEvent::PageRequest {
            client,
            path: self.fs.name(o.file),
            offset,
            write,
        });
        self.pager.request(&mut self.fs, env, o.file, offset, write)
    }

    /// Write the dirty cached pages of an open file in `[start, end)` to the disk (msync).
    /// Returns the pages written.
    ///
    /// # Errors
    /// `BadOpen`, or the disk's refusal.
    pub fn sync(
        &mut self,
        env: &mut dyn FsEnv,
        client: TaskId,
        open: OpenId,
        start: u32,
        end: u32,
    ) -> Result<u32, FsError> {
        let o = self.open_of(client, open)?;
        self.pager.sync(&mut self.fs, env, Some(o.file), start, end)
    }

    /// Write every dirty page to the disk (the end of a run). Returns the pages written.
    ///
    /// # Errors
    /// The disk's refusal.
    pub fn sync_all(&mut self, env: &mut dyn FsEnv) -> Result<u32, FsError> {
        self.pager.sync(&mut self.fs, env, None, 0, u32::MAX)
    }

    /// Write back and drop up to `count` cached pages (a test or the page's "evict" button).
    /// Returns the pages dropped.
    ///
    /// # Errors
    /// The disk's refusal.
    pub fn evict(&mut self, env: &mut dyn FsEnv, count: u32) -> Result<u32, FsError> {
        self.pager
            .return_pages(&mut self.fs, env, None, count, "evicted on request")
    }

    /// physmem asks for `count` frames back: write back and drop that many pages and tell
    /// physmem (`FramesReturned`). Returns the frames given back.
    pub fn return_frames(&mut self, env: &mut dyn FsEnv, count: u32) -> u32 {
        let returned = self
            .pager
            .return_pages(&mut self.fs, env, None, count, "memory pressure")
            .unwrap_or(0);
        // Told physmem nothing it can refuse: the count is only a report.
        let _ = env.physmem(self.task, Request::FramesReturned { count: returned });
        env.event(FsEvent::FramesReturned {
            asked: count,
            returned,
        });
        returned
    }

    /// physmem reclaimed the cache frame at `offset`.
    pub fn frame_lost(&mut self, env: &mut dyn FsEnv, offset: u32) {
        self.pager.frame_lost(&self.fs, env, offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{Harness, CLIENTS, DISK, SERVER};
    use crate::FsError;
    use physmem::{Rights, PAGE_SIZE};

    const A: TaskId = CLIENTS[0];
    const B: TaskId = CLIENTS[1];

    fn boot(limit: u32) -> (Harness, FileServer) {
        let mut h = Harness::new(64);
        let files = [
            FileSpec {
                path: "/data/table".into(),
                size: 3 * PAGE_SIZE,
                content: b"row ".to_vec(),
            },
            FileSpec {
                path: "/small".into(),
                size: 100,
                content: Vec::new(),
            },
        ];
        let disk = Ramdisk::new(DISK, 8).unwrap();
        let cfg = FsConfig {
            guaranteed: limit,
            extra: 0,
            policy: CachePolicy::Lru,
        };
        let control = h.controls[&SERVER];
        let fs = FileServer::boot(&mut h, SERVER, control, disk, &files, &cfg).unwrap();
        (h, fs)
    }

    /// Map the page at `offset` of an open file at `va` for `client`, as its pager would.
    fn map_shared(
        h: &mut Harness,
        fs: &mut FileServer,
        client: TaskId,
        o: Opened,
        offset: u32,
        va: u32,
        write: bool,
    ) {
        let g = fs.page(h, client, o.open, offset, write).unwrap();
        let rights = if g.writable { Rights::RW } else { Rights::R };
        h.map(client, o.container, va, g.cache, rights).unwrap();
    }

    #[test]
    fn a_write_through_a_shared_mapping_is_seen_at_once_and_reaches_the_disk_on_sync() {
        let (mut h, mut fs) = boot(4);
        let oa = fs.open(&mut h, A, "/data/table", true).unwrap();
        let ob = fs.open(&mut h, B, "/data/table", false).unwrap();
        assert_eq!(oa.size, 3 * PAGE_SIZE);
        map_shared(&mut h, &mut fs, A, oa, 0, 0x4000, false);
        map_shared(&mut h, &mut fs, B, ob, 0, 0x8000, false);
        assert_eq!(h.load(B, 0x8001), Some(b'o'));
        // The page came write-locked: the write faults, the pager asks to unlock it.
        assert!(!h.store(A, 0x4001, b'X'));
        map_shared(&mut h, &mut fs, A, oa, 0, 0x4000, true);
        assert!(h.store(A, 0x4001, b'X'));
        assert_eq!(h.load(B, 0x8001), Some(b'X'), "one frame, seen by both");
        assert_eq!(fs.stats().cache.misses, 1);
        assert_eq!(fs.stats().cache.hits, 2);
        assert_eq!(
            fs.contents("/data/table").unwrap()[1],
            b'o',
            "not on the disk yet"
        );
        assert_eq!(fs.sync(&mut h, A, oa.open, 0, u32::MAX), Ok(1));
        assert_eq!(fs.contents("/data/table").unwrap()[1], b'X');
        // Synced, the page is write-locked again: the next write faults once more.
        assert!(!h.store(A, 0x4002, b'Y'));
        assert_eq!(fs.stats().disk.blocks_written, 1);
    }

    #[test]
    fn eviction_writes_back_and_unmaps_everywhere() {
        let (mut h, mut fs) = boot(1);
        let o = fs.open(&mut h, A, "/data/table", true).unwrap();
        map_shared(&mut h, &mut fs, A, o, 0, 0x4000, true);
        assert!(h.store(A, 0x4000, b'Z'));
        // A second page with a cache of one frame evicts the first.
        map_shared(&mut h, &mut fs, A, o, PAGE_SIZE, 0x5000, false);
        assert_eq!(h.load(A, 0x4000), None, "evicted page's mapping is gone");
        assert_eq!(fs.contents("/data/table").unwrap()[0], b'Z');
        assert_eq!(fs.stats().cache.written_back, 1);
        assert_eq!(fs.stats().cache.evicted, 1);
        assert!(h
            .events
            .iter()
            .any(|e| matches!(e, FsEvent::Evict { offset: 0, .. })));
        assert_eq!(h.pm.check_invariants(), Ok(()));
    }

    #[test]
    fn pressure_returns_frames_and_loses_nothing() {
        let (mut h, mut fs) = boot(3);
        let o = fs.open(&mut h, A, "/data/table", true).unwrap();
        for p in 0..3 {
            map_shared(
                &mut h,
                &mut fs,
                A,
                o,
                p * PAGE_SIZE,
                0x4000 + p * PAGE_SIZE,
                true,
            );
            assert!(h.store(A, 0x4000 + p * PAGE_SIZE, b'0' + p as u8));
        }
        assert_eq!(fs.return_frames(&mut h, 2), 2);
        assert_eq!(fs.stats().cached, 1);
        let disk = fs.contents("/data/table").unwrap();
        assert_eq!(
            (disk[0], disk[4096]),
            (b'0', b'1'),
            "the two oldest were written back"
        );
        fs.sync_all(&mut h).unwrap();
        assert_eq!(fs.contents("/data/table").unwrap()[8192], b'2');
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() {
        let (mut h, mut fs) = boot(2);
        assert_eq!(
            fs.open(&mut h, A, "/nope", false),
            Err(FsError::NotFound("/nope".into()))
        );
        let o = fs.open(&mut h, A, "/small", false).unwrap();
        let e = fs.page(&mut h, A, o.open, 0, true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "file \"/small\" was opened read-only: writing to it is not allowed"
        );
        let e = fs.page(&mut h, A, o.open, PAGE_SIZE, false).unwrap_err();
        assert_eq!(e.errno(), crate::EFAULT);
        assert!(
            e.to_string()
                .contains("past the end of file \"/small\" (100 bytes)"),
            "{e}"
        );
        assert_eq!(
            fs.page(&mut h, A, o.open, 12, false),
            Err(FsError::Unaligned(12))
        );
        assert_eq!(
            fs.page(&mut h, B, o.open, 0, false),
            Err(FsError::BadOpen(o.open.0)),
            "not B's"
        );
        assert_eq!(fs.size(A, o.open), Ok(100));
        fs.close(A, o.open).unwrap();
        assert_eq!(fs.close(A, o.open), Err(FsError::BadOpen(o.open.0)));
        assert_eq!(fs.size(A, o.open), Err(FsError::BadOpen(o.open.0)));
        assert_eq!(
            fs.stats().cache.misses,
            0,
            "nothing refused touched the cache"
        );
    }

    #[test]
    fn bytes_written_past_the_end_in_the_last_page_never_reach_the_file() {
        let (mut h, mut fs) = boot(2);
        let o = fs.open(&mut h, A, "/small", true).unwrap();
        map_shared(&mut h, &mut fs, A, o, 0, 0x4000, true);
        assert!(h.store(A, 0x4000 + 99, 7));
        assert!(h.store(A, 0x4000 + 100, 9));
        fs.sync_all(&mut h).unwrap();
        let c = fs.contents("/small").unwrap();
        assert_eq!((c.len(), c[99]), (100, 7));
        assert_eq!(fs.ramdisk().block(3).unwrap()[100], 0);
    }
}
