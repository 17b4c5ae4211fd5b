//! Guided lessons: one TOML file per lesson under `core/lessons/`, from which both the
//! page's Lessons pane and `docs/lessons/*.md` are produced.
//!
//! # The format
//!
//! A file `core/lessons/NN-slug.toml` (NN is the lesson's number) holds:
//!
//! * `title`, `goal` (Markdown), `scenario` (the preset the lesson opens with) and
//!   `scenarios` (Markdown describing the presets it uses); optional `background`.
//! * `[[step]]`s: `text` (Markdown), `check` (a [`Check`] on the live session, e.g.
//!   `{ kind = "at-fault", task = 1, nth = 1 }`), `act` (what the text asks the student
//!   to press: an [`Act`], `times` times) and optionally `scenario` (a preset the step
//!   loads) and `link = { pane = "walk", walk = 0x401000, label = "…" }` (the pane's card
//!   id, and an address to walk), optionally with the single element the step talks
//!   about, a [`Target`]: `target = { kind = "pte", task = 1, vaddr = 0x401000 }` (the
//!   walk's PTE row), `{ kind = "frame", pfn = 9 }` or `{ kind = "frame-of", task = 1,
//!   vaddr = 0x401000 }` (a frame of the frame map), `{ kind = "fault", task = 1, nth = 1 }`
//!   (a fault of the timeline) or `{ kind = "record", event = "mapped", nth = 1 }` (a trace
//!   record; without `nth`, the newest). The loader refuses a target its pane does not show
//!   or its step's scenario cannot have. The page ticks a step while its check holds.
//! * `discuss` (Markdown): open questions for the class.
//! * `[[question]]`s: `text`, `hint`, `explanation` (`{value}` is the measured number) and
//!   `answer`: `{ kind = "number", value = N, measure = { scenario, of, task?, event? } }`
//!   (graded against the run) or `{ kind = "choice", options = […], correct = i }`.
//!   `of = "simulated-faults"` with `policy` and `frames` grades against the simulator:
//!   on `refs = […]`, a reference string (the scenario is then not run), or else on the
//!   pages the task touched in the run (what the Miss-ratio curves pane draws). The file
//!   server's counters are `cache-hits`, `cache-misses`, `cache-evicted`, `written-back`,
//!   `blocks-read`, `blocks-written`, `cached` and `dirty`.
//! * `[[row]]`s of the "Measured" table (scenario, optional task and note, and any of
//!   faults, page_ins, page_outs, evictions, instructions, tlb_hits, tlb_misses, time,
//!   the file counters cache_hits … dirty, status, output), then `measured` (Markdown)
//!   and extra `[[section]]`s (`title`, `body`).
//!
//! `tests/lessons.rs` drives every lesson through its steps (each check must be false
//! before its step and true after it), checks every number question and every table row
//! against the run, and that `docs/lessons/` is what [`markdown`] generates
//! (`cargo xtask lessons` rewrites it).

mod check;
pub mod markdown;
mod measure;
mod question;
mod target;

use serde::{Deserialize, Serialize};

pub use check::{Act, Check};
pub use measure::{finish, Finished, Measure, Quantity, Row};
pub use question::{group_digits, parse_number, Answer, Grade, Question};
pub use target::{check_pane, BadTarget, NotThere, Pointed, Target, PANES};

/// The lesson sources: (file stem, TOML).
const SOURCES: &[(&str, &str)] = &[
    (
        "01-life-of-a-page-fault",
        include_str!("../../lessons/01-life-of-a-page-fault.toml"),
    ),
    (
        "02-lazy-binding",
        include_str!("../../lessons/02-lazy-binding.toml"),
    ),
    (
        "03-cyclic-scan-lru-vs-app",
        include_str!("../../lessons/03-cyclic-scan-lru-vs-app.toml"),
    ),
    (
        "04-buffer-pool-priorities",
        include_str!("../../lessons/04-buffer-pool-priorities.toml"),
    ),
    (
        "05-discardable-cache",
        include_str!("../../lessons/05-discardable-cache.toml"),
    ),
    (
        "06-guaranteed-vs-extra-frames",
        include_str!("../../lessons/06-guaranteed-vs-extra-frames.toml"),
    ),
    (
        "07-access-patterns-and-the-tlb",
        include_str!("../../lessons/07-access-patterns-and-the-tlb.toml"),
    ),
    (
        "08-the-pager-must-never-fault",
        include_str!("../../lessons/08-the-pager-must-never-fault.toml"),
    ),
    (
        "09-forgetting-invlpg",
        include_str!("../../lessons/09-forgetting-invlpg.toml"),
    ),
    (
        "10-copy-on-write",
        include_str!("../../lessons/10-copy-on-write.toml"),
    ),
    (
        "11-beladys-anomaly",
        include_str!("../../lessons/11-beladys-anomaly.toml"),
    ),
    (
        "12-reading-a-miss-ratio-curve",
        include_str!("../../lessons/12-reading-a-miss-ratio-curve.toml"),
    ),
    (
        "13-who-pages-a-file",
        include_str!("../../lessons/13-who-pages-a-file.toml"),
    ),
    (
        "14-shared-and-private-mappings",
        include_str!("../../lessons/14-shared-and-private-mappings.toml"),
    ),
    (
        "15-file-cache-under-pressure",
        include_str!("../../lessons/15-file-cache-under-pressure.toml"),
    ),
];

