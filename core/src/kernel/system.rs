//! The machine cell (a cloneable [`Machine`]) and [`System`]: everything but the memory
//! managers, so a manager can borrow it while it runs.

use std::collections::VecDeque;

use physmem::{Effect, Physmem};
use x86_emu::Machine;

use super::KernelConfig;
use crate::by_id::ById;
use crate::mapdb::MapDb;
use crate::pool::KernelPool;
use crate::task::Task;
use crate::trace::{Event, Trace};

/// The machine, cloneable through its snapshot (the decode cache is rebuilt on demand;
/// breakpoints are the kernel's to put back).
pub(crate) struct MachineCell(pub(super) Machine);

impl Clone for MachineCell {
    fn clone(&self) -> Self {
        MachineCell(Machine::from_snapshot(self.0.snapshot()))
    }
}

impl std::ops::Deref for MachineCell {
    type Target = Machine;
    fn deref(&self) -> &Machine {
        &self.0
    }
}

impl std::ops::DerefMut for MachineCell {
    fn deref_mut(&mut self) -> &mut Machine {
        &mut self.0
    }
}

/// Everything but the memory managers, so a manager can borrow it while it runs.
#[derive(Clone)]
pub(crate) struct System {
    pub machine: MachineCell,
    pub physmem: Physmem,
    pub pool: KernelPool,
    pub mapdb: MapDb,
    pub tasks: ById<Task>,
    pub trace: Trace,
    /// Logical time: instructions retired plus fixed costs.
    pub time: u64,
    /// Whose registers are loaded in the machine.
    pub current: Option<u32>,
    pub run_queue: VecDeque<u32>,
    pub slice_used: u64,
    /// Effects that need a task's memory manager, handled when no manager is busy.
    pub pending: VecDeque<Effect>,
    /// Buffer for the effects of one physmem request, reused from request to request (empty
    /// between them).
    pub effects: Vec<Effect>,
    /// Why the kernel could not install a mapping a pager asked for, if it could not.
    pub kernel_error: Option<String>,
    pub config: KernelConfig,
    /// The file server (with its ramdisk), if the scenario declares a disk. Boxed: each
    /// call to it takes it out of the system and puts it back, which moves only the box.
    pub files: Option<Box<fs::FileServer>>,
}

impl System {
    /// Appends an event to the trace at the current time, charging `cost`. Inlined, so the
    /// event is built where the trace keeps it (see [`Trace::push`]).
    #[inline(always)]
    pub fn emit(&mut self, cost: u64, event: Event) {
        self.time += cost;
        self.trace.push(self.time, cost, event);
    }
}
