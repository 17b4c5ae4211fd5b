//! What the pager sees of the world: the [`PagerEnv`] core implements, the fault message, the
//! referenced/dirty bits, and the events the pager records for the trace.

use crate::store::{FileError, FileGrant, FileOpened};
use physmem::{Handle, PhysmemError, Reply, Request};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The referenced and dirty bits L4 returns when a page is unmapped or its status flushed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RefBits {
    /// The page was accessed since the bits were last read.
    pub referenced: bool,
    /// The page was written since the bits were last read.
    pub dirty: bool,
}

/// The kind of access that faulted, from the L4 fault label `0xFFE0 | rwx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Access {
    /// A load.
    Read,
    /// A store.
    Write,
    /// An instruction fetch.
    Execute,
}

impl Access {
    /// Decode the rwx bits of an L4 fault label (w wins over r, r over x).
    pub fn from_label(label: u32) -> Access {
        if label & 2 != 0 {
            Access::Write
        } else if label & 4 != 0 {
            Access::Read
        } else {
            Access::Execute
        }
    }
}

/// A page fault as the pager thread receives it (MR1 = address, MR2 = instruction pointer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FaultMsg {
    /// The faulting address.
    pub addr: u32,
    /// What the thread tried to do.
    pub access: Access,
    /// The faulting instruction's address.
    pub ip: u32,
}

/// A fault the pager cannot resolve: the task gets a segmentation fault. Displays as its reason.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[error("{reason}")]
pub struct Segv {
    /// The faulting address.
    pub addr: u32,
    /// Why, in words a student understands.
    pub reason: String,
}

/// Everything the pager does that a trace should show. core stamps each with step and cost.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PagerEvent {
    /// A region was added to the address space (mmap or program image).
    RegionMapped {
        /// First address.
        start: u32,
        /// End (exclusive).
        end: u32,
        /// Its name ("text", "anonymous", ...).
        name: String,
    },
    /// A range was removed from the address space (munmap).
    RegionUnmapped {
        /// First address.
        start: u32,
        /// End (exclusive).
        end: u32,
    },
    /// A never-touched page got a zeroed frame.
    ZeroFill {
        /// The page.
        vaddr: u32,
        /// Its container offset.
        offset: u32,
    },
    /// A program page was copied from the image.
    ImageFill {
        /// The page.
        vaddr: u32,
        /// Its container offset.
        offset: u32,
    },
    /// A paged-out page was copied back from swap.
    PageIn {
        /// The page.
        vaddr: u32,
        /// Its container offset.
        offset: u32,
        /// The swap slot it came from (now free).
        slot: u32,
    },
    /// A dirty page was written to swap before its frame was reused.
    PageOut {
        /// The page.
        vaddr: u32,
        /// The container offset it left.
        offset: u32,
        /// The swap slot it went to.
        slot: u32,
    },
    /// A resident page was mapped again (its mapping had been revoked, e.g. by physmem).
    Remap {
        /// The page.
        vaddr: u32,
        /// Its container offset.
        offset: u32,
    },
    /// The policy chose a victim.
    Evict {
        /// The page that loses its frame.
        vaddr: u32,
        /// The policy's name.
        policy: String,
        /// Why this page, in one short sentence.
        reason: String,
    },
    /// A discardable page was dropped instead of written out.
    Discard {
        /// The page.
        vaddr: u32,
    },
    /// A page was brought in ahead of use (will-need).
    Prefetch {
        /// The page.
        vaddr: u32,
    },
    /// A frame was given back to physmem (munmap, don't-need, memory pressure).
    Release {
        /// The page it held, if any.
        vaddr: Option<u32>,
        /// The container offset deallocated.
        offset: u32,
    },
    /// The workload gave a hint.
    Hint {
        /// Start of the range.
        addr: u32,
        /// Length of the range.
        len: u32,
        /// The advice, in words.
        advice: String,
    },
    /// The policy asked for cannot run in a live pager; another one is used instead.
    PolicyUnavailable {
        /// The policy asked for.
        asked: String,
        /// The policy used instead.
        using: String,
        /// Why.
        reason: String,
    },
    /// The eviction policy was switched.
    PolicySwitch {
        /// Old policy's name.
        from: String,
        /// New policy's name.
        to: String,
    },
    /// physmem refused a new frame although the task is under its limit; it evicts instead.
    AllocRefused {
        /// physmem's reason.
        reason: String,
    },
    /// The task answered a memory-pressure request.
    FramesReturned {
        /// Frames physmem asked for.
        asked: u32,
        /// Frames given back.
        returned: u32,
    },
    /// physmem reclaimed an extra frame the task did not return in time.
    FrameLost {
        /// Its container offset.
        offset: u32,
        /// The page it held, if any.
        vaddr: Option<u32>,
    },
    /// physmem reclaimed the frame of this page earlier; its data is gone and it was zero-filled.
    LostPage {
        /// The page.
        vaddr: u32,
    },
    /// A page was pinned (never evicted), e.g. the eviction callback's code or stack.
    Pin {
        /// The page.
        vaddr: u32,
    },
    /// The fault could not be resolved.
    Segv {
        /// The faulting address.
        addr: u32,
        /// Why.
        reason: String,
    },
    /// A page of a file mapping came from the file server: its cached frame itself (shared)
    /// or a copy-on-write copy of it in the task's container (private).
    FilePage {
        /// The page.
        vaddr: u32,
        /// The file.
        path: Arc<str>,
        /// Byte offset in the file.
        offset: u32,
        /// Offset of the frame in the file server's cache.
        cache: u32,
        /// Shared mapping (else private).
        shared: bool,
        /// Mapped writable.
        writable: bool,
    },
}