/// Why a lesson cannot be loaded or measured.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LessonError {
    /// The TOML does not parse.
    #[error("lesson {0}: {1}")]
    Parse(String, String),
    /// No lesson has this number.
    #[error("there is no lesson {0}: the lessons are numbered 1 to {1}")]
    NoLesson(usize, usize),
    /// The lesson has fewer steps.
    #[error("lesson {0} has {1} steps, so there is no step {2}")]
    NoStep(usize, usize, usize),
    /// A preset the lesson names does not exist.
    #[error("there is no preset scenario called {0}")]
    NoScenario(String),
    /// A preset does not boot.
    #[error("the preset {0} does not boot: {1}")]
    Boot(String, String),
    /// A preset does not finish within its instruction budget.
    #[error("the preset {0} does not finish within its instruction budget")]
    Unfinished(String),
    /// A measured task is not in the scenario.
    #[error("the scenario {0} has no task called {1}")]
    NoTask(String, String),
    /// An exit code is asked of a scenario with several tasks and none named.
    #[error("the scenario {0} has several tasks: name the one whose exit code counts")]
    WhichTask(String),
    /// The task did not exit.
    #[error("task {0} did not exit ({1})")]
    NoExit(String, String),
    /// A file counter is asked of a scenario without a file server.
    #[error("the scenario {0} has no file server")]
    NoFiles(String),
    /// A simulated fault count cannot be computed.
    #[error("cannot simulate the faults: {0}")]
    Simulation(String),
    /// A step's link names a pane or an element that cannot be shown.
    #[error("lesson {lesson}, step {step}: the link is wrong: {why}")]
    BadLink {
        /// The lesson's file stem.
        lesson: String,
        /// The step, from 1.
        step: usize,
        /// What is wrong with it.
        why: BadTarget,
    },
}

/// One lesson.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Its number, from 1 (from the file name).
    #[serde(skip)]
    pub number: usize,
    /// Its file stem, e.g. `01-life-of-a-page-fault`.
    #[serde(skip)]
    pub slug: String,
    /// Title.
    pub title: String,
    /// What the student will understand (Markdown).
    pub goal: String,
    /// The preset the lesson opens with.
    pub scenario: String,
    /// The presets it uses, described (Markdown).
    pub scenarios: String,
    /// Background before the steps (Markdown).
    #[serde(default)]
    pub background: Option<String>,
    /// The steps, in order.
    #[serde(default)]
    pub step: Vec<Step>,
    /// Open questions for discussion (Markdown).
    #[serde(default)]
    pub discuss: Option<String>,
    /// Graded questions.
    #[serde(default)]
    pub question: Vec<Question>,
    /// Rows of the "Measured" table.
    #[serde(default)]
    pub row: Vec<Row>,
    /// What was measured, in prose (Markdown).
    #[serde(default)]
    pub measured: Option<String>,
    /// Further sections.
    #[serde(default)]
    pub section: Vec<Section>,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What to do and what to look at (Markdown).
    pub text: String,
    /// The preset this step runs in, when not the lesson's.
    #[serde(default)]
    pub scenario: Option<String>,
    /// What to press.
    #[serde(default)]
    pub act: Act,
    /// How many times.
    #[serde(default = "one")]
    pub times: u32,
    /// The condition that ticks the step.
    pub check: Check,
    /// The pane (and element) the step talks about.
    #[serde(default)]
    pub link: Option<Link>,
}

fn one() -> u32 {
    1
}

