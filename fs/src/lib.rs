//! fs: the file side of the Hurd's paging story, as Chapter 5 of the 2005 design plans it.
//!
//! * [`Ramdisk`]: a device server holding N blocks of 4 KiB. It does container-based I/O only:
//!   it reads a block into a frame of a container it was given a share of, or writes a block
//!   from one. The data survives in the container, not in the server.
//! * [`libpager`]: the library a file system pages files with, shaped like the Hurd's
//!   libpager. The file system supplies the callbacks ([`Callbacks`]: read a page, write a
//!   page back, unlock a write-locked page, report the extent); the library keeps the page
//!   cache in the server's own container and serves client pagers' requests, syncs, and
//!   returns (writes back and drops) pages.
//! * [`FileServer`]: a flat directory of named files on the ramdisk ([`Directory`]), its
//!   page cache in guaranteed and extra frames, and the requests client pagers send: open,
//!   close, page, sync, size.
//!
//! Like libhurd-mm, this crate knows nothing of x86 and sees the kernel and physmem through
//! one trait, [`FsEnv`], which core implements: physmem requests, bytes of the frames a task
//! holds, and the L4 unmap that takes write access away. Every step is an [`FsEvent`] for the
//! trace.
//!
//! How a client maps a file page: it holds a share of the file server's cache container
//! (given at open). For a **shared** mapping it maps the cached frame itself (every task sees
//! one frame); for a **private** one it copies the page copy-on-write into its own container.
//! A clean page is handed out *write-locked* (mapped without W): the first write faults, the
//! client's pager asks the server to unlock it, and the server learns the page is dirty. A
//! sync writes dirty pages to the disk and takes W away again.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod disk;
mod env;
mod error;
pub mod libpager;
mod ramdisk;
mod server;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testkit;

pub use disk::{check_path, Directory, Entry, FileSpec, MAX_PATH};
pub use env::{labels, FsEnv, FsEvent};
pub use error::{FsError, EACCES, EBADF, EFAULT, EINVAL, ENOENT, ENOMEM, ENOSPC};
pub use libpager::{CachePolicy, CacheStats, CachedPage, Callbacks, FileId, PageGrant, Pager};
pub use ramdisk::{DiskStats, Ramdisk, BLOCK_SIZE};
pub use server::{FileServer, FsConfig, FsStats, OpenId, Opened, CACHE_WINDOW};
