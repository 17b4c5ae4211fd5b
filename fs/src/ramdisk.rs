//! The ramdisk device server: N blocks of 4 KiB in its own memory, read into and written from
//! frames of a container a client shared with it (container-based I/O; the data lives in the
//! client's container, not in the server).

use crate::env::{FsEnv, FsEvent};
use crate::error::FsError;
use physmem::{Handle, TaskId, PAGE_SIZE};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Size of one disk block: one page.
pub const BLOCK_SIZE: u32 = PAGE_SIZE;

/// What the ramdisk did, for the CLI and the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskStats {
    /// Blocks read into frames.
    pub blocks_read: u64,
    /// Blocks written from frames.
    pub blocks_written: u64,
}

/// The ramdisk: its blocks and counters.
///
/// Blocks are shared until written: a new disk is one block of zeroes shared by all, and a
/// clone (each snapshot of the kernel holds one) copies pointers, not bytes; writing a
/// block copies only that block.
#[derive(Clone, Debug)]
pub struct Ramdisk {
    task: TaskId,
    blocks: Vec<Arc<Vec<u8>>>,
    stats: DiskStats,
}

impl Ramdisk {
    /// The most blocks a disk may have (64 MiB: the ramdisk lives in the page's memory too).
    pub const MAX_BLOCKS: u32 = 16384;

    /// A disk of `blocks` zeroed blocks, served by task `task`.
    ///
    /// # Errors
    /// `BadDiskSize` for no blocks or more than [`Ramdisk::MAX_BLOCKS`].
    pub fn new(task: TaskId, blocks: u32) -> Result<Ramdisk, FsError> {
        if blocks == 0 || blocks > Ramdisk::MAX_BLOCKS {
            return Err(FsError::BadDiskSize {
                blocks,
                max: Ramdisk::MAX_BLOCKS,
            });
        }
        let zero = Arc::new(vec![0; BLOCK_SIZE as usize]);
        Ok(Ramdisk {
            task,
            blocks: vec![zero; blocks as usize],
            stats: DiskStats::default(),
        })
    }

    /// The task serving the disk.
    pub fn task(&self) -> TaskId {
        self.task
    }

    /// Number of blocks.
    pub fn blocks(&self) -> u32 {
        self.blocks.len() as u32
    }

    /// Counters.
    pub fn stats(&self) -> DiskStats {
        self.stats
    }

    /// The bytes of `block`.
    ///
    /// # Errors
    /// `NoSuchBlock` past the end of the disk.
    pub fn block(&self, block: u32) -> Result<&[u8], FsError> {
        self.check(block)?;
        Ok(&self.blocks[block as usize])
    }

    /// Write `data` (at most a block) to the start of `block` at boot, without I/O.
    ///
    /// # Errors
    /// `NoSuchBlock` past the end of the disk.
    pub fn load(&mut self, block: u32, data: &[u8]) -> Result<(), FsError> {
        let n = data.len().min(BLOCK_SIZE as usize);
        self.block_mut(block)?[..n].copy_from_slice(&data[..n]);
        Ok(())
    }

    fn check(&self, block: u32) -> Result<(), FsError> {
        if block >= self.blocks() {
            return Err(FsError::NoSuchBlock {
                block,
                blocks: self.blocks(),
            });
        }
        Ok(())
    }

    /// The bytes of `block`, made this disk's own copy first if they are shared.
    fn block_mut(&mut self, block: u32) -> Result<&mut [u8], FsError> {
        self.check(block)?;
        Ok(Arc::make_mut(&mut self.blocks[block as usize]).as_mut_slice())
    }

    /// Read `block` into the frame at `offset` of `container` (the ramdisk's handle to a
    /// client's container).
    ///
    /// # Errors
    /// `NoSuchBlock` past the end of the disk.
    pub fn read(
        &mut self,
        env: &mut dyn FsEnv,
        block: u32,
        container: Handle,
        offset: u32,
    ) -> Result<(), FsError> {
        self.check(block)?;
        env.write_frame(self.task, container, offset, &self.blocks[block as usize]);
        self.stats.blocks_read += 1;
        env.event(FsEvent::DiskRead {
            block,
            cache: offset,
        });
        Ok(())
    }

    /// Write `block` from the frame at `offset` of `container`.
    ///
    /// # Errors
    /// `NoSuchBlock` past the end of the disk.
    pub fn write(
        &mut self,
        env: &mut dyn FsEnv,
        block: u32,
        container: Handle,
        offset: u32,
    ) -> Result<(), FsError> {
        let task = self.task;
        env.read_frame(task, container, offset, self.block_mut(block)?);
        self.stats.blocks_written += 1;
        env.event(FsEvent::DiskWrite {
            block,
            cache: offset,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::Harness;

    #[test]
    fn a_block_goes_through_a_shared_container_and_back() {
        let mut h = Harness::new(16);
        let (c, disk_c) = h.container_shared_with_disk(4);
        let mut disk = Ramdisk::new(h.disk, 4).unwrap();
        disk.load(2, b"hello").unwrap();
        h.bind(c, 0);
        disk.read(&mut h, 2, disk_c, 0).unwrap();
        assert_eq!(&h.frame(c, 0)[..5], b"hello");
        h.poke(c, 0, 1, b'J');
        disk.write(&mut h, 3, disk_c, 0).unwrap();
        assert_eq!(&disk.block(3).unwrap()[..5], b"hJllo");
        assert_eq!(
            disk.stats(),
            DiskStats {
                blocks_read: 1,
                blocks_written: 1
            }
        );
        assert_eq!(
            disk.read(&mut h, 4, disk_c, 0),
            Err(FsError::NoSuchBlock {
                block: 4,
                blocks: 4
            })
        );
        assert!(Ramdisk::new(h.disk, 0).is_err());
    }

    #[test]
    fn a_clone_shares_blocks_until_one_side_writes() {
        let mut a = Ramdisk::new(TaskId(2), 3).unwrap();
        a.load(1, b"one").unwrap();
        let snapshot = a.clone();
        a.load(1, b"two").unwrap();
        a.load(2, b"new").unwrap();
        assert_eq!(&snapshot.block(1).unwrap()[..3], b"one");
        assert_eq!(&snapshot.block(2).unwrap()[..3], [0, 0, 0]);
        assert_eq!(&a.block(1).unwrap()[..3], b"two");
        assert!(
            Arc::ptr_eq(&a.blocks[0], &snapshot.blocks[0]),
            "untouched blocks stay shared"
        );
    }
}