impl PagerEvent {
    /// Whether the event moved a page between a frame and the swap store (it costs page I/O).
    pub fn is_page_io(&self) -> bool {
        matches!(self, PagerEvent::PageIn { .. } | PagerEvent::PageOut { .. })
    }
}

impl fmt::Display for PagerEvent {
    /// One line a student can read in the trace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PagerEvent::RegionMapped { start, end, name } => {
                write!(f, "mapped region {start:#x}..{end:#x} ({name})")
            }
            PagerEvent::RegionUnmapped { start, end } => write!(f, "unmapped {start:#x}..{end:#x}"),
            PagerEvent::ZeroFill { vaddr, offset } => {
                write!(
                    f,
                    "page {vaddr:#x}: first touch, zero-filled frame at offset {offset:#x}"
                )
            }
            PagerEvent::ImageFill { vaddr, offset } => {
                write!(
                    f,
                    "page {vaddr:#x}: copied from the program image into offset {offset:#x}"
                )
            }
            PagerEvent::PageIn {
                vaddr,
                offset,
                slot,
            } => {
                write!(
                    f,
                    "page {vaddr:#x}: paged in from swap slot {slot} to offset {offset:#x}"
                )
            }
            PagerEvent::PageOut {
                vaddr,
                offset,
                slot,
            } => {
                write!(
                    f,
                    "page {vaddr:#x}: dirty, written from offset {offset:#x} to swap slot {slot}"
                )
            }
            PagerEvent::Remap { vaddr, offset } => {
                write!(
                    f,
                    "page {vaddr:#x}: still resident at offset {offset:#x}, mapped again"
                )
            }
            PagerEvent::Evict {
                vaddr,
                policy,
                reason,
            } => {
                write!(f, "evict page {vaddr:#x} ({policy}): {reason}")
            }
            PagerEvent::Discard { vaddr } => {
                write!(
                    f,
                    "page {vaddr:#x}: discardable, dropped without writing it out"
                )
            }
            PagerEvent::Prefetch { vaddr } => write!(f, "page {vaddr:#x}: prefetched (will need)"),
            PagerEvent::Release {
                vaddr: Some(v),
                offset,
            } => {
                write!(
                    f,
                    "page {v:#x}: frame at offset {offset:#x} given back to physmem"
                )
            }
            PagerEvent::Release {
                vaddr: None,
                offset,
            } => {
                write!(f, "empty frame at offset {offset:#x} given back to physmem")
            }
            PagerEvent::Hint { addr, len, advice } => {
                write!(f, "hint for {addr:#x}+{len:#x}: {advice}")
            }
            PagerEvent::PolicyUnavailable {
                asked,
                using,
                reason,
            } => {
                write!(
                    f,
                    "policy {asked} cannot run here ({reason}); using {using}"
                )
            }
            PagerEvent::PolicySwitch { from, to } => {
                write!(f, "policy switched from {from} to {to}")
            }
            PagerEvent::AllocRefused { reason } => {
                write!(f, "physmem gave no new frame ({reason}); evicting instead")
            }
            PagerEvent::FramesReturned { asked, returned } => {
                write!(
                    f,
                    "memory pressure: asked for {asked} frames, gave back {returned}"
                )
            }
            PagerEvent::FrameLost { offset, vaddr } => match vaddr {
                Some(v) => write!(
                    f,
                    "physmem reclaimed the frame at offset {offset:#x}: page {v:#x} lost its data"
                ),
                None => write!(f, "physmem reclaimed the empty frame at offset {offset:#x}"),
            },
            PagerEvent::LostPage { vaddr } => {
                write!(
                    f,
                    "page {vaddr:#x}: its data was lost with its frame; zero-filled"
                )
            }
            PagerEvent::FilePage {
                vaddr,
                path,
                offset,
                cache,
                shared,
                writable,
            } => {
                let how = match (shared, writable) {
                    (true, true) => "the file server's cached frame, writable",
                    (true, false) => "the file server's cached frame, write-locked",
                    (false, _) => "a copy-on-write copy of the file server's cached frame",
                };
                write!(
                    f,
                    "page {vaddr:#x}: {path}+{offset:#x} mapped from {how} (cache offset {cache:#x})"
                )
            }
            PagerEvent::Pin { vaddr } => write!(f, "page {vaddr:#x}: pinned (never evicted)"),
            PagerEvent::Segv { addr, reason } => {
                write!(f, "segmentation fault at {addr:#x}: {reason}")
            }
        }
    }
}

