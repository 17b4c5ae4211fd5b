//! Challenges: a task for the student (change a program or a scenario), graded from the
//! real run against LRU and Belady's OPT. One TOML file per challenge under
//! `core/challenges/`: `title`, `lesson` (the lesson that teaches it), `start` (the preset
//! it begins from), `task` and `hint` (Markdown), `[[edit]]`s (`from`/`to` text changes
//! that turn the preset's first program into the starting program), `goal` (a [`Goal`]),
//! optionally `lru` (a preset whose run is the LRU baseline), `refs` (the program's page
//! reference string, for OPT and simulated LRU) and `free_frames` (whether the student
//! may change frames and policies).

use serde::{Deserialize, Serialize};

use crate::{presets, Scenario, Session, Stopped, Summary};
use libhurd_mm::{simulate, PolicyKind};

/// The challenge sources: (file stem, TOML).
const SOURCES: &[(&str, &str)] = &[
    (
        "1-own-eviction",
        include_str!("../challenges/1-own-eviction.toml"),
    ),
    (
        "2-buffer-pool-hints",
        include_str!("../challenges/2-buffer-pool-hints.toml"),
    ),
    (
        "3-stale-tlb",
        include_str!("../challenges/3-stale-tlb.toml"),
    ),
];

/// Why a challenge cannot be loaded or a submission not graded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    /// The TOML does not parse.
    #[error("challenge {0}: {1}")]
    Parse(String, String),
    /// No challenge has this number.
    #[error("there is no challenge {0}: the challenges are numbered 1 to {1}")]
    NoChallenge(usize, usize),
    /// The starting preset is missing or its text edits do not apply.
    #[error("challenge {0} cannot build its starting program: {1}")]
    Start(usize, String),
    /// The submission changes what the challenge keeps fixed.
    #[error("{0}")]
    Changed(String),
    /// The submission does not boot (e.g. its program does not assemble).
    #[error("your scenario does not load: {0}")]
    Boot(String),
}

/// What the submission must achieve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Goal {
    /// Faults at most `percent` % of OPT's on the reference string.
    VsOpt {
        /// Allowed percentage.
        percent: u64,
    },
    /// Faults at most `percent` % of the LRU baseline's.
    VsLru {
        /// Allowed percentage.
        percent: u64,
    },
    /// Every task exits with code 0.
    ExitsCleanly,
}

/// A page reference string the simulator replays for OPT and LRU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Refs {
    /// Pages `0..pages` in order, `rounds` times, over `frames` data frames.
    Cyclic {
        /// Pages scanned.
        pages: u32,
        /// Rounds.
        rounds: u32,
        /// Frames for data.
        frames: u32,
    },
    /// db-pool.asm: index pages 0..6, then 4 table pages (100..164) per query, 40 queries.
    DbPool {
        /// Frames for data.
        frames: u32,
    },
}

impl Refs {
    /// The reference string and the frames.
    pub fn string(self) -> (Vec<u32>, u32) {
        match self {
            Refs::Cyclic {
                pages,
                rounds,
                frames,
            } => ((0..rounds).flat_map(|_| 0..pages).collect(), frames),
            Refs::DbPool { frames } => {
                let mut refs = Vec::new();
                let mut next = 0;
                for _ in 0..40 {
                    refs.extend(0..6);
                    for _ in 0..4 {
                        refs.push(100 + next);
                        next = (next + 1) % 64;
                    }
                }
                (refs, frames)
            }
        }
    }

    /// Misses of `kind` on the string.
    pub fn misses(self, kind: PolicyKind) -> u64 {
        let (refs, frames) = self.string();
        u64::from(simulate(kind, frames, &refs, 1).misses)
    }
}

/// A text change applied to the preset's program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    /// Text to find.
    pub from: String,
    /// What replaces it.
    pub to: String,
}

