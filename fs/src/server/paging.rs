//! A client pager's page requests, write-back (sync), and giving cache frames back: on
//! request, under memory pressure, or when physmem reclaimed one.

use super::{FileServer, OpenId};
use crate::env::{FsEnv, FsEvent};
use crate::error::FsError;
use crate::libpager::{Callbacks, PageGrant};
use physmem::{Request, TaskId};

impl FileServer {
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
