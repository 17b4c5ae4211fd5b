//! The file system proper ([`DiskFs`]): the directory and the ramdisk, and libpager's
//! callbacks that read, write and size a file's pages.

use crate::disk::{Directory, Entry};
use crate::env::FsEnv;
use crate::error::FsError;
use crate::libpager::{Callbacks, FileId};
use crate::ramdisk::{Ramdisk, BLOCK_SIZE};
use physmem::Handle;
use std::sync::Arc;

/// The file system proper: what libpager's callbacks work on.
#[derive(Clone, Debug)]
pub(super) struct DiskFs {
    pub(super) dir: Directory,
    pub(super) disk: Ramdisk,
    /// The ramdisk's handle to the server's container.
    pub(super) disk_handle: Handle,
}

impl DiskFs {
    /// The directory entry of `file`; `BadOpen` if the directory has none.
    fn entry(&self, file: FileId) -> Result<&Entry, FsError> {
        self.dir.get(file.0).ok_or(FsError::BadOpen(file.0))
    }

    fn block(&self, file: FileId, offset: u32) -> Result<Option<u32>, FsError> {
        Ok(self.entry(file)?.block_of(offset))
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
        Ok(self.entry(file)?.size)
    }

    fn name(&self, file: FileId) -> Arc<str> {
        self.dir
            .get(file.0)
            .map_or_else(|| format!("file {}", file.0).into(), |e| e.path.clone())
    }
}
