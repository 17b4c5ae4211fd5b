//! Numbers a lesson reads from a finished run: the rows of its "Measured" table and the
//! values its questions are graded against.

use serde::{Deserialize, Serialize};

use super::LessonError;
use crate::pager::curve::{check_refs, miss_curve, FrameRange};
use crate::pager::PolicyKind;
use crate::session::{Session, Summary, TaskSummary};
use crate::{pager_seed, presets, Stopped};

/// The seed a simulated random policy uses on a reference string (as `selfpage mrc`).
const REFS_SEED: u64 = 1;

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
    /// Faults of `policy` with `frames` frames, simulated on the reference string `refs`
    /// or, without it, on the pages the task touched in the run (what the Miss-ratio
    /// curves pane draws).
    SimulatedFaults,
    /// File pages the file server found in its cache.
    CacheHits,
    /// File pages the file server read from the disk.
    CacheMisses,
    /// File pages the file server's cache evicted.
    CacheEvicted,
    /// Dirty file pages written back to the disk.
    WrittenBack,
    /// Blocks the ramdisk read.
    BlocksRead,
    /// Blocks the ramdisk wrote.
    BlocksWritten,
    /// File pages cached at the end of the run.
    Cached,
    /// Dirty file pages at the end of the run.
    Dirty,
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
            Quantity::SimulatedFaults => "simulated faults",
            Quantity::CacheHits => "cache hits",
            Quantity::CacheMisses => "cache misses",
            Quantity::CacheEvicted => "cache evictions",
            Quantity::WrittenBack => "written back",
            Quantity::BlocksRead => "blocks read",
            Quantity::BlocksWritten => "blocks written",
            Quantity::Cached => "cached at the end",
            Quantity::Dirty => "dirty at the end",
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
    /// The reference string, for `of = "simulated-faults"` (then the scenario is not run).
    #[serde(default)]
    pub refs: Option<Vec<u32>>,
    /// The simulated policy, for `of = "simulated-faults"`.
    #[serde(default)]
    pub policy: Option<PolicyKind>,
    /// The simulated number of frames, for `of = "simulated-faults"`.
    #[serde(default)]
    pub frames: Option<u32>,
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
        let files = || {
            run.summary
                .files
                .ok_or_else(|| LessonError::NoFiles(self.scenario.clone()))
        };
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
            Quantity::SimulatedFaults => return self.simulated(Some(run)),
            Quantity::CacheHits => files()?.cache.hits,
            Quantity::CacheMisses => files()?.cache.misses,
            Quantity::CacheEvicted => files()?.cache.evicted,
            Quantity::WrittenBack => files()?.cache.written_back,
            Quantity::BlocksRead => files()?.disk.blocks_read,
            Quantity::BlocksWritten => files()?.disk.blocks_written,
            Quantity::Cached => u64::from(files()?.cached),
            Quantity::Dirty => u64::from(files()?.dirty),
        })
    }

    /// Runs the scenario to its end and reads the quantity; a simulation on a given
    /// reference string runs no scenario.
    ///
    /// # Errors
    /// As [`finish`] and [`Measure::read`].
    pub fn measure(&self) -> Result<u64, LessonError> {
        if self.of == Quantity::SimulatedFaults && self.refs.is_some() {
            return self.simulated(None);
        }
        self.read(&finish(&self.scenario)?)
    }

    /// Faults of `policy` with `frames` frames on `refs`, or on the recorded references
    /// of the task in `run`.
    fn simulated(&self, run: Option<&Finished>) -> Result<u64, LessonError> {
        let incomplete =
            || LessonError::Simulation("it needs a policy and a number of frames".into());
        let (policy, frames) = (
            self.policy.ok_or_else(incomplete)?,
            self.frames.ok_or_else(incomplete)?,
        );
        let range = FrameRange::new(u64::from(frames), u64::from(frames))
            .map_err(|e| LessonError::Simulation(e.to_string()))?;
        let faults = match (&self.refs, run) {
            (Some(refs), _) => {
                check_refs(refs).map_err(|e| LessonError::Simulation(e.to_string()))?;
                miss_curve(policy, refs, range, REFS_SEED)
            }
            (None, Some(run)) => {
                let tasks = tasks_named(&run.summary, self.task.as_deref())?;
                let [t] = tasks.as_slice() else {
                    return Err(LessonError::WhichTask(self.scenario.clone()));
                };
                let recorded = run.session.references();
                let pages = recorded
                    .task(t.id)
                    .map(|r| r.pages.as_slice())
                    .unwrap_or_default();
                miss_curve(policy, pages, range, pager_seed(run.summary.seed, t.id))
            }
            (None, None) => {
                return Err(LessonError::Simulation(
                    "it needs a run or a reference string".into(),
                ))
            }
        };
        Ok(faults.first().copied().unwrap_or_default())
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
    /// File pages found in the file server's cache.
    #[serde(default)]
    pub cache_hits: Option<u64>,
    /// File pages read from the disk.
    #[serde(default)]
    pub cache_misses: Option<u64>,
    /// File pages the file server's cache evicted.
    #[serde(default)]
    pub cache_evicted: Option<u64>,
    /// Dirty file pages written back.
    #[serde(default)]
    pub written_back: Option<u64>,
    /// Blocks the ramdisk read.
    #[serde(default)]
    pub blocks_read: Option<u64>,
    /// Blocks the ramdisk wrote.
    #[serde(default)]
    pub blocks_written: Option<u64>,
    /// File pages cached at the end.
    #[serde(default)]
    pub cached: Option<u64>,
    /// Dirty file pages at the end.
    #[serde(default)]
    pub dirty: Option<u64>,
    /// The task's status at the end ("exited 0", or the start of "killed: …").
    #[serde(default)]
    pub status: Option<String>,
    /// What the task printed in the whole run.
    #[serde(default)]
    pub output: Option<String>,
}

impl Row {
    /// The numeric columns this row fills, in table order.
    pub fn cells(&self) -> [(Quantity, Option<u64>); 16] {
        [
            (Quantity::Faults, self.faults),
            (Quantity::PageIns, self.page_ins),
            (Quantity::PageOuts, self.page_outs),
            (Quantity::Evictions, self.evictions),
            (Quantity::Instructions, self.instructions),
            (Quantity::TlbHits, self.tlb_hits),
            (Quantity::TlbMisses, self.tlb_misses),
            (Quantity::Time, self.time),
            (Quantity::CacheHits, self.cache_hits),
            (Quantity::CacheMisses, self.cache_misses),
            (Quantity::CacheEvicted, self.cache_evicted),
            (Quantity::WrittenBack, self.written_back),
            (Quantity::BlocksRead, self.blocks_read),
            (Quantity::BlocksWritten, self.blocks_written),
            (Quantity::Cached, self.cached),
            (Quantity::Dirty, self.dirty),
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
                refs: None,
                policy: None,
                frames: None,
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
        if let Some(output) = &self.output {
            for t in tasks_named(&run.summary, self.task.as_deref())? {
                if t.output != *output {
                    wrong.push(format!(
                        "{} output: the lesson says {output:?}, the run prints {:?}",
                        self.scenario, t.output
                    ));
                }
            }
        }
        Ok(wrong)
    }
}
