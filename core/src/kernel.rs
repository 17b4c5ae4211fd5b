//! The microkernel: boot, the scheduler and the run loop. A #PF becomes a fault message to
//! the task's pager (see `fault.rs`); `int 0x30` is the library gate (see `gate.rs`).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use libhurd_mm::{MemoryManager, MmConfig, PagerEnv, PolicyKind};
use physmem::{Effect, Pfn as Frame, Physmem, TaskId};
use x86_emu::asm::{AsmError, Program};
use x86_emu::{CpuState, Machine, Ram, Stop, Vector, PAGE_SIZE};

use crate::build::build;
use crate::by_id::ById;
use crate::env::Env;
use crate::mapdb::MapDb;
use crate::pagetable;
use crate::pool::KernelPool;
use crate::scenario::{Lang, Scenario};
use crate::task::{Task, TaskCounters, ThreadState};
use crate::trace::{Event, Record, Trace};

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

/// The machine, cloneable through its snapshot (the decode cache is rebuilt on demand;
/// breakpoints are the kernel's to put back).
pub(crate) struct MachineCell(Machine);

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

    /// Boots the machine of a scenario: RAM, kernel pool, physmem, then each task.
    ///
    /// # Errors
    /// An invalid scenario, a program that does not assemble, or a task that cannot be set up.
    pub fn boot(scenario: &Scenario, config: KernelConfig) -> Result<Kernel, LoadError> {
        scenario.validate()?;
        let ram = Ram::new(scenario.ram_frames).map_err(|e| LoadError::Setup {
            task: "machine".into(),
            reason: e.to_string(),
        })?;
        let kernel_frames = scenario.kernel_frames();
        let physmem = Physmem::new((kernel_frames..scenario.ram_frames).map(Frame));
        let mut sys = System {
            machine: MachineCell(Machine::new(ram)),
            physmem,
            pool: KernelPool::new(0, kernel_frames),
            mapdb: MapDb::default(),
            tasks: ById::default(),
            trace: Trace::new(config.trace_limit),
            time: 0,
            current: None,
            run_queue: VecDeque::new(),
            slice_used: 0,
            pending: VecDeque::new(),
            effects: Vec::new(),
            kernel_error: None,
            config,
            files: None,
        };
        sys.emit(
            0,
            Event::Boot {
                ram_frames: scenario.ram_frames,
                kernel_frames,
                physmem_frames: scenario.ram_frames - kernel_frames,
            },
        );
        sys.files = crate::files::boot(&mut sys, scenario).map_err(|reason| LoadError::Setup {
            task: "file server".into(),
            reason,
        })?;
        let programs = (0..scenario.tasks.len())
            .map(|index| {
                build(scenario, index).map_err(|error| LoadError::Assemble {
                    index,
                    task: scenario.tasks[index].name.clone(),
                    error,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut arrivals: Vec<usize> = (0..scenario.tasks.len()).collect();
        arrivals.sort_by_key(|&i| std::cmp::Reverse((scenario.tasks[i].start_at, i)));
        let mut kernel = Kernel {
            sys,
            managers: ById::default(),
            breakpoints: Default::default(),
            resume_over: None,
            scenario: scenario.clone(),
            programs,
            arrivals,
            references: None,
        };
        while kernel
            .arrivals
            .last()
            .is_some_and(|&i| scenario.tasks[i].start_at == 0)
        {
            if let Some(i) = kernel.arrivals.pop() {
                kernel.start_task(i)?;
            }
        }
        kernel.settle();
        Ok(kernel)
    }

    /// Starts the tasks whose time has come; if nothing can run, time skips to the next one.
    fn arrive(&mut self) {
        if self.sys.run_queue.is_empty() && self.sys.tasks.values().all(|t| t.fault.is_none()) {
            if let Some(&next) = self.arrivals.last() {
                self.sys.time = self.sys.time.max(self.scenario.tasks[next].start_at);
            }
        }
        while let Some(&i) = self.arrivals.last() {
            if self.scenario.tasks[i].start_at > self.sys.time {
                break;
            }
            self.arrivals.pop();
            if let Err(e) = self.start_task(i) {
                let id = i as u32 + 1;
                self.sys.emit(
                    0,
                    Event::TaskKilled {
                        task: id,
                        reason: e.to_string(),
                    },
                );
            }
            self.settle();
        }
    }

    fn start_task(&mut self, index: usize) -> Result<(), LoadError> {
        let spec = self.scenario.tasks[index].clone();
        let id = index as u32 + 1;
        let setup = |reason: String| LoadError::Setup {
            task: spec.name.clone(),
            reason,
        };
        let program = self.programs[index].clone();
        let policy = PolicyKind::parse(&spec.policy)
            .ok_or_else(|| setup(format!("unknown policy '{}'", spec.policy)))?;
        let control = self
            .sys
            .physmem
            .create_control(TaskId(id), spec.guaranteed)
            .map_err(|e| setup(e.to_string()))?;
        let cr3 = pagetable::new_directory(&mut self.sys.machine, &mut self.sys.pool)
            .ok_or_else(|| setup("the kernel has no frame left for a page directory".into()))?;
        let cpu = CpuState::at(program.entry, STACK_TOP);
        self.sys.tasks.insert(
            id,
            Task {
                id,
                name: spec.name.clone(),
                cr3,
                cpu,
                state: ThreadState::Ready,
                program: program.clone(),
                lang: self.scenario.lang_of(index),
                control,
                container: physmem::Handle(0),
                guaranteed: spec.guaranteed,
                extra: spec.extra,
                ignore_pressure: spec.ignore_pressure,
                eviction_callback: None,
                fault: None,
                stalled: 0,
                final_stats: None,
                counters: TaskCounters::default(),
                output: String::new(),
            },
        );
        self.sys.emit(
            0,
            Event::TaskStarted {
                task: id,
                name: spec.name.clone(),
                guaranteed: spec.guaranteed,
                extra: spec.extra,
                policy: spec.policy.clone(),
            },
        );
        let mut env = Env::new(&mut self.sys, id);
        let container = match env.physmem(physmem::Request::ContainerCreate { control }) {
            Ok(physmem::Reply::Handle(h)) => h,
            other => return Err(setup(format!("physmem refused a container: {other:?}"))),
        };
        let seed = pager_seed(self.scenario.seed, id);
        let mut mm = MemoryManager::new(MmConfig {
            container,
            frames: spec.guaranteed + spec.extra,
            policy,
            seed,
            oracle: false,
        });
        crate::loader::load(&mut mm, &mut env, &program).map_err(|e| setup(e.to_string()))?;
        if let Some(t) = self.sys.tasks.get_mut(id) {
            t.container = container;
        }
        self.managers.insert(id, mm);
        self.sys.run_queue.push_back(id);
        Ok(())
    }

    /// Runs tasks round robin for at most `budget` instructions, or until `until` happens,
    /// a breakpoint is reached, or every task is done.
    pub fn run(&mut self, budget: u64, until: Until) -> Stopped {
        // Records before this were already looked at for `until`.
        let mut scanned = self.sys.trace.len();
        let mut left = budget;
        while left > 0 {
            self.arrive();
            let waiting = self
                .sys
                .tasks
                .values()
                .find(|t| t.fault.is_some())
                .map(|t| t.id);
            if let Some(id) = waiting {
                crate::fault::serve(self, id);
                self.settle();
                if let Some(stop) = self.matched(until, &mut scanned) {
                    return stop;
                }
                continue;
            }
            let Some(id) = self.sys.run_queue.front().copied() else {
                if self.arrivals.is_empty() {
                    return self.finish(until, &mut scanned);
                }
                continue;
            };
            self.switch_to(id);
            let slice = (self.sys.config.slice - self.sys.slice_used.min(self.sys.config.slice))
                .clamp(1, left);
            let run = match self.resume_over.take() {
                Some(eip) => self.step_over_breakpoint(eip),
                None => self.sys.machine.run(slice),
            };
            if self.references.is_some() {
                self.collect_references(id);
            }
            left -= run.retired.min(left);
            self.sys.time += run.retired;
            self.sys.slice_used += run.retired;
            let cpu = self.sys.machine.cpu();
            if let Some(t) = self.sys.tasks.get_mut(id) {
                t.counters.instructions += run.retired;
                t.cpu = cpu;
                if run.retired > 0 {
                    t.stalled = 0;
                }
            }
            match run.stop {
                Stop::Budget => {
                    if self.sys.slice_used >= self.sys.config.slice {
                        self.rotate();
                    }
                }
                Stop::Exception(e) if e.vector == Vector::PageFault => {
                    crate::fault::raise(self, id, &e)
                }
                Stop::Exception(e) => {
                    self.kill(id, format!("{e} at eip {:#010x}", self.cpu_eip(id)))
                }
                Stop::Interrupt(GATE_VECTOR) => crate::gate::call(self, id),
                Stop::Interrupt(n) => self.kill(
                    id,
                    format!(
                        "int {n:#x} at eip {:#010x} is not the library gate (int 0x30)",
                        self.cpu_eip(id).wrapping_sub(2)
                    ),
                ),
                Stop::Breakpoint(eip) => {
                    self.resume_over = Some(eip);
                    return Stopped::Breakpoint { task: id, eip };
                }
                Stop::Watchpoint { .. } => {
                    return Stopped::Breakpoint {
                        task: id,
                        eip: self.cpu_eip(id),
                    }
                }
            }
            self.settle();
            if let Some(stop) = self.matched(until, &mut scanned) {
                return stop;
            }
        }
        if self.sys.run_queue.is_empty() && self.arrivals.is_empty() {
            self.finish(until, &mut scanned)
        } else {
            Stopped::Budget
        }
    }

    /// Every task is done: the file server writes its dirty pages back (events of their own,
    /// which `until` may be waiting for, e.g. when a rewind replays up to one of them).
    fn finish(&mut self, until: Until, scanned: &mut u64) -> Stopped {
        crate::files::sync_all(&mut self.sys);
        self.matched(until, scanned).unwrap_or(Stopped::AllDone)
    }

    /// `Stopped::Event` if an event `until` asks for happened since trace position
    /// `scanned`, which moves to the end of the trace (each record is looked at once).
    fn matched(&self, until: Until, scanned: &mut u64) -> Option<Stopped> {
        match until {
            Until::Budget => None,
            Until::Event(kind) => {
                let from = std::mem::replace(scanned, self.sys.trace.len());
                let r = self
                    .sys
                    .trace
                    .since(from)
                    .iter()
                    .find(|r| r.event.kind() == kind)?;
                Some(Stopped::Event { seq: r.seq })
            }
            Until::Record(seq) => (self.sys.trace.len() > seq).then_some(Stopped::Event { seq }),
        }
    }

    fn step_over_breakpoint(&mut self, eip: u32) -> x86_emu::Run {
        let had = self.sys.machine.breakpoints_mut().remove(&eip);
        let run = self.sys.machine.run(1);
        if had {
            self.sys.machine.breakpoints_mut().insert(eip);
        }
        run
    }

    fn cpu_eip(&self, id: u32) -> u32 {
        self.sys.tasks.get(id).map_or(0, |t| t.cpu.eip)
    }

    /// Loads task `id`'s registers and address space into the machine.
    fn switch_to(&mut self, id: u32) {
        if self.sys.current == Some(id) {
            return;
        }
        if let Some(prev) = self.sys.current.and_then(|p| self.sys.tasks.get_mut(p)) {
            if prev.state == ThreadState::Running {
                prev.state = ThreadState::Ready;
            }
        }
        let Some(t) = self.sys.tasks.get_mut(id) else {
            return;
        };
        t.state = ThreadState::Running;
        self.sys.machine.set_cpu(t.cpu.clone());
        if self.sys.machine.cr3() != t.cr3 {
            self.sys.machine.set_cr3(t.cr3);
        }
        self.sys.current = Some(id);
        self.sys.slice_used = 0;
    }

    /// Puts the running thread at the back of the run queue.
    pub(crate) fn rotate(&mut self) {
        if let Some(id) = self.sys.run_queue.pop_front() {
            self.sys.run_queue.push_back(id);
        }
        self.sys.slice_used = 0;
        if let Some(t) = self.sys.current.and_then(|c| self.sys.tasks.get_mut(c)) {
            if t.state == ThreadState::Running {
                t.state = ThreadState::Ready;
            }
        }
        self.sys.current = None;
    }

    /// Writes a task's saved registers back into the machine if it is on the CPU.
    pub(crate) fn set_cpu(&mut self, id: u32, cpu: CpuState) {
        if self.sys.current == Some(id) {
            self.sys.machine.set_cpu(cpu.clone());
        }
        if let Some(t) = self.sys.tasks.get_mut(id) {
            t.cpu = cpu;
        }
    }

    /// Ends a task: exit or kill. Its mappings, page tables and frames return.
    pub(crate) fn end_task(&mut self, id: u32, state: ThreadState) {
        let Some(task) = self.sys.tasks.get_mut(id) else {
            return;
        };
        if task.state.is_done() {
            return;
        }
        task.state = state.clone();
        task.final_stats = self.managers.get(id).map(|m| m.stats());
        let cr3 = task.cr3;
        self.sys.emit(
            0,
            match state {
                ThreadState::Exited(code) => Event::TaskExited { task: id, code },
                ThreadState::Killed(reason) => Event::TaskKilled { task: id, reason },
                _ => return,
            },
        );
        let places: Vec<u32> = self.sys.mapdb.of_task(id).map(|(va, _)| va).collect();
        for va in places {
            self.sys.mapdb.remove_tree((id, va));
        }
        if let Some(files) = self.sys.files.as_mut() {
            files.forget(TaskId(id));
        }
        let effects = self.sys.physmem.kill(TaskId(id));
        Env::new(&mut self.sys, id).apply_effects(effects);
        pagetable::destroy(&mut self.sys.machine, &mut self.sys.pool, cr3);
        self.managers.remove(id);
        self.sys.run_queue.retain(|&t| t != id);
        if self.sys.current == Some(id) {
            self.sys.current = None;
            self.sys.machine.flush_tlb();
        }
    }

    /// Kills a task with a reason a student can read.
    pub(crate) fn kill(&mut self, id: u32, reason: String) {
        self.end_task(id, ThreadState::Killed(reason));
    }

    /// Handles effects that need a task's memory manager, and lets physmem's clock run.
    pub(crate) fn settle(&mut self) {
        let now = self.sys.time;
        let effects = self.sys.physmem.tick(now);
        Env::new(&mut self.sys, 0).apply_effects(effects);
        while let Some(effect) = self.sys.pending.pop_front() {
            crate::pressure::deliver(self, effect);
        }
    }

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

    /// Sets or clears a breakpoint at a linear address (all tasks share the check).
    pub fn set_breakpoint(&mut self, eip: u32, on: bool) {
        let bps = self.sys.machine.breakpoints_mut();
        if on {
            bps.insert(eip);
            self.breakpoints.insert(eip);
        } else {
            bps.remove(&eip);
            self.breakpoints.remove(&eip);
        }
    }

    /// Addresses with a breakpoint.
    pub fn breakpoints(&self) -> &std::collections::BTreeSet<u32> {
        &self.breakpoints
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
