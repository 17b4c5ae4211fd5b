//! Numbers a lesson reads from a finished run: the rows of its "Measured" table and the
//! values its questions are graded against.

use serde::{Deserialize, Serialize};

use super::LessonError;
use crate::session::{Session, Summary, TaskSummary};
use crate::{presets, Stopped};

/// A quantity of a finished run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Quantity {
    /// Page faults of the task (of all tasks when none is named).
    Faults,
    /// Pages read back from swap.
    PageIns,
    /// Pages written to swap.
    PageOuts,
    /// Pages that gave up their frame.
    Evictions,
    /// Instructions retired (by the task, or by all tasks).
    Instructions,
    /// The task's exit code.
    ExitCode,
    /// Logical time at the end of the run.
    Time,
    /// TLB lookups that hit.
    TlbHits,
    /// TLB lookups that walked the page tables.
    TlbMisses,
    /// Trace records of the kind named by `event`.
    Events,
}

impl Quantity {
    /// The column heading in a "Measured" table.
    pub fn heading(self) -> &'static str {
        match self {
            Quantity::Faults => "faults",
            Quantity::PageIns => "page-ins",
            Quantity::PageOuts => "page-outs",
            Quantity::Evictions => "evictions",
            Quantity::Instructions => "instructions",
            Quantity::ExitCode => "exit code",
            Quantity::Time => "time",
            Quantity::TlbHits => "TLB hits",
            Quantity::TlbMisses => "TLB misses",
            Quantity::Events => "events",
        }
    }
}

/// One number measured on a preset scenario run to its end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Preset scenario name.
    pub scenario: String,
    /// Task name, for per-task quantities in a scenario with several tasks.
    #[serde(default)]
    pub task: Option<String>,
    /// What to read.
    pub of: Quantity,
    /// The event kind, for `of = "events"`.
    #[serde(default)]
    pub event: Option<String>,
}

/// A preset scenario run to its end.
pub struct Finished {
    /// The session, stopped at the end.
    pub session: Session,
    /// Its summary.
    pub summary: Summary,
}

/// Boots preset `name` and runs it to the end.
///
/// # Errors
/// There is no such preset, it does not boot, or it does not finish within its budget.
pub fn finish(name: &str) -> Result<Finished, LessonError> {
    let scenario =
        presets::scenario(name).ok_or_else(|| LessonError::NoScenario(name.to_string()))?;
    let mut session =
        Session::new(scenario).map_err(|e| LessonError::Boot(name.to_string(), e.to_string()))?;
    if session.run_to_end() != Stopped::AllDone {
        return Err(LessonError::Unfinished(name.to_string()));
    }
    let summary = session.summary();
    Ok(Finished { session, summary })
}

impl Measure {
    /// Reads the quantity from `run`, a finished run of `self.scenario`.
    ///
    /// # Errors
    /// The task is not in the run, or its exit code is asked for and it did not exit.
    pub fn read(&self, run: &Finished) -> Result<u64, LessonError> {
        let tasks = tasks_named(&run.summary, self.task.as_deref())?;
        let sum = |f: fn(&TaskSummary) -> u64| tasks.iter().map(|t| f(t)).sum::<u64>();
        Ok(match self.of {
            Quantity::Faults => sum(|t| t.faults),
            Quantity::PageIns => sum(|t| t.page_ins),
            Quantity::PageOuts => sum(|t| t.page_outs),
            Quantity::Evictions => sum(|t| t.evictions),
            Quantity::Instructions if self.task.is_none() => run.summary.instructions,
            Quantity::Instructions => sum(|t| t.instructions),
            Quantity::ExitCode => {
                let [t] = tasks.as_slice() else {
                    return Err(LessonError::WhichTask(self.scenario.clone()));
                };
                t.status
                    .strip_prefix("exited ")
                    .and_then(|c| c.parse().ok())
                    .ok_or_else(|| LessonError::NoExit(t.name.clone(), t.status.clone()))?
            }
            Quantity::Time => run.summary.time,
            Quantity::TlbHits => run.summary.tlb_hits,
            Quantity::TlbMisses => run.summary.tlb_misses,
            Quantity::Events => {
                let kind = self.event.as_deref().unwrap_or_default();
                run.session
                    .kernel()
                    .trace()
                    .records()
                    .iter()
                    .filter(|r| r.event.kind() == kind)
                    .count() as u64
            }
        })
    }