/// A link from a step to a pane of the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The pane's card id: walk, tlb, frames, timeline, events, tasks, stats, cpu, editor.
    pub pane: String,
    /// An address to walk, when the pane is the page-table walk.
    #[serde(default)]
    pub walk: Option<u32>,
    /// The single element of the pane the step talks about.
    #[serde(default)]
    pub target: Option<Target>,
    /// The link's text.
    pub label: String,
}

impl Link {
    /// Checks the pane's name, and the target against the pane and the scenario the step
    /// runs in (and the tasks its `step` check waits for).
    fn check(&self, preset: &str, step: &Check) -> Result<(), LinkProblem> {
        check_pane(&self.pane)?;
        if let (Some(walk), Some(Target::Pte { vaddr, .. })) = (self.walk, &self.target) {
            if walk >> 12 != vaddr >> 12 {
                return Err(BadTarget::TwoPages {
                    walk,
                    vaddr: *vaddr,
                }
                .into());
            }
        }
        if let Some(target) = &self.target {
            let scenario = crate::presets::scenario(preset)
                .ok_or_else(|| LessonError::NoScenario(preset.to_string()))?;
            target.check(&self.pane, preset, &scenario, |t| step.names_task(t))?;
        }
        Ok(())
    }
}

/// What [`Link::check`] finds wrong: the link itself, or the scenario it is checked in.
enum LinkProblem {
    Link(BadTarget),
    Lesson(LessonError),
}

impl From<BadTarget> for LinkProblem {
    fn from(e: BadTarget) -> Self {
        LinkProblem::Link(e)
    }
}

impl From<LessonError> for LinkProblem {
    fn from(e: LessonError) -> Self {
        LinkProblem::Lesson(e)
    }
}

/// A further section of a lesson.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Body (Markdown).
    pub body: String,
}

impl Lesson {
    /// The preset a step runs in.
    pub fn step_scenario(&self, step: usize) -> &str {
        self.step
            .get(step)
            .and_then(|s| s.scenario.as_deref())
            .unwrap_or(&self.scenario)
    }

    /// Whether step `step` is done in `session`: the session runs the step's scenario and
    /// the step's check holds.
    pub fn ticked(&self, step: usize, session: &crate::Session) -> bool {
        self.step.get(step).is_some_and(|s| {
            session.scenario().name == preset_title(self.step_scenario(step))
                && s.check.holds(session)
        })
    }

    /// The file name of its Markdown page.
    pub fn doc_file(&self) -> String {
        format!("{}.md", self.slug)
    }
}

/// The `name` field of preset `preset` (what a session reports as its scenario's name).
fn preset_title(preset: &str) -> String {
    crate::presets::scenario(preset)
        .map(|s| s.name)
        .unwrap_or_default()
}

/// Parses one lesson source.
///
/// # Errors
/// The TOML is malformed or has unknown fields (the message names the line), or a step's
/// link names a pane or an element that cannot be shown (the message says why).
pub fn parse(number: usize, slug: &str, text: &str) -> Result<Lesson, LessonError> {
    let mut lesson: Lesson =
        toml::from_str(text).map_err(|e| LessonError::Parse(slug.to_string(), e.to_string()))?;
    lesson.number = number;
    lesson.slug = slug.to_string();
    for (i, step) in lesson.step.iter().enumerate() {
        if let Some(link) = &step.link {
            link.check(lesson.step_scenario(i), &step.check)
                .map_err(|p| match p {
                    LinkProblem::Link(why) => LessonError::BadLink {
                        lesson: slug.to_string(),
                        step: i + 1,
                        why,
                    },
                    LinkProblem::Lesson(e) => e,
                })?;
        }
    }
    Ok(lesson)
}

/// Every lesson, in order.
///
/// # Errors
/// A lesson source does not parse (the lesson test keeps this from shipping).
pub fn all() -> Result<Vec<Lesson>, LessonError> {
    SOURCES
        .iter()
        .enumerate()
        .map(|(i, (slug, text))| parse(i + 1, slug, text))
        .collect()
}

/// How many lessons there are.
pub fn count() -> usize {
    SOURCES.len()
}

/// Lesson `number` (from 1).
///
/// # Errors
/// No lesson has that number, or its source does not parse.
pub fn lesson(number: usize) -> Result<Lesson, LessonError> {
    let (slug, text) = number
        .checked_sub(1)
        .and_then(|i| SOURCES.get(i))
        .ok_or(LessonError::NoLesson(number, SOURCES.len()))?;
    parse(number, slug, text)
}
