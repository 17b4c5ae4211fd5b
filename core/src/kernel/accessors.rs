//! What the kernel shows: trace, time, tasks, source lines, its servers and configuration.

use libhurd_mm::MemoryManager;
use physmem::Physmem;
use x86_emu::Machine;

use super::{Kernel, KernelConfig};
use crate::mapdb::MapDb;
use crate::pool::KernelPool;
use crate::scenario::Lang;
use crate::task::Task;
use crate::trace::{Event, Record, Trace};

impl Kernel {
    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.sys.trace
    }

    /// Logical time: instructions retired plus fixed costs.
    pub fn time(&self) -> u64 {
        self.sys.time
    }

    /// Total instructions retired by all tasks.
    pub fn retired(&self) -> u64 {
        self.sys.machine.retired()
    }

    /// The tasks, by id.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.sys.tasks.values()
    }

    /// One task.
    pub fn task(&self, id: u32) -> Option<&Task> {
        self.sys.tasks.get(id)
    }

    /// The source line (C or assembly) of task `task`'s instruction at `ip`; `None` where it
    /// has none (C's start-up code and built-in headers) or outside its program.
    pub fn source_line(&self, task: u32, ip: u32) -> Option<u32> {
        self.task(task)?.program.line_of(ip).filter(|&l| l != 0)
    }

    /// The C line of task `task`'s instruction at `ip`, for a task written in C (`None` for
    /// an assembly task, and where [`Kernel::source_line`] has none).
    pub fn c_line(&self, task: u32, ip: u32) -> Option<u32> {
        let c = self.task(task)?.lang == Lang::C;
        self.source_line(task, ip).filter(|_| c)
    }

    /// Record `r` as one line of an exported trace (JSON): as the trace holds it, plus
    /// `c_line` on a fault of a C task, the C line of the faulting access. Added here, not
    /// recorded, so the trace and its hash are the same for C and assembly alike.
    pub fn trace_json(&self, r: &Record) -> String {
        let c_line = match &r.event {
            Event::Fault { task, ip, .. } => self.c_line(*task, *ip),
            _ => None,
        };
        r.to_json(c_line)
    }

    /// A task's memory manager (gone once the task ended).
    pub fn manager(&self, id: u32) -> Option<&MemoryManager> {
        self.managers.get(id)
    }

    /// The emulated machine (CPU, RAM, TLB).
    pub fn machine(&self) -> &Machine {
        &self.sys.machine
    }

    /// The file server and its ramdisk, if the scenario declares a disk.
    pub fn file_server(&self) -> Option<&fs::FileServer> {
        self.sys.files.as_deref()
    }

    /// The physical memory server.
    pub fn physmem(&self) -> &Physmem {
        &self.sys.physmem
    }

    /// The mapping database.
    pub fn mapdb(&self) -> &MapDb {
        &self.sys.mapdb
    }

    /// The kernel's frame pool (page tables).
    pub fn pool(&self) -> &KernelPool {
        &self.sys.pool
    }

    /// The task whose registers are on the CPU.
    pub fn current(&self) -> Option<u32> {
        self.sys.current
    }

    /// Number of tasks the scenario declares (their ids are 1..=n; forks come after).
    pub(crate) fn scenario_tasks(&self) -> u32 {
        self.scenario.tasks.len() as u32
    }

    /// The configuration in force.
    pub fn config(&self) -> &KernelConfig {
        &self.sys.config
    }
}
