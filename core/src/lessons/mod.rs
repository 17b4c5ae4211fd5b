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
//!   id, and an address to walk). The page ticks a step while its check holds.
//! * `discuss` (Markdown): open questions for the class.
//! * `[[question]]`s: `text`, `hint`, `explanation` (`{value}` is the measured number) and
//!   `answer`: `{ kind = "number", value = N, measure = { scenario, of, task?, event? } }`
//!   (graded against the run) or `{ kind = "choice", options = […], correct = i }`.
//! * `[[row]]`s of the "Measured" table (scenario, optional task and note, and any of
//!   faults, page_ins, page_outs, evictions, instructions, tlb_hits, tlb_misses, time,
//!   status), then `measured` (Markdown) and extra `[[section]]`s (`title`, `body`).
//!
//! `tests/lessons.rs` drives every lesson through its steps (each check must be false
//! before its step and true after it), checks every number question and every table row
//! against the run, and that `docs/lessons/` is what [`markdown`] generates
//! (`cargo xtask lessons` rewrites it).

mod check;
pub mod markdown;
mod measure;
mod question;

use serde::{Deserialize, Serialize};

pub use check::{Act, Check};
pub use measure::{finish, Finished, Measure, Quantity, Row};
pub use question::{group_digits, parse_number, Answer, Grade, Question};

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
    /// The link's text.
    pub label: String,
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
/// The TOML is malformed or has unknown fields; the message names the line.
pub fn parse(number: usize, slug: &str, text: &str) -> Result<Lesson, LessonError> {
    let mut lesson: Lesson =
        toml::from_str(text).map_err(|e| LessonError::Parse(slug.to_string(), e.to_string()))?;
    lesson.number = number;
    lesson.slug = slug.to_string();
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