/// The pager's view of the kernel, physmem and the workload. core implements it.
pub trait PagerEnv {
    /// One RPC to physmem, delivered by core as IPC (and recorded in the trace).
    /// A successful ContainerMap's items are installed by core into THIS task's address space.
    ///
    /// # Errors
    /// physmem's refusal, unchanged.
    fn physmem(&mut self, req: Request) -> Result<Reply, PhysmemError>;
    /// L4 unmap of one page of this task: removes the mapping, returns its referenced/dirty bits.
    fn unmap(&mut self, vaddr: u32) -> RefBits;
    /// L4 "flush status" of one page: returns and clears referenced/dirty, keeps the mapping.
    fn sample(&mut self, vaddr: u32) -> RefBits;
    /// Read one page of the container through the pager's own never-paged mapping.
    fn read_page(&mut self, container: Handle, offset: u32, buf: &mut [u8]);
    /// Write one page of the container (page-in from swap, zero fill).
    fn write_page(&mut self, container: Handle, offset: u32, data: &[u8]);
    /// Zero one page of the container (a reused frame given to a fresh anonymous page).
    /// core fills the frame instead of copying [`physmem::ZERO_PAGE`] into it.
    fn zero_page(&mut self, container: Handle, offset: u32) {
        self.write_page(container, offset, &physmem::ZERO_PAGE);
    }
    /// Ask the workload's own x86 eviction callback to choose among `candidates` (page
    /// addresses); `None` if it has none registered or its answer is not one of the candidates.
    fn ask_callback(&mut self, candidates: &[u32]) -> Option<u32>;
    /// Record a pager event for the trace (core stamps it with step and cost).
    fn event(&mut self, e: PagerEvent);
    /// Open `path` at the file server (an IPC core carries), read-write if `write`.
    ///
    /// # Errors
    /// The server's refusal (unknown path, ...); [`FileError::no_server`] without one.
    fn file_open(&mut self, path: &str, write: bool) -> Result<FileOpened, FileError> {
        let _ = (path, write);
        Err(FileError::no_server())
    }
    /// Close an open at the file server (its dirty pages stay cached: nothing is lost).
    fn file_close(&mut self, open: u32) {
        let _ = open;
    }
    /// Ask the file server for the page at byte `offset` of an open file (to write if `write`).
    ///
    /// # Errors
    /// The server's refusal: past the end of the file, a write through a read-only open, ...
    fn file_page(&mut self, open: u32, offset: u32, write: bool) -> Result<FileGrant, FileError> {
        let _ = (open, offset, write);
        Err(FileError::no_server())
    }
    /// Ask the file server to write the dirty pages of an open file in `[start, end)` to the
    /// disk (msync).
    ///
    /// # Errors
    /// The server's refusal.
    fn file_sync(&mut self, open: u32, start: u32, end: u32) -> Result<(), FileError> {
        let _ = (open, start, end);
        Err(FileError::no_server())
    }
}
