//! A libpager-style library: the file system supplies [`Callbacks`] (read a page, write a page
//! back, unlock a page for writing, report a file's extent), and the [`Pager`] keeps the page
//! cache in the server's container and serves client pagers.
//!
//! As in the Hurd's libpager, the library decides when pages come in and go out; the file
//! system only moves bytes between its disk and the frames the library names. A clean page
//! is handed out **write-locked** (clients map it without W). A client's first write faults
//! to its pager, which asks again with `write`; the library calls `unlock_page` and marks the
//! page dirty. [`Pager::sync`] writes dirty pages back and write-locks them again (every
//! mapping loses W); [`Pager::return_pages`] writes back and drops them (their frames go back
//! to physmem, which unmaps them everywhere; clients fault and ask again).

use crate::env::{FsEnv, FsEvent};
use crate::error::FsError;
use physmem::{Handle, Reply, Request, Rights, TaskId, PAGE_SIZE};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A file (a memory object, in libpager's words), as the file system numbers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FileId(pub u32);

/// What the file system supplies: the callbacks of the Hurd's libpager.
pub trait Callbacks {
    /// `pager_read_page`: fill the cache frame at `cache` with the page at byte `offset` of
    /// `file` (bytes past the end of the file read as zero).
    ///
    /// # Errors
    /// The disk's refusal.
    fn read_page(
        &mut self,
        env: &mut dyn FsEnv,
        file: FileId,
        offset: u32,
        cache: u32,
    ) -> Result<(), FsError>;
    /// `pager_write_page`: write the cache frame at `cache` back as the page at `offset`.
    ///
    /// # Errors
    /// The disk's refusal.
    fn write_page(
        &mut self,
        env: &mut dyn FsEnv,
        file: FileId,
        offset: u32,
        cache: u32,
    ) -> Result<(), FsError>;
    /// `pager_unlock_page`: the page at `offset` is about to be written; refuse if it cannot be.
    ///
    /// # Errors
    /// Why the page cannot be written.
    fn unlock_page(&mut self, file: FileId, offset: u32) -> Result<(), FsError>;
    /// `pager_report_extent`: the file's size in bytes.
    ///
    /// # Errors
    /// `NotFound` for a file the file system does not have.
    fn report_extent(&self, file: FileId) -> Result<u32, FsError>;
    /// The file's name, for the trace.
    fn name(&self, file: FileId) -> Arc<str>;
}

/// Which cached page gives up its frame when the cache is full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CachePolicy {
    /// The page least recently asked for by any client.
    #[default]
    Lru,
    /// The page cached longest ago.
    Fifo,
}

impl CachePolicy {
    /// The policy named `name` ("lru" or "fifo").
    pub fn from_name(name: &str) -> Option<CachePolicy> {
        match name {
            "lru" => Some(CachePolicy::Lru),
            "fifo" => Some(CachePolicy::Fifo),
            _ => None,
        }
    }
}

/// The cache's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheStats {
    /// Requests served from the cache.
    pub hits: u64,
    /// Requests that read the page from the disk.
    pub misses: u64,
    /// Dirty pages written back.
    pub written_back: u64,
    /// Pages dropped from the cache.
    pub evicted: u64,
    /// Write-locked pages unlocked for a write.
    pub unlocks: u64,
}

/// What a client pager gets for a page: where it is in the server's container, and whether
/// it may be mapped writable (it is dirty) or must stay write-locked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageGrant {
    /// Offset of the page's frame in the server's container.
    pub cache: u32,
    /// Whether mappings of it may have W.
    pub writable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cached {
    cache: u32,
    dirty: bool,
    /// Clock of the last request (LRU).
    used: u64,
    /// Clock when it came in (FIFO).
    loaded: u64,
}

/// One cached page, for the UI and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedPage {
    /// The file.
    pub file: FileId,
    /// Byte offset in the file.
    pub offset: u32,
    /// Offset of its frame in the server's container.
    pub cache: u32,
    /// Written since it was last on the disk.
    pub dirty: bool,
}

/// The library's state: the page cache of one file server.
#[derive(Clone, Debug)]
pub struct Pager {
    task: TaskId,
    container: Handle,
    window: u32,
    limit: u32,
    policy: CachePolicy,
    pages: BTreeMap<(FileId, u32), Cached>,
    by_cache: BTreeMap<u32, (FileId, u32)>,
    clock: u64,
    stats: CacheStats,
}

