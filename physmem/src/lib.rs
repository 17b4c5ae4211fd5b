//! physmem: the physical memory server. It schedules frames into containers and
//! answers typed requests; it knows nothing of x86.
//!
//! It owns frame numbers, never bytes: zeroing and copying are [`Effect`]s the kernel carries
//! out. Objects (control capabilities, containers) are named by [`Handle`]s bound to the task
//! holding them; handle values are a counter mixed through SplitMix64 (deterministic, and
//! not guessable from another task's handles by counting). See [`Physmem`] for the API core
//! calls.
//!
//! Decisions worth knowing (the module docs say more):
//! * **Frames**: `ContainerAllocate` cuts a range into the fewest naturally aligned frames of
//!   at most [`MAX_FRAME_ORDER`] (16 pages). A frame is bound lazily, as one physically
//!   contiguous, aligned block from a buddy allocator (lowest address first), with a `Zero`
//!   per page. If the free frames are enough but scattered, physmem compacts: it moves bound
//!   frames out of the cheapest aligned window (`Revoke` + `Copy`). It never binds a
//!   multi-page frame as separate pages; when no window can be cleared it refuses with
//!   `NoContiguousBlock`.
//! * **Charging**: each bound page is charged to one control capability (its *payer*), first
//!   the binder's. COW and shared copies do not charge the copier until it writes; when the
//!   payer's last reference goes, the next referrer pays.
//! * **Guarantees**: a bind within the guarantee is always admitted while frames are free;
//!   frames beyond it (extra frames) come only from frames no guarantee needs. If a
//!   guarantee is granted while others hold extra frames, the guaranteed task may get
//!   `MemoryShort` until the next `tick` asks the tasks with the most extra frames to
//!   return them (`ReturnFrames`, deadline `now + grace`). At the deadline a task still over
//!   what it was told to keep loses its **most recently bound** extra frames (`Revoke` and
//!   `Reclaimed`; the offsets become unallocated). Guaranteed frames are never taken.
//! * **COW**: a page's references form groups; one group shares writes, different groups
//!   are COW against each other. A write request (`ContainerMap` with W) on a COW page gives
//!   the writer's group a private copy (`Copy`), and the old frame's mappings are revoked.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bench;
mod binding;
mod bitmap;
mod caps;
mod charges;
mod compact;
mod container;
mod control;
mod copy;
mod frames;
mod invariants;
mod map;
mod page;
mod pressure;
#[cfg(test)]
mod proptests;
mod protocol;
mod server;
mod slots;
mod stats;
mod table;
#[cfg(test)]
mod testkit;

pub use container::MAX_FRAME_ORDER;
pub use frames::MAX_BUDDY_ORDER;
pub use map::MAX_FPAGE_ORDER;
pub use protocol::*;
pub use server::{Physmem, DEFAULT_GRACE_STEPS};
pub use stats::{ContainerStats, FrameInfo, FrameOwner, PressureStats, Stats, TaskStats};
