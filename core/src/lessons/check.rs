//! Conditions a lesson step waits for, evaluated against the live session, and the actions
//! that its text asks the student to take.

use serde::{Deserialize, Serialize};

use crate::kernel::{Stopped, Until};
use crate::session::Session;
use crate::views;

/// Present bit of a page-table entry.
const PTE_PRESENT: u32 = 1 << 0;
/// Dirty bit of a page-table entry.
const PTE_DIRTY: u32 = 1 << 6;
/// Instruction budget of one "run to the next ..." action.
const STEP_TO_BUDGET: u64 = 50_000_000;

/// A condition on the session's present state. A step is ticked while its check holds, so
/// stepping back past it un-ticks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Check {
    /// Task `task` has raised its `nth` page fault, and that fault waits for its pager.
    AtFault {
        /// Task id.
        task: u32,
        /// Which fault, from 1.
        nth: u64,
    },
    /// Task `task` has taken at least `count` page faults.
    Faults {
        /// Task id.
        task: u32,
        /// Fewest faults.
        count: u64,
    },
    /// Task `task`'s pager has evicted at least `count` pages.
    Evictions {
        /// Task id.
        task: u32,
        /// Fewest evictions.
        count: u64,
    },
    /// The page-table entry of `vaddr` in task `task` is present (or not, with
    /// `present = false`).
    Pte {
        /// Task id.
        task: u32,
        /// Virtual address.
        vaddr: u32,
        /// Whether the entry must be present.
        present: bool,
    },
    /// The page-table entry of `vaddr` in task `task` is present and dirty.
    Dirty {
        /// Task id.
        task: u32,
        /// Virtual address.
        vaddr: u32,
    },
    /// At least `count` trace records of this kind (`Event::kind`, e.g. "gate", "callback").
    Events {
        /// Event kind.
        event: String,
        /// Fewest records.
        count: u64,
    },
    /// Every task has exited or was killed.
    Ended,
    /// All of these hold.
    All {
        /// The conditions.
        of: Vec<Check>,
    },
}

impl Check {
    /// Whether the condition holds in the session now.
    pub fn holds(&self, s: &Session) -> bool {
        let k = s.kernel();
        match self {
            Check::AtFault { task, nth } => k
                .task(*task)
                .is_some_and(|t| t.fault.is_some() && t.counters.faults == *nth),
            Check::Faults { task, count } => {
                k.task(*task).is_some_and(|t| t.counters.faults >= *count)
            }
            Check::Evictions { task, count } => k
                .task(*task)
                .is_some_and(|t| views::task_summary(k, t).evictions >= *count),
            Check::Pte {
                task,
                vaddr,
                present,
            } => pte(s, *task, *vaddr).is_some_and(|raw| (raw & PTE_PRESENT != 0) == *present),
            Check::Dirty { task, vaddr } => pte(s, *task, *vaddr)
                .is_some_and(|raw| raw & PTE_PRESENT != 0 && raw & PTE_DIRTY != 0),
            Check::Events { event, count } => {
                k.trace()
                    .records()
                    .iter()
                    .filter(|r| r.event.kind() == event)
                    .count() as u64
                    >= *count
            }
            Check::Ended => k.tasks().all(|t| t.state.is_done()),
            Check::All { of } => of.iter().all(|c| c.holds(s)),
        }
    }
}

impl Check {
    /// Whether the condition names task `task` (a lesson may name a forked child, which the
    /// scenario does not list, when its step's check waits for it).
    pub fn names_task(&self, task: u32) -> bool {
        match self {
            Check::AtFault { task: t, .. }
            | Check::Faults { task: t, .. }
            | Check::Evictions { task: t, .. }
            | Check::Pte { task: t, .. }
            | Check::Dirty { task: t, .. } => *t == task,
            Check::Events { .. } | Check::Ended => false,
            Check::All { of } => of.iter().any(|c| c.names_task(task)),
        }
    }
}

/// The raw page-table entry of `vaddr` in task `task`: `Some(0)` when the directory entry
/// is not present, `None` when the task is gone.
fn pte(s: &Session, task: u32, vaddr: u32) -> Option<u32> {
    let w = views::walk(s.kernel(), task, vaddr)?;
    Some(w.levels.get(1).map_or(0, |l| l.raw))
}

/// What a step asks the student to do: the page's buttons and keys, so the native test can
/// follow the text exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Act {
    /// Nothing beyond loading the step's scenario (look at a pane).
    #[default]
    Look,
    /// **Step** (`s`): one instruction.
    Step,
    /// **Next fault** (`f`).
    NextFault,
    /// **Next IPC** (`i`).
    NextIpc,
    /// **Step back** (`b`).
    StepBack,
    /// **Run** (space) to the end.
    RunToEnd,
}

impl Act {
    /// The button and key the page offers for it, for the step's text.
    pub fn label(self) -> &'static str {
        match self {
            Act::Look => "",
            Act::Step => "Step (s)",
            Act::NextFault => "Next fault (f)",
            Act::NextIpc => "Next IPC (i)",
            Act::StepBack => "Step back (b)",
            Act::RunToEnd => "Run (space)",
        }
    }

    /// Does it once to the session, as the page's button does.
    pub fn apply(self, s: &mut Session) -> Option<Stopped> {
        match self {
            Act::Look => None,
            Act::Step => Some(s.step()),
            Act::NextFault => Some(s.run(STEP_TO_BUDGET, Until::Event("fault"))),
            Act::NextIpc => Some(s.run(STEP_TO_BUDGET, Until::Event("ipc"))),
            Act::StepBack => {
                s.step_back();
                None
            }
            Act::RunToEnd => Some(s.run_to_end()),
        }
    }
}
