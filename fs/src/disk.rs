//! The file system's layout on the disk: a flat directory of named files, each in a run of
//! consecutive blocks, made once at boot from the scenario's files. Files keep their size.

use crate::error::FsError;
use crate::ramdisk::{Ramdisk, BLOCK_SIZE};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The longest path a directory entry holds, in bytes.
pub const MAX_PATH: usize = 64;

/// A file to put on the disk at boot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSpec {
    /// Its path (at most [`MAX_PATH`] bytes).
    pub path: String,
    /// Its size in bytes.
    pub size: u32,
    /// Repeated to fill the size; empty means zeroes.
    pub content: Vec<u8>,
}

/// One file of the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its path (shared by every event that names the file, not copied for each).
    pub path: Arc<str>,
    /// Its first block.
    pub first_block: u32,
    /// Its size in bytes.
    pub size: u32,
}

impl Entry {
    /// The block holding byte `offset` of the file, if the offset is inside it.
    pub fn block_of(&self, offset: u32) -> Option<u32> {
        (offset < self.size).then(|| self.first_block + offset / BLOCK_SIZE)
    }
}

/// The flat directory: files in the order the scenario gave them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    entries: Vec<Entry>,
}

impl Directory {
    /// Lay `files` out on a disk of `blocks` blocks (in order, each in consecutive blocks)
    /// without writing anything: what [`Directory::format`] will do, or why it cannot.
    ///
    /// # Errors
    /// `BadPath`, `PathTooLong`, `DuplicatePath`, or `DiskFull` naming the file that did not fit.
    pub fn plan(blocks: u32, files: &[FileSpec]) -> Result<Directory, FsError> {
        let mut dir = Directory::default();
        let mut next = 0u32;
        for f in files {
            check_path(&f.path)?;
            if dir.lookup(&f.path).is_some() {
                return Err(FsError::DuplicatePath(f.path.clone()));
            }
            let needed = f.size.div_ceil(BLOCK_SIZE);
            let free = blocks - next;
            if needed > free {
                return Err(FsError::DiskFull {
                    path: f.path.clone(),
                    needed,
                    free,
                    blocks,
                });
            }
            dir.entries.push(Entry {
                path: f.path.as_str().into(),
                first_block: next,
                size: f.size,
            });
            next += needed;
        }
        Ok(dir)
    }

    /// Lay `files` out on `disk` and write their contents.
    ///
    /// # Errors
    /// As [`Directory::plan`].
    pub fn format(disk: &mut Ramdisk, files: &[FileSpec]) -> Result<Directory, FsError> {
        let dir = Directory::plan(disk.blocks(), files)?;
        for (e, f) in dir.entries.iter().zip(files) {
            for b in 0..f.size.div_ceil(BLOCK_SIZE) {
                disk.load(e.first_block + b, &fill(&f.content, b * BLOCK_SIZE, f.size))?;
            }
        }
        Ok(dir)
    }

    /// The index and entry of the file with this path.
    pub fn lookup(&self, path: &str) -> Option<(u32, &Entry)> {
        self.entries
            .iter()
            .enumerate()
            .find(|(_, e)| *e.path == *path)
            .map(|(i, e)| (i as u32, e))
    }

    /// The entry at `index`.
    pub fn get(&self, index: u32) -> Option<&Entry> {
        self.entries.get(index as usize)
    }

    /// Every file, in directory order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The file's contents as they are on `disk`.
    pub fn contents(&self, disk: &Ramdisk, path: &str) -> Result<Vec<u8>, FsError> {
        let (_, e) = self
            .lookup(path)
            .ok_or_else(|| FsError::NotFound(path.to_string()))?;
        let mut out = Vec::with_capacity(e.size as usize);
        for b in 0..e.size.div_ceil(BLOCK_SIZE) {
            out.extend_from_slice(disk.block(e.first_block + b)?);
        }
        out.truncate(e.size as usize);
        Ok(out)
    }
}

/// Check a path for a directory entry.
///
/// # Errors
/// `BadPath` when empty, `PathTooLong` past [`MAX_PATH`] bytes.
pub fn check_path(path: &str) -> Result<(), FsError> {
    if path.is_empty() {
        return Err(FsError::BadPath);
    }
    if path.len() > MAX_PATH {
        return Err(FsError::PathTooLong {
            path: path.to_string(),
            len: path.len(),
            max: MAX_PATH,
        });
    }
    Ok(())
}

/// One block of a file whose bytes are `pattern` repeated (zeroes if empty), starting at
/// byte `start`; bytes at or past `size` are zero.
fn fill(pattern: &[u8], start: u32, size: u32) -> Vec<u8> {
    let end = size.min(start + BLOCK_SIZE);
    if pattern.is_empty() {
        return Vec::new();
    }
    (start..end)
        .map(|i| pattern[i as usize % pattern.len()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use physmem::TaskId;

    fn spec(path: &str, size: u32, content: &[u8]) -> FileSpec {
        FileSpec {
            path: path.into(),
            size,
            content: content.to_vec(),
        }
    }

    #[test]
    fn files_are_laid_out_in_order_and_read_back() {
        let mut disk = Ramdisk::new(TaskId(9), 8).unwrap();
        let files = [spec("/a", 5000, b"row "), spec("/b", 10, b"")];
        let dir = Directory::format(&mut disk, &files).unwrap();
        let a = dir.contents(&disk, "/a").unwrap();
        assert_eq!(a.len(), 5000);
        assert_eq!(&a[..8], b"row row ");
        assert_eq!(&a[4096..4100], b"row ");
        assert_eq!(dir.lookup("/b").unwrap().1.first_block, 2);
        assert_eq!(dir.contents(&disk, "/b").unwrap(), vec![0; 10]);
        assert_eq!(dir.lookup("/a").unwrap().1.block_of(4096), Some(1));
        assert_eq!(dir.lookup("/a").unwrap().1.block_of(5000), None);
    }

    #[test]
    fn bad_layouts_are_refused_with_a_reason() {
        let mut disk = Ramdisk::new(TaskId(9), 2).unwrap();
        let dup = [spec("/a", 1, b""), spec("/a", 1, b"")];
        assert_eq!(
            Directory::format(&mut disk, &dup),
            Err(FsError::DuplicatePath("/a".into()))
        );
        let big = [spec("/big", 3 * 4096, b"")];
        let e = Directory::format(&mut disk, &big).unwrap_err();
        assert_eq!(
            e.to_string(),
            "file \"/big\" needs 3 blocks of 4 KiB but only 2 of the disk's 2 are free"
        );
        let long = [spec(&"x".repeat(65), 1, b"")];
        assert!(matches!(
            Directory::format(&mut disk, &long),
            Err(FsError::PathTooLong { len: 65, .. })
        ));
        assert_eq!(
            Directory::format(&mut disk, &[spec("", 1, b"")]),
            Err(FsError::BadPath)
        );
    }
}
