//! selfpage-core: the L4-like kernel model. It runs tasks on x86-emu with real page
//! tables, turns page faults into IPC to each task's pager (libhurd-mm), hosts physmem
//! as a server receiving typed RPCs, and records every step in one event trace.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod build;
mod by_id;
mod callback;
pub mod challenges;
mod env;
pub mod exec;
mod fault;
mod files;
mod fork;
mod gate;
mod invariants;
mod kernel;
pub mod lessons;
mod loader;
mod mapdb;
mod pagetable;
mod pool;
pub mod presets;
mod pressure;
mod records;
pub mod references;
mod scenario;
mod session;
mod task;
mod trace;
mod trace_hash;
pub mod views;

pub use callback::{CALLBACK_BUDGET, CALLBACK_RETURN};
pub use fault::{access_of, FAULT_LABEL, MAX_STALLED_FAULTS};
pub use files::{DiskSpec, FileEntry, FsSpec, FILE_SERVER, RAMDISK};
pub use fork::MAX_LIVE_TASKS;
pub use kernel::{
    pager_seed, Kernel, KernelConfig, LoadError, Stopped, Until, GATE_VECTOR, STACK_SIZE, STACK_TOP,
};
pub use mapdb::{MapDb, Node, Place};
pub use pool::KernelPool;
pub use records::{Records, RecordsIter};
pub use references::{Recorder, References, TaskReferences};
pub use scenario::{
    Lang, Scenario, ScenarioError, TaskSpec, MAX_RAM_FRAMES, MAX_SOURCE_BYTES, MAX_TASKS,
};
pub use session::{Session, Summary, TaskSummary};
pub use task::{Task, TaskCounters, ThreadState};
pub use trace::{AccessKind, Endpoint, Event, Record, Trace, Words};

/// physmem's requests and replies as the trace carries them, and its benchmark workloads:
/// what a front end shows of physmem without depending on it.
pub mod rpc {
    pub use physmem::bench::{allocate_map_deallocate, cow_copy_and_break};
    pub use physmem::{PhysmemError, Reply, Request};
}

/// The pager's types a front end shows: its memory manager (policy queues), its trace
/// events, its policies, the reference-string simulator and the miss-ratio curves.
pub mod pager {
    pub use libhurd_mm::{
        curve, simulate, single, stack_distance, MemoryManager, PagerEvent, PolicyKind, SimReport,
    };
}