/// One challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// Its number, from 1 (from the file name).
    #[serde(skip)]
    pub number: usize,
    /// Title.
    pub title: String,
    /// The lesson that teaches what it needs.
    pub lesson: usize,
    /// The preset it starts from.
    pub start: String,
    /// What to do (Markdown).
    pub task: String,
    /// A nudge.
    pub hint: String,
    /// What the run must achieve.
    pub goal: Goal,
    /// A preset whose run is the LRU baseline.
    #[serde(default)]
    pub lru: Option<String>,
    /// The reference string for OPT (and simulated LRU).
    #[serde(default)]
    pub refs: Option<Refs>,
    /// Whether frames and policies may change.
    #[serde(default)]
    pub free_frames: bool,
    /// Changes to the preset's program that make the starting program.
    #[serde(default)]
    pub edit: Vec<Edit>,
}

/// Faults and time of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Score {
    /// Page faults of all tasks.
    pub faults: u64,
    /// Logical time at the end, when known (OPT is simulated: no time).
    pub time: Option<u64>,
}

/// The graded result of a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The submission's run.
    pub yours: Score,
    /// The LRU baseline.
    pub lru: Option<Score>,
    /// OPT on the reference string.
    pub opt: Option<Score>,
    /// Whether the goal is met.
    pub met: bool,
    /// Why, in a sentence.
    pub reason: String,
    /// The submission's task statuses, e.g. "exited 0".
    pub statuses: Vec<String>,
}

impl Challenge {
    /// The starting scenario: the preset with its first task's program edited.
    ///
    /// # Errors
    /// The preset is missing or an edit's text is not in its program.
    pub fn start_scenario(&self) -> Result<Scenario, ChallengeError> {
        let err = |m: String| ChallengeError::Start(self.number, m);
        let mut s = presets::scenario(&self.start)
            .ok_or_else(|| err(format!("no preset {}", self.start)))?;
        if !self.edit.is_empty() {
            let mut source = s
                .source_of(0)
                .ok_or_else(|| err("the first task has no program".into()))?
                .to_string();
            for e in &self.edit {
                if !source.contains(e.from.trim_start_matches('\n')) {
                    return Err(err(format!("the program has no “{}”", e.from.trim())));
                }
                source = source.replacen(
                    e.from.trim_start_matches('\n'),
                    e.to.trim_start_matches('\n'),
                    1,
                );
            }
            if let Some(t) = s.tasks.get_mut(0) {
                t.source = Some(source);
                t.preset = None;
            }
        }
        s.name = format!("Challenge {}: {}", self.number, self.title);
        Ok(s)
    }

    /// Grades a submitted scenario by running it to the end.
    ///
    /// # Errors
    /// The submission changes what the challenge keeps fixed, or does not boot.
    pub fn grade(&self, submitted: &Scenario) -> Result<Verdict, ChallengeError> {
        let start = self.start_scenario()?;
        self.check_fixed(&start, submitted)?;
        let mut s =
            Session::new(submitted.clone()).map_err(|e| ChallengeError::Boot(e.to_string()))?;
        let stop = s.run_to_end();
        let sum = s.summary();
        let yours = score(&sum);
        let lru = match &self.lru {
            Some(name) => Some(run_preset(name)?),
            None => self.refs.map(|r| Score {
                faults: r.misses(PolicyKind::Lru),
                time: None,
            }),
        };
        let opt = self.refs.map(|r| Score {
            faults: r.misses(PolicyKind::Opt),
            time: None,
        });
        let statuses: Vec<String> = sum.tasks.iter().map(|t| t.status.clone()).collect();
        let all_exit_0 = stop == Stopped::AllDone && statuses.iter().all(|st| st == "exited 0");
        let (met, reason) = match self.goal {
            _ if !all_exit_0 && stop != Stopped::AllDone => (
                false,
                "the run did not finish within its instruction budget".to_string(),
            ),
            Goal::ExitsCleanly => (
                all_exit_0,
                if all_exit_0 {
                    "every task exited 0: the program found all its pages intact".into()
                } else {
                    format!("a task did not exit 0: {}", statuses.join(", "))
                },
            ),
            Goal::VsOpt { percent } => {
                within(yours.faults, opt, percent, "OPT", all_exit_0, &statuses)
            }
            Goal::VsLru { percent } => {
                within(yours.faults, lru, percent, "LRU", all_exit_0, &statuses)
            }
        };
        Ok(Verdict {
            yours,
            lru,
            opt,
            met,
            reason,
            statuses,
        })
    }

