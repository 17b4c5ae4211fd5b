//! The one API front ends use: load a scenario, step and run, step back, inspect.

use serde::{Deserialize, Serialize};

use crate::kernel::{Kernel, KernelConfig, LoadError, Stopped, Until};
use crate::scenario::Scenario;

/// Fewest instructions between two snapshots (small machines).
const SNAPSHOT_EVERY: u64 = 50_000;
/// Bytes of RAM a snapshot copies per instruction of distance between snapshots at most:
/// larger machines snapshot less often, so copying RAM stays a small part of running
/// (16 MiB of RAM: a snapshot every 4,194,304 instructions, a few milliseconds of copying
/// per 100 ms of running, and a step back replays at most that many instructions).
const SNAPSHOT_BYTES_PER_INSTRUCTION: u64 = 4;
/// Snapshots kept; when full, every other one is dropped, so they thin out towards the past.
const MAX_SNAPSHOTS: usize = 32;
/// Bytes of emulated RAM all snapshots together may hold; large machines keep fewer.
const SNAPSHOT_RAM_BUDGET: u64 = 256 << 20;

/// A running scenario with its history.
pub struct Session {
    scenario: Scenario,
    kernel: Kernel,
    /// The state right after boot: every moment can be replayed from it.
    boot: Kernel,
    /// Snapshots in order of retired instructions.
    snapshots: Vec<Kernel>,
}

/// A summary of one task, for the CLI and tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSummary {
    /// Task id.
    pub id: u32,
    /// Name.
    pub name: String,
    /// Instructions retired.
    pub instructions: u64,
    /// Page faults.
    pub faults: u64,
    /// Pages read back from swap.
    pub page_ins: u64,
    /// Pages written to swap.
    pub page_outs: u64,
    /// Pages that gave up their frame.
    pub evictions: u64,
    /// Frames the task holds now.
    pub frames_held: u32,
    /// "running", "exited 0", or "killed: reason".
    pub status: String,
    /// What it printed.
    pub output: String,
}

/// A summary of a whole run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Logical time at the end.
    pub time: u64,
    /// Instructions retired by all tasks.
    pub instructions: u64,
    /// Trace records.
    pub events: u64,
    /// Trace hash, as 16 hex digits.
    pub trace_hash: String,
    /// TLB lookups that hit.
    pub tlb_hits: u64,
    /// TLB lookups that walked the page tables.
    pub tlb_misses: u64,
    /// Per task.
    pub tasks: Vec<TaskSummary>,
    /// The file server's and the ramdisk's counters, if the scenario has a disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<fs::FsStats>,
}

impl Session {
    /// Boots a scenario.
    ///
    /// # Errors
    /// The scenario is invalid or a program does not assemble.
    pub fn new(scenario: Scenario) -> Result<Session, LoadError> {
        let config = KernelConfig {
            invlpg: scenario.invlpg,
            ..KernelConfig::default()
        };
        Session::with_config(scenario, config)
    }

