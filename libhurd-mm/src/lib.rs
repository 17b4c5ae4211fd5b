//! libhurd-mm: each task's own memory manager. It keeps the address-space map,
//! serves the task's page faults as its pager, pages data in and out, and chooses
//! which page gives up its frame.
//!
//! core creates one [`MemoryManager`] per task and hands it a [`PagerEnv`]: the only window
//! the pager has on physmem, L4 (unmap and status flush) and the workload. Workloads reach it
//! through the library gate ([`gate`]). [`simulate`] runs the same policies on a reference
//! string, with Belady's OPT for comparison;
//! [`curve`] draws their miss-ratio curves (LRU and OPT in one pass, by [`stack_distance`]).
//!
//! What core calls, per task:
//! * [`MemoryManager::new`] with an [`MmConfig`]; [`MemoryManager::add_region`] for the
//!   program image; [`MemoryManager::handle_fault`] for every fault message;
//!   [`gate::decode`] then [`MemoryManager::gate`] for every `int 0x30`;
//!   [`MemoryManager::return_frames`] and [`MemoryManager::frames_lost`] for physmem's
//!   pressure effects; [`MemoryManager::oracle_access`] on every access in oracle mode only.
//! * For the UI: `regions`, `resident`, `policy_queue`, `swap_used`, `stats`, `pinned`.
//!
//! Modules: `region` (address-space map), `store` (anonymous, image, swap, file), `files`
//! (open, close, mmap of a file, msync, the file-page fault path), `pager` (fault
//! path, frame slots, eviction), `pages` (resident pages by address), `mmap`, `advice`,
//! `pressure`, `inspect`, `policy` (one file per policy), `gate`, `simulate`, `curve`,
//! `stack_distance`, `single`, `rng`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod advice;
pub mod curve;
mod env;
mod error;
mod files;
mod fork;
pub mod gate;
mod inspect;
mod mmap;
mod offsets;
mod pager;
mod pages;
pub mod policy;
mod pressure;
mod region;
mod rng;
mod simulate;
pub mod single;
pub mod stack_distance;
pub mod store;

#[cfg(test)]
mod fake;

pub use advice::Advice;
pub use env::{Access, FaultMsg, PagerEnv, PagerEvent, RefBits, Segv};
pub use error::{MmError, EACCES, EBADF, EEXIST, EFAULT, EINVAL, ENOENT, ENOMEM, ENOSYS};
pub use files::FilePageInfo;
pub use gate::{decode, GateCall, GateError, GateFn, GateRegs};
pub use inspect::{ResidentInfo, Stats};
pub use pager::{MemoryManager, MmConfig};
pub use pages::PageMap;
pub use policy::{EvictionPolicy, PolicyClone, PolicyKind, PolicyQueue, QueueEntry};
pub use region::{
    checked_range, page_of, round_up, AddressSpace, Prot, Region, RegionInfo, RegionKind,
    MMAP_BASE, USER_BASE, USER_TOP,
};
pub use rng::SplitMix64;
pub use simulate::{count_misses, simulate, SimReport, SimStep};
