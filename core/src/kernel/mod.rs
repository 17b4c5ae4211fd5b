//! The microkernel: boot, the scheduler and the run loop. A #PF becomes a fault message to
//! the task's pager (see `fault.rs`); `int 0x30` is the library gate (see `gate.rs`).

mod accessors;
mod boot;
mod run;
mod system;
mod task_end;

pub(crate) use system::System;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use libhurd_mm::MemoryManager;
use x86_emu::asm::{AsmError, Program};
use x86_emu::PAGE_SIZE;

use crate::by_id::ById;
use crate::scenario::Scenario;
use crate::trace::Trace;

/// The library gate's interrupt vector.
pub const GATE_VECTOR: u8 = 0x30;
/// Top of every task's stack (exclusive).
pub const STACK_TOP: u32 = 0xC000_0000;
/// Size of every task's stack region.
pub const STACK_SIZE: u32 = 64 * PAGE_SIZE;

/// The seed of task `id`'s pager (its random policy) in a scenario seeded with `seed`.
pub fn pager_seed(seed: u64, id: u32) -> u64 {
    seed ^ u64::from(id).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Costs and limits of the kernel model, in logical time units (one per instruction).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelConfig {
    /// Instructions a thread runs before the scheduler switches.
    pub slice: u64,
    /// Cost of one IPC (send or reply).
    pub ipc_cost: u64,
    /// Cost of paging one page in or out of the swap store.
    pub page_io_cost: u64,
    /// Whether the kernel invalidates TLB entries after changing a PTE (off only to show the bug).
    pub invlpg: bool,
    /// Most trace records kept in memory (all are hashed).
    pub trace_limit: usize,
}

impl Default for KernelConfig {
    fn default() -> Self {
        KernelConfig {
            slice: 10_000,
            ipc_cost: 100,
            page_io_cost: 5_000,
            invlpg: true,
            trace_limit: 1 << 20,
        }
    }
}

/// Why a scenario could not be started.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LoadError {
    /// The scenario itself is invalid.
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    /// A task's program does not assemble (or, for C, does not compile).
    #[error("task '{task}': {error}")]
    Assemble {
        /// Index of the task in the scenario.
        index: usize,
        /// Its name.
        task: String,
        /// The assembler's or the compiler's error (line, column, message).
        error: AsmError,
    },
    /// The machine could not be set up as asked.
    #[error("task '{task}': {reason}")]
    Setup {
        /// The task's name.
        task: String,
        /// What went wrong.
        reason: String,
    },
}

/// What ended a call to [`Kernel::run`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stop", rename_all = "snake_case")]
pub enum Stopped {
    /// The instruction budget of this call ran out.
    Budget,
    /// Every task has exited or was killed.
    AllDone,
    /// A thread reached a breakpoint (before executing it).
    Breakpoint {
        /// The task.
        task: u32,
        /// The breakpoint's address.
        eip: u32,
    },
    /// The event asked for happened.
    Event {
        /// Its position in the trace.
        seq: u64,
    },
}

/// When [`Kernel::run`] should stop early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// Only at the budget (or when all tasks are done).
    Budget,
    /// At the next event of this kind (see `Event::kind`), e.g. "fault" or "ipc".
    Event(&'static str),
    /// Once the trace holds the record with this sequence number.
    Record(u64),
}

/// The whole simulated machine: kernel, physmem, tasks and their memory managers.
/// Cloning it is a snapshot.
pub struct Kernel {
    pub(crate) sys: System,
    pub(crate) managers: ById<MemoryManager>,
    /// Breakpoints, by linear address (the machine checks them; this is the list to show).
    breakpoints: std::collections::BTreeSet<u32>,
    /// Breakpoint to step over when the thread resumes.
    pub(crate) resume_over: Option<u32>,
    /// The scenario, for tasks that arrive later.
    scenario: Scenario,
    /// Every task's assembled program, by scenario index.
    programs: Vec<Program>,
    /// Scenario indices of tasks not yet arrived, earliest last.
    arrivals: Vec<usize>,
    /// Each task's page references, when recording (see `references.rs`).
    pub(crate) references: Option<ById<crate::references::TaskRefs>>,
}

impl Clone for Kernel {
    fn clone(&self) -> Self {
        self.with_sys(self.sys.clone())
    }
}

impl Kernel {
    /// A copy of the machine for rewinding: everything but the trace's records (a
    /// snapshot costs its RAM, not its history). [`Kernel::refill_trace`] takes them back
    /// from the later trace of the same run.
    pub fn snapshot(&self) -> Kernel {
        let s = &self.sys;
        let sys = System {
            machine: s.machine.clone(),
            physmem: s.physmem.clone(),
            pool: s.pool.clone(),
            mapdb: s.mapdb.clone(),
            tasks: s.tasks.clone(),
            trace: s.trace.shell(),
            time: s.time,
            current: s.current,
            run_queue: s.run_queue.clone(),
            slice_used: s.slice_used,
            pending: s.pending.clone(),
            effects: Vec::new(),
            kernel_error: s.kernel_error.clone(),
            config: s.config.clone(),
            files: s.files.clone(),
        };
        self.with_sys(sys)
    }

    /// A snapshot made whole again: its trace records come from `later`, a trace of the
    /// same run that got at least as far.
    pub fn refill_trace(&mut self, later: &Trace) {
        self.sys.trace.refill(later);
    }

    fn with_sys(&self, mut sys: System) -> Kernel {
        sys.machine.breakpoints_mut().clone_from(&self.breakpoints);
        Kernel {
            sys,
            managers: self.managers.clone(),
            breakpoints: self.breakpoints.clone(),
            resume_over: self.resume_over,
            scenario: self.scenario.clone(),
            programs: self.programs.clone(),
            arrivals: self.arrivals.clone(),
            references: self.references.clone(),
        }
    }
}
