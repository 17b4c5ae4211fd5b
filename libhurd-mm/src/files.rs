//! The POSIX face of the file store: open, close, file_size, mmap of a file, msync, and the
//! fault path of file pages (thread → its pager → the file server → map).
//!
//! A shared mapping maps the file server's cached frames through the task's share of the
//! server's container: one frame for every task, so a write is seen by all at once. They are
//! the server's frames, not the task's: the task's policy never evicts them; the server may
//! unmap them at any time (eviction, pressure) and the task faults again. Clean pages come
//! write-locked; a write faults here and asks the server to unlock the page, which is how
//! the server learns it is dirty. A private mapping copies the cached page copy-on-write
//! into the task's container at first touch; from then on it is the task's own page (treated
//! as dirty, so eviction keeps it in swap rather than reading the file again).

use crate::env::{Access, PagerEnv, PagerEvent};
use crate::error::MmError;
use crate::pager::{map_page, MemoryManager, Page};
use crate::region::{checked_range, page_of, round_up, Prot, Region};
use crate::store::{Backing, FileMap, OpenFile};
use physmem::{CopyMode, Request, Rights, PAGE_SIZE};

/// Which file and offset a page maps (for the page-table walk).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePageInfo {
    /// The file.
    pub path: String,
    /// Byte offset of the page in the file.
    pub offset: u32,
    /// A shared mapping (else private).
    pub shared: bool,
}

impl MemoryManager {
    /// Open `path` at the file server; returns the descriptor (the lowest free from 3).
    ///
    /// # Errors
    /// `File` with the server's refusal (ENOENT for an unknown path).
    pub fn open_file(
        &mut self,
        env: &mut dyn PagerEnv,
        path: &str,
        write: bool,
    ) -> Result<u32, MmError> {
        self.flush(env);
        let opened = env.file_open(path, write).map_err(MmError::File)?;
        Ok(self.files.insert(OpenFile {
            path: path.into(),
            opened,
            write,
        }))
    }

    /// Close a descriptor. Mappings made from it stay valid (as in POSIX); the server forgets
    /// the open when the last of them is unmapped. Nothing is lost: dirty pages stay cached.
    ///
    /// # Errors
    /// `BadFd` (EBADF).
    pub fn close_file(&mut self, env: &mut dyn PagerEnv, fd: u32) -> Result<(), MmError> {
        let open = self.files.get(fd).ok_or(MmError::BadFd(fd))?.opened.open;
        let in_use = self.uses_open(open);
        self.files.remove(fd, in_use);
        if !in_use {
            env.file_close(open);
        }
        Ok(())
    }

    /// The size of an open file in bytes.
    ///
    /// # Errors
    /// `BadFd` (EBADF).
    pub fn file_size(&self, fd: u32) -> Result<u32, MmError> {
        Ok(self.files.get(fd).ok_or(MmError::BadFd(fd))?.opened.size)
    }

    /// The open files, by descriptor: (fd, path, size, read-write).
    pub fn open_files(&self) -> Vec<(u32, String, u32, bool)> {
        self.files
            .iter()
            .map(|(fd, f)| (fd, f.path.to_string(), f.opened.size, f.write))
            .collect()
    }

    /// Which file and offset the page at `addr` maps, if it is in a file region.
    pub fn file_page(&self, addr: u32) -> Option<FilePageInfo> {
        let r = self.space.find(addr)?;
        match &r.backing {
            Backing::File(m) => Some(FilePageInfo {
                path: m.path.to_string(),
                offset: m.offset + (page_of(addr) - r.start),
                shared: m.shared,
            }),
            _ => None,
        }
    }

    fn uses_open(&self, open: u32) -> bool {
        self.space
            .iter()
            .any(|r| matches!(&r.backing, Backing::File(m) if m.open == open))
    }

    /// Map `len` bytes of file `fd` from byte `offset` (page aligned), shared or private,
    /// placed as `mmap` places anonymous memory. Pages come from the file server at first
    /// touch; a page wholly past the end of the file faults with a SIGBUS reason.
    ///
    /// # Errors
    /// `BadFd` (EBADF); `UnalignedFileOffset`, `EmptyLength`, `Overflow`, `Unaligned` (EINVAL);
    /// `ReadOnlyFile` (EACCES) for a shared writable mapping of a read-only open; `Overlap`
    /// (EEXIST); `NoSpace` (ENOMEM).
    #[allow(clippy::too_many_arguments)]
    pub fn mmap_file(
        &mut self,
        env: &mut dyn PagerEnv,
        addr: Option<u32>,
        len: u32,
        prot: Prot,
        shared: bool,
        fd: u32,
        offset: u32,
    ) -> Result<u32, MmError> {
        self.flush(env);
        let f = self.files.get(fd).ok_or(MmError::BadFd(fd))?;
        if offset % PAGE_SIZE != 0 {
            return Err(MmError::UnalignedFileOffset(offset));
        }
        if shared && prot.contains(Prot::W) && !f.write {
            return Err(MmError::ReadOnlyFile(f.path.to_string()));
        }
        if len == 0 {
            return Err(MmError::EmptyLength);
        }
        let size = round_up(len).ok_or(MmError::Overflow { start: 0, len })?;
        offset
            .checked_add(size)
            .ok_or(MmError::Overflow { start: offset, len })?;
        let start = self.place(addr, len, size)?;
        let how = if shared { "shared" } else { "private" };
        let name = format!("{} ({how})", f.path);
        let backing = Backing::File(FileMap {
            path: f.path.clone(),
            open: f.opened.open,
            container: f.opened.container,
            offset,
            shared,
        });
        self.space.insert(Region {
            start,
            end: start + size,
            prot,
            name: name.clone(),
            backing,
            priority: 0,
            read_once: false,
        })?;
        env.event(PagerEvent::RegionMapped {
            start,
            end: start + size,
            name,
        });
        Ok(start)
    }