    /// Refuses a submission that changed frames, tasks or the INVLPG switch when the
    /// challenge keeps them.
    fn check_fixed(&self, start: &Scenario, s: &Scenario) -> Result<(), ChallengeError> {
        if s.invlpg != start.invlpg {
            return Err(ChallengeError::Changed(
                "this challenge keeps the kernel's INVLPG switch as it is".into(),
            ));
        }
        if s.tasks.len() != start.tasks.len() {
            return Err(ChallengeError::Changed(format!(
                "this challenge has {} task(s): keep them",
                start.tasks.len()
            )));
        }
        if self.free_frames {
            return Ok(());
        }
        let same = s.ram_frames == start.ram_frames
            && s.tasks.iter().zip(&start.tasks).all(|(a, b)| {
                a.guaranteed == b.guaranteed && a.extra == b.extra && a.policy == b.policy
            });
        if same {
            Ok(())
        } else {
            Err(ChallengeError::Changed(
                "this challenge keeps the frames and the policy: change only the program".into(),
            ))
        }
    }
}

/// Whether `faults` is within `percent` % of the baseline.
fn within(
    faults: u64,
    base: Option<Score>,
    percent: u64,
    name: &str,
    exited: bool,
    statuses: &[String],
) -> (bool, String) {
    let Some(base) = base else {
        return (false, format!("no {name} baseline to compare with"));
    };
    if !exited {
        return (
            false,
            format!("the program must still exit 0: {}", statuses.join(", ")),
        );
    }
    let limit = base.faults * percent / 100;
    if faults <= limit {
        (
            true,
            format!(
                "{faults} faults: within {percent} % of {name}'s {} (at most {limit})",
                base.faults
            ),
        )
    } else {
        (
            false,
            format!(
                "{faults} faults: more than {percent} % of {name}'s {} (at most {limit})",
                base.faults
            ),
        )
    }
}

fn score(sum: &Summary) -> Score {
    Score {
        faults: sum.tasks.iter().map(|t| t.faults).sum(),
        time: Some(sum.time),
    }
}

fn run_preset(name: &str) -> Result<Score, ChallengeError> {
    let scenario =
        presets::scenario(name).ok_or_else(|| ChallengeError::Boot(format!("no preset {name}")))?;
    let mut s = Session::new(scenario).map_err(|e| ChallengeError::Boot(e.to_string()))?;
    s.run_to_end();
    Ok(score(&s.summary()))
}

/// Every challenge, in order.
///
/// # Errors
/// A source does not parse (the challenge tests keep this from shipping).
pub fn all() -> Result<Vec<Challenge>, ChallengeError> {
    (1..=SOURCES.len()).map(challenge).collect()
}

/// How many challenges there are.
pub fn count() -> usize {
    SOURCES.len()
}

/// Challenge `number` (from 1).
///
/// # Errors
/// No challenge has that number, or its source does not parse.
pub fn challenge(number: usize) -> Result<Challenge, ChallengeError> {
    let (slug, text) = number
        .checked_sub(1)
        .and_then(|i| SOURCES.get(i))
        .ok_or(ChallengeError::NoChallenge(number, SOURCES.len()))?;
    let mut c: Challenge = toml::from_str(text)
        .map_err(|e| ChallengeError::Parse((*slug).to_string(), e.to_string()))?;
    c.number = number;
    Ok(c)
}
