//! Tasks and their threads as the kernel sees them.

use serde::{Deserialize, Serialize};

use physmem::Handle;
use x86_emu::asm::Program;
use x86_emu::{CpuState, PhysAddr};

use crate::scenario::Lang;

/// What a task's user thread is doing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "detail", rename_all = "snake_case")]
pub enum ThreadState {
    /// Runnable, waiting for the CPU.
    Ready,
    /// On the CPU.
    Running,
    /// Blocked in IPC: its fault message is with its pager.
    WaitingForPager,
    /// Ended by calling exit.
    Exited(i32),
    /// Killed by the kernel, with the reason.
    Killed(String),
}

impl ThreadState {
    /// Whether the thread has ended.
    pub fn is_done(&self) -> bool {
        matches!(self, ThreadState::Exited(_) | ThreadState::Killed(_))
    }
}

/// Counters of one task, for summaries and charts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCounters {
    /// Instructions retired.
    pub instructions: u64,
    /// Page faults raised.
    pub faults: u64,
    /// Library gate calls.
    pub gate_calls: u64,
    /// RPCs sent to physmem.
    pub rpcs: u64,
}

/// One task: an address space (real page tables in RAM), one user thread, and the
/// capabilities physmem gave it.
#[derive(Clone, Debug)]
pub struct Task {
    /// Task number, from 1.
    pub id: u32,
    /// Name from the scenario.
    pub name: String,
    /// Physical address of its page directory.
    pub cr3: PhysAddr,
    /// The thread's registers while it is off the CPU.
    pub cpu: CpuState,
    /// The thread's state.
    pub state: ThreadState,
    /// The assembled workload (for C, its lines are C lines).
    pub program: Program,
    /// The language its source is written in (a forked child's is its parent's).
    pub lang: Lang,
    /// Its control capability (its guarantee).
    pub control: Handle,
    /// The container its pager allocates frames in.
    pub container: Handle,
    /// Frames guaranteed.
    pub guaranteed: u32,
    /// Extra frames it may hold beyond the guarantee.
    pub extra: u32,
    /// Whether it ignores physmem's requests to return frames.
    pub ignore_pressure: bool,
    /// Entry and pinned stack of the workload's own eviction callback, if registered.
    pub eviction_callback: Option<(u32, u32)>,
    /// Faults in a row since the thread last retired an instruction.
    pub stalled: u32,
    /// A fault message waiting for the pager, between the #PF and its service.
    pub fault: Option<libhurd_mm::FaultMsg>,
    /// Counters.
    pub counters: TaskCounters,
    /// The memory manager's statistics when the task ended (its manager is gone then).
    pub final_stats: Option<libhurd_mm::Stats>,
    /// Text printed through the gate.
    pub output: String,
}