    /// Boots a scenario with a kernel configuration.
    ///
    /// # Errors
    /// The scenario is invalid or a program does not assemble.
    pub fn with_config(scenario: Scenario, config: KernelConfig) -> Result<Session, LoadError> {
        let kernel = Kernel::boot(&scenario, config)?;
        Ok(Session {
            scenario,
            boot: kernel.snapshot(),
            kernel,
            snapshots: Vec::new(),
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The kernel, for inspection.
    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    /// The state right after boot.
    pub(crate) fn boot(&self) -> &Kernel {
        &self.boot
    }

    /// The kernel, for changes such as breakpoints.
    pub fn kernel_mut(&mut self) -> &mut Kernel {
        &mut self.kernel
    }

    /// Back to the state right after boot.
    pub fn reset(&mut self) {
        self.restore(self.boot.clone());
        self.snapshots.clear();
    }

    /// Runs until `until`, at most `budget` instructions (and never past the scenario's
    /// budget), keeping snapshots on the way.
    pub fn run(&mut self, budget: u64, until: Until) -> Stopped {
        let mut left = budget.min(
            self.scenario
                .max_steps
                .saturating_sub(self.kernel.retired()),
        );
        if left == 0 {
            return Stopped::Budget;
        }
        let every = self.snapshot_every();
        loop {
            let to_snapshot = every - self.kernel.retired() % every;
            let before = self.kernel.retired();
            let stop = self.kernel.run(left.min(to_snapshot), until);
            let ran = self.kernel.retired() - before;
            left -= ran.min(left);
            if ran > 0 && self.kernel.retired() % every == 0 {
                self.snapshot();
            }
            if stop != Stopped::Budget || left == 0 {
                return stop;
            }
        }
    }

    /// Executes one instruction (serving any fault or gate call it raises).
    pub fn step(&mut self) -> Stopped {
        self.run(1, Until::Budget)
    }

    /// Runs to the end of the scenario's budget or until every task is done.
    pub fn run_to_end(&mut self) -> Stopped {
        self.run(u64::MAX, Until::Budget)
    }

    /// Instructions between two snapshots: at least [`SNAPSHOT_EVERY`], more on large
    /// machines, whose snapshots copy more RAM.
    pub fn snapshot_every(&self) -> u64 {
        SNAPSHOT_EVERY.max(self.ram_bytes() / SNAPSHOT_BYTES_PER_INSTRUCTION)
    }

    /// Bytes of emulated RAM.
    fn ram_bytes(&self) -> u64 {
        u64::from(self.kernel.machine().ram().frames()) * u64::from(x86_emu::PAGE_SIZE)
    }

    /// Snapshots held now, the state after boot included; each holds a copy of RAM.
    pub fn snapshots_held(&self) -> usize {
        self.snapshots.len() + 1
    }

    /// How many snapshots fit the memory budget for this machine's RAM (at least 2).
    pub fn snapshot_limit(&self) -> usize {
        ((SNAPSHOT_RAM_BUDGET / self.ram_bytes().max(1)) as usize).clamp(2, MAX_SNAPSHOTS)
    }

    /// Makes a snapshot the current state, with its trace records taken from the present.
    fn restore(&mut self, mut snapshot: Kernel) {
        snapshot.refill_trace(self.kernel.trace());
        self.kernel = snapshot;
    }

    fn snapshot(&mut self) {
        if self.snapshots.len() >= self.snapshot_limit() {
            let mut keep = false;
            self.snapshots.retain(|_| {
                keep = !keep;
                keep
            });
        }
        self.snapshots.push(self.kernel.snapshot());
    }

    /// Goes back to the moment `instructions` had been retired, replaying from the nearest
    /// earlier snapshot. Deterministic: the state is exactly what it was then.
    pub fn rewind_to(&mut self, instructions: u64) {
        let target = instructions.min(self.kernel.retired());
        self.snapshots.retain(|s| s.retired() <= target);
        self.restore(self.snapshots.last().unwrap_or(&self.boot).clone());
        while self.kernel.retired() < target {
            let want = target - self.kernel.retired();
            if self.kernel.run(want, Until::Budget) == Stopped::AllDone {
                break;
            }
        }
    }

    /// Goes to the moment trace record `seq` was written (just after the kernel step that
    /// wrote it), replaying from the nearest earlier snapshot. `false` if the run never
    /// got that far.
    pub fn goto_event(&mut self, seq: u64) -> bool {
        if seq >= self.kernel.trace().len() {
            return false;
        }
        self.snapshots.retain(|s| s.trace().len() <= seq);
        self.restore(self.snapshots.last().unwrap_or(&self.boot).clone());
        if self.kernel.trace().len() > seq {
            return true;
        }
        matches!(
            self.kernel.run(u64::MAX, Until::Record(seq)),
            Stopped::Event { .. }
        )
    }

    /// Undoes the last instruction.
    pub fn step_back(&mut self) {
        self.rewind_to(self.kernel.retired().saturating_sub(1));
    }

    /// Summary of the run so far.
    pub fn summary(&self) -> Summary {
        let k = &self.kernel;
        Summary {
            scenario: self.scenario.name.clone(),
            seed: self.scenario.seed,
            time: k.time(),
            instructions: k.retired(),
            events: k.trace().len(),
            trace_hash: format!("{:016x}", k.trace().hash()),
            tlb_hits: k.machine().tlb().hits(),
            tlb_misses: k.machine().tlb().misses(),
            tasks: k
                .tasks()
                .map(|t| crate::views::task_summary(k, t))
                .collect(),
            files: k.file_server().map(|f| f.stats()),
        }
    }
}