    /// Runs the scenario to its end and reads the quantity.
    ///
    /// # Errors
    /// As [`finish`] and [`Measure::read`].
    pub fn measure(&self) -> Result<u64, LessonError> {
        self.read(&finish(&self.scenario)?)
    }
}

/// The tasks called `name`, or all tasks when no name is given.
fn tasks_named<'a>(
    summary: &'a Summary,
    name: Option<&str>,
) -> Result<Vec<&'a TaskSummary>, LessonError> {
    let Some(name) = name else {
        return Ok(summary.tasks.iter().collect());
    };
    let found: Vec<_> = summary.tasks.iter().filter(|t| t.name == name).collect();
    if found.is_empty() {
        return Err(LessonError::NoTask(
            summary.scenario.clone(),
            name.to_string(),
        ));
    }
    Ok(found)
}

/// One row of a lesson's "Measured" table: what a run of `scenario` measures, checked by
/// the lesson test and printed in the generated Markdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// Preset scenario name.
    pub scenario: String,
    /// Task name, when the row is about one task of several.
    #[serde(default)]
    pub task: Option<String>,
    /// A note for the row (printed after the scenario name).
    #[serde(default)]
    pub note: Option<String>,
    /// Page faults.
    #[serde(default)]
    pub faults: Option<u64>,
    /// Pages read back from swap.
    #[serde(default)]
    pub page_ins: Option<u64>,
    /// Pages written to swap.
    #[serde(default)]
    pub page_outs: Option<u64>,
    /// Evictions.
    #[serde(default)]
    pub evictions: Option<u64>,
    /// Instructions retired.
    #[serde(default)]
    pub instructions: Option<u64>,
    /// TLB lookups that hit.
    #[serde(default)]
    pub tlb_hits: Option<u64>,
    /// TLB lookups that walked the page tables.
    #[serde(default)]
    pub tlb_misses: Option<u64>,
    /// Logical time at the end.
    #[serde(default)]
    pub time: Option<u64>,
    /// The task's status at the end ("exited 0", or the start of "killed: …").
    #[serde(default)]
    pub status: Option<String>,
}

impl Row {
    /// The numeric columns this row fills, in table order.
    pub fn cells(&self) -> [(Quantity, Option<u64>); 8] {
        [
            (Quantity::Faults, self.faults),
            (Quantity::PageIns, self.page_ins),
            (Quantity::PageOuts, self.page_outs),
            (Quantity::Evictions, self.evictions),
            (Quantity::Instructions, self.instructions),
            (Quantity::TlbHits, self.tlb_hits),
            (Quantity::TlbMisses, self.tlb_misses),
            (Quantity::Time, self.time),
        ]
    }

    /// Compares the row with `run`, a finished run of its scenario: one message per value
    /// that differs.
    ///
    /// # Errors
    /// The row's task is not in the run.
    pub fn mismatches(&self, run: &Finished) -> Result<Vec<String>, LessonError> {
        let mut wrong = Vec::new();
        for (of, claimed) in self.cells() {
            let Some(claimed) = claimed else { continue };
            let m = Measure {
                scenario: self.scenario.clone(),
                task: self.task.clone(),
                of,
                event: None,
            };
            let measured = m.read(run)?;
            if measured != claimed {
                wrong.push(format!(
                    "{} {}: the lesson says {claimed}, the run measures {measured}",
                    self.scenario,
                    of.heading()
                ));
            }
        }
        if let Some(status) = &self.status {
            for t in tasks_named(&run.summary, self.task.as_deref())? {
                if !t.status.starts_with(status.as_str()) {
                    wrong.push(format!(
                        "{} status: the lesson says {status}, the run ends {}",
                        self.scenario, t.status
                    ));
                }
            }
        }
        Ok(wrong)
    }
}