impl Pager {
    /// `pager_create`: a cache for server `task` in its `container`, holding at most `limit`
    /// frames, mapped in the server's own space from address `window` on.
    pub fn new(
        task: TaskId,
        container: Handle,
        window: u32,
        limit: u32,
        policy: CachePolicy,
    ) -> Pager {
        Pager {
            task,
            container,
            window,
            limit: limit.max(1),
            policy,
            pages: BTreeMap::new(),
            by_cache: BTreeMap::new(),
            clock: 0,
            stats: CacheStats::default(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// The most frames the cache holds.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Every cached page, by file and offset.
    pub fn cached(&self) -> Vec<CachedPage> {
        self.pages
            .iter()
            .map(|(&(file, offset), c)| CachedPage {
                file,
                offset,
                cache: c.cache,
                dirty: c.dirty,
            })
            .collect()
    }

    /// Serve a client pager's request for the page at byte `offset` of `file`.
    ///
    /// # Errors
    /// `Unaligned`, `PastEof` (no page of the file there), the file system's refusal to
    /// unlock or read, or `NoFrame` when no frame can be had even after evicting.
    pub fn request(
        &mut self,
        cb: &mut dyn Callbacks,
        env: &mut dyn FsEnv,
        file: FileId,
        offset: u32,
        write: bool,
    ) -> Result<PageGrant, FsError> {
        if offset % PAGE_SIZE != 0 {
            return Err(FsError::Unaligned(offset));
        }
        let size = cb.report_extent(file)?;
        if offset >= size {
            return Err(FsError::PastEof {
                path: cb.name(file).to_string(),
                offset,
                size,
            });
        }
        self.clock += 1;
        let key = (file, offset);
        // One lookup of the page serves the hit, the unlock and the grant (the cache can
        // hold thousands of pages: each lookup is a walk of the tree).
        let c = if let Some(c) = self.pages.get_mut(&key) {
            c.used = self.clock;
            self.stats.hits += 1;
            env.event(FsEvent::CacheHit {
                path: cb.name(file),
                offset,
                cache: c.cache,
            });
            c
        } else {
            let cache = self.frame(cb, env)?;
            self.stats.misses += 1;
            env.event(FsEvent::CacheMiss {
                path: cb.name(file),
                offset,
                cache,
            });
            if let Err(e) = cb.read_page(env, file, offset, cache) {
                self.deallocate(env, cache);
                return Err(e);
            }
            self.by_cache.insert(cache, key);
            self.pages.entry(key).or_insert(Cached {
                cache,
                dirty: false,
                used: self.clock,
                loaded: self.clock,
            })
        };
        if write && !c.dirty {
            cb.unlock_page(file, offset)?;
            c.dirty = true;
            self.stats.unlocks += 1;
            env.event(FsEvent::Unlock {
                path: cb.name(file),
                offset,
            });
        }
        Ok(PageGrant {
            cache: c.cache,
            writable: c.dirty,
        })
    }

    /// A frame for a new cache page: a new offset while under the limit, else a victim's.
    fn frame(&mut self, cb: &mut dyn Callbacks, env: &mut dyn FsEnv) -> Result<u32, FsError> {
        loop {
            if (self.pages.len() as u32) < self.limit {
                match self.allocate(env) {
                    Ok(cache) => return Ok(cache),
                    Err(e) if self.pages.is_empty() => return Err(e),
                    // physmem has no frame for us now: page within what we hold.
                    Err(_) => self.limit = self.pages.len() as u32,
                }
            }
            let reason = match self.policy {
                CachePolicy::Lru => "the cache is full; least recently asked for",
                CachePolicy::Fifo => "the cache is full; cached longest ago",
            };
            if self.return_pages(cb, env, None, 1, reason)? == 0 {
                return Err(FsError::NoFrame("the cache holds no page to evict".into()));
            }
        }
    }

    /// Allocate and bind (by mapping it in the server's window) the lowest free cache offset.
    fn allocate(&mut self, env: &mut dyn FsEnv) -> Result<u32, FsError> {
        let cache = self.lowest_free();
        let alloc = Request::ContainerAllocate {
            container: self.container,
            start: cache,
            size: PAGE_SIZE,
        };
        env.physmem(self.task, alloc)
            .map_err(|e| FsError::physmem("allocate a cache page", e))?;
        let map = Request::ContainerMap {
            container: self.container,
            rights: Rights::RW,
            vaddr: self.window + cache,
            index: cache,
            size: PAGE_SIZE,
        };
        match env.physmem(self.task, map) {
            Ok(Reply::Mapped { .. }) => Ok(cache),
            other => {
                self.deallocate(env, cache);
                Err(match other {
                    Err(e) => FsError::physmem("bind a cache page", e),
                    Ok(r) => FsError::NoFrame(format!("physmem answered a map with {r:?}")),
                })
            }
        }
    }

    /// The lowest cache offset no page holds. Offsets are distinct multiples of the page
    /// size, so when the highest is that of the last page the offsets are exactly
    /// `0..len` (found in one step: a cache filling up asks at every miss); else the first
    /// gap, in one walk of the sorted offsets (it was a tree lookup for each offset).
    fn lowest_free(&self) -> u32 {
        let count = self.by_cache.len() as u32;
        let dense = count.checked_sub(1).map(|last| last * PAGE_SIZE);
        if self.by_cache.last_key_value().map(|(&k, _)| k) == dense {
            return count * PAGE_SIZE;
        }
        self.by_cache
            .keys()
            .zip((0u32..).map(|i| i * PAGE_SIZE))
            .find(|(&used, offset)| used != *offset)
            .map_or(count * PAGE_SIZE, |(_, offset)| offset)
    }

    fn deallocate(&mut self, env: &mut dyn FsEnv, cache: u32) {
        let req = Request::ContainerDeallocate {
            container: self.container,
            start: cache,
            size: PAGE_SIZE,
        };
        // The offset was allocated by this pager; a refusal would be a bookkeeping bug.
        if let Err(e) = env.physmem(self.task, req) {
            panic!("Pager::deallocate: physmem refused offset {cache:#x}: {e}");
        }
    }

    /// `pager_sync`: write back the dirty pages of `file` (all files for `None`) whose offsets
    /// are in `[start, end)`, keep them cached, write-locked again. Returns the pages written.
    ///
    /// # Errors
    /// The file system's refusal to write a page (that page stays dirty).
    pub fn sync(
        &mut self,
        cb: &mut dyn Callbacks,
        env: &mut dyn FsEnv,
        file: Option<FileId>,
        start: u32,
        end: u32,
    ) -> Result<u32, FsError> {
        let dirty: Vec<(FileId, u32)> = self
            .pages
            .iter()
            .filter(|(&(f, o), c)| c.dirty && file.is_none_or(|x| x == f) && start <= o && o < end)
            .map(|(&k, _)| k)
            .collect();
        for &(f, o) in &dirty {
            self.write_back(cb, env, f, o)?;
        }
        Ok(dirty.len() as u32)
    }

    /// Write one dirty page back and write-lock it: every mapping of its frame loses W first,
    /// so a write after this point faults and dirties the page again.
    fn write_back(
        &mut self,
        cb: &mut dyn Callbacks,
        env: &mut dyn FsEnv,
        file: FileId,
        offset: u32,
    ) -> Result<(), FsError> {
        let Some(c) = self.pages.get_mut(&(file, offset)) else {
            return Ok(());
        };
        env.revoke_write(self.task, self.container, c.cache);
        cb.write_page(env, file, offset, c.cache)?;
        c.dirty = false;
        self.stats.written_back += 1;
        env.event(FsEvent::WriteBack {
            path: cb.name(file),
            offset,
        });
        Ok(())
    }

    /// `pager_return`: write back and drop up to `count` pages of `file` (any file for
    /// `None`), in the policy's order; their frames go back to physmem. Returns pages dropped.
    ///
    /// # Errors
    /// The file system's refusal to write a dirty page (it stays cached).
    pub fn return_pages(
        &mut self,
        cb: &mut dyn Callbacks,
        env: &mut dyn FsEnv,
        file: Option<FileId>,
        count: u32,
        reason: &str,
    ) -> Result<u32, FsError> {
        let mut order: Vec<(u64, (FileId, u32))> = self
            .pages
            .iter()
            .filter(|(&(f, _), _)| file.is_none_or(|x| x == f))
            .map(|(&k, c)| match self.policy {
                CachePolicy::Lru => (c.used, k),
                CachePolicy::Fifo => (c.loaded, k),
            })
            .collect();
        order.sort_unstable();
        let mut dropped = 0;
        for (_, (f, o)) in order.into_iter().take(count as usize) {
            self.write_back_if_dirty(cb, env, f, o)?;
            if let Some(c) = self.pages.remove(&(f, o)) {
                self.by_cache.remove(&c.cache);
                self.deallocate(env, c.cache);
                self.stats.evicted += 1;
                dropped += 1;
                env.event(FsEvent::Evict {
                    path: cb.name(f),
                    offset: o,
                    reason: reason.to_string(),
                });
            }
        }
        Ok(dropped)
    }

    fn write_back_if_dirty(
        &mut self,
        cb: &mut dyn Callbacks,
        env: &mut dyn FsEnv,
        file: FileId,
        offset: u32,
    ) -> Result<(), FsError> {
        if self.pages.get(&(file, offset)).is_some_and(|c| c.dirty) {
            self.write_back(cb, env, file, offset)?;
        }
        Ok(())
    }

    /// physmem took the frame at `cache` (an extra frame not returned in time): forget the
    /// page; if it was dirty, its last writes are lost (recorded as `Lost`).
    pub fn frame_lost(&mut self, cb: &dyn Callbacks, env: &mut dyn FsEnv, cache: u32) {
        if let Some(key) = self.by_cache.remove(&cache) {
            if let Some(c) = self.pages.remove(&key) {
                if c.dirty {
                    env.event(FsEvent::Lost {
                        path: cb.name(key.0),
                        offset: key.1,
                    });
                }
            }
        }
    }
}