    /// Write the dirty pages of the shared file mappings in `[addr, addr+len)` to the disk.
    /// Private and anonymous memory has nothing to write.
    ///
    /// # Errors
    /// `Unaligned`, `EmptyLength`, `Overflow` (EINVAL); `NotMapped` (ENOMEM) if part of the
    /// range is in no region; `File` if the server refused.
    pub fn msync(&mut self, env: &mut dyn PagerEnv, addr: u32, len: u32) -> Result<(), MmError> {
        self.flush(env);
        let end = checked_range(addr, len)?;
        if let Some(hole) = self.space.first_hole(addr, end) {
            return Err(MmError::NotMapped(hole));
        }
        let syncs: Vec<(u32, u32, u32)> = self
            .space
            .iter()
            .filter(|r| r.start < end && addr < r.end)
            .filter_map(|r| match &r.backing {
                Backing::File(m) if m.shared => {
                    let (s, e) = (r.start.max(addr), r.end.min(end));
                    Some((m.open, m.offset + (s - r.start), m.offset + (e - r.start)))
                }
                _ => None,
            })
            .collect();
        for (open, s, e) in syncs {
            env.file_sync(open, s, e).map_err(MmError::File)?;
        }
        Ok(())
    }

    /// munmap's part for file regions being removed: unmap their shared pages, and close
    /// at the server the opens the task closed whose last mapping this was.
    pub(crate) fn unmap_files(
        &mut self,
        env: &mut dyn PagerEnv,
        start: u32,
        end: u32,
        gone: &[Region],
    ) {
        let pages: Vec<u32> = self
            .files
            .mapped
            .range(start, end)
            .map(|(p, _)| p)
            .collect();
        for p in pages {
            env.unmap(p);
            self.files.mapped.remove(p);
        }
        for r in gone {
            if let Backing::File(m) = &r.backing {
                if !self.uses_open(m.open) && self.files.take_lingering(m.open) {
                    env.file_close(m.open);
                }
            }
        }
    }

    /// Serve a fault (or a prefetch) on a file page; `None` if `page` is not a file page the
    /// file server must provide (not a file region, or a private page the task has already).
    pub(crate) fn file_fault(
        &mut self,
        env: &mut dyn PagerEnv,
        page: u32,
        access: Access,
    ) -> Option<Result<(), String>> {
        let region = self.space.find(page)?;
        let Backing::File(map) = &region.backing else {
            return None;
        };
        if !map.shared && (self.resident.contains(page) || self.swap.contains(page)) {
            return None;
        }
        let map = map.clone();
        let offset = map.offset + (page - region.start);
        let rights = region.prot.rights();
        let write = access == Access::Write;
        Some(if map.shared {
            self.shared_in(env, page, offset, &map, rights, write)
        } else {
            self.private_in(env, page, offset, &map, rights, write)
        })
    }

    fn shared_in(
        &mut self,
        env: &mut dyn PagerEnv,
        page: u32,
        offset: u32,
        map: &FileMap,
        rights: Rights,
        write: bool,
    ) -> Result<(), String> {
        let grant = env
            .file_page(map.open, offset, write)
            .map_err(|e| e.reason)?;
        let rights = if grant.writable {
            rights
        } else {
            rights.without(Rights::W)
        };
        map_page(env, map.container, page, grant.cache, rights)?;
        self.files.mapped.insert(page, ());
        env.event(PagerEvent::FilePage {
            vaddr: page,
            path: map.path.clone(),
            offset,
            cache: grant.cache,
            shared: true,
            writable: rights.contains(Rights::W),
        });
        Ok(())
    }

    fn private_in(
        &mut self,
        env: &mut dyn PagerEnv,
        page: u32,
        offset: u32,
        map: &FileMap,
        rights: Rights,
        write: bool,
    ) -> Result<(), String> {
        // Ask first: a refusal (past the end of the file) must change nothing.
        let grant = env
            .file_page(map.open, offset, false)
            .map_err(|e| e.reason)?;
        let (slot, _) = self.take_slot(env)?;
        let copy = Request::ContainerCopy {
            src: map.container,
            src_start: grant.cache,
            dest: self.container,
            dest_start: slot,
            count: PAGE_SIZE,
            mode: CopyMode::CopyOnWrite,
            all_or_none: true,
        };
        // Mapped without W until written: the write is what makes physmem copy the frame.
        let rights = if write {
            rights
        } else {
            rights.without(Rights::W)
        };
        let done = env
            .physmem(copy)
            .map_err(|e| {
                format!(
                    "physmem refused the copy-on-write copy of {}: {e}",
                    map.path
                )
            })
            .and_then(|_| map_page(env, self.container, page, slot, rights));
        if let Err(e) = done {
            self.spare.insert(slot);
            return Err(e);
        }
        let p = Page {
            offset: slot,
            dirty: true,
            used: true,
            cow: !write,
        };
        self.resident.insert(page, p);
        self.policy.insert(page);
        env.event(PagerEvent::FilePage {
            vaddr: page,
            path: map.path.clone(),
            offset,
            cache: grant.cache,
            shared: false,
            writable: write,
        });
        Ok(())
    }
}
