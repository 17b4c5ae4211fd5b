//! Scenarios: the small file that names RAM size, seed and each task's program,
//! frames and policy. A scenario is what a saved file and a shared URL contain.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::files::{DiskSpec, FileEntry, FsSpec};
use crate::presets;

/// Most frames of RAM a scenario may ask for (256 MiB).
pub const MAX_RAM_FRAMES: u32 = 65536;
/// Most tasks one scenario may run.
pub const MAX_TASKS: usize = 16;
/// Longest program source accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;

/// The language of a task's program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// NASM-style i386 assembly.
    Asm,
    /// C, compiled by selfpage-cc.
    C,
}

/// A whole playground set-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Title shown in the UI.
    #[serde(default = "default_name")]
    pub name: String,
    /// Frames of physical RAM (4 KiB each).
    #[serde(default = "default_ram_frames")]
    pub ram_frames: u32,
    /// Frames kept by the kernel for page tables; the rest goes to physmem.
    #[serde(default)]
    pub kernel_frames: Option<u32>,
    /// Seed for every random choice in the run.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Instruction budget for the whole run.
    #[serde(default = "default_max_steps")]
    pub max_steps: u64,
    /// Whether the kernel invalidates TLB entries after changing a PTE. `false` shows what
    /// a forgotten INVLPG does: stale translations stay in use.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub invlpg: bool,
    /// The tasks, started in this order.
    #[serde(rename = "task", alias = "tasks", default)]
    pub tasks: Vec<TaskSpec>,
    /// The ramdisk, if the scenario has files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<DiskSpec>,
    /// The file server's frames and cache policy (defaults if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs: Option<FsSpec>,
    /// The files put on the disk at boot.
    #[serde(rename = "file", default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileEntry>,
}

/// One task of a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    /// Name shown in the UI.
    pub name: String,
    /// Assembly source of the workload, inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Name of a built-in workload, instead of `source` (names ending in `.c` are C).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Language of `source`: `"asm"` (the default) or `"c"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Frames physmem guarantees to the task.
    pub guaranteed: u32,
    /// Frames the task may hold beyond its guarantee while memory is free.
    #[serde(default)]
    pub extra: u32,
    /// Eviction policy of the task's pager.
    #[serde(default = "default_policy")]
    pub policy: String,
    /// Whether the task ignores physmem's requests to return frames.
    #[serde(default)]
    pub ignore_pressure: bool,
    /// Logical time at which the task arrives (0: at boot). Its guarantee is granted then,
    /// so a late task can put pressure on tasks holding extra frames.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_at: u64,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn default_name() -> String {
    "Untitled".into()
}
fn default_ram_frames() -> u32 {
    256
}
fn default_seed() -> u64 {
    1
}
fn default_max_steps() -> u64 {
    10_000_000
}
fn default_policy() -> String {
    "lru".into()
}

/// Why a scenario was refused: the field and the reason.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ScenarioError {
    /// The text is not valid TOML or JSON for a scenario.
    #[error("cannot read the scenario: {0}")]
    Syntax(String),
    /// A field has a value the playground cannot use.
    #[error("{field}: {reason}")]
    Field {
        /// Path of the field, e.g. `task[1].guaranteed`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

fn field(field: impl Into<String>, reason: impl Into<String>) -> ScenarioError {
    ScenarioError::Field {
        field: field.into(),
        reason: reason.into(),
    }
}

impl Scenario {
    /// Reads a scenario from TOML.
    ///
    /// # Errors
    /// A syntax error, or the first field that is out of range.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Syntax(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// Reads a scenario from JSON (the form a URL carries).
    ///
    /// # Errors
    /// A syntax error, or the first field that is out of range.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario =
            serde_json::from_str(text).map_err(|e| ScenarioError::Syntax(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// The scenario as TOML, for saving.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// The scenario as compact JSON, for URLs.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Frames kept by the kernel for page directories and page tables.
    /// By default an eighth of RAM, and at least four per task (a page directory and the
    /// tables for text, heap and stack), but never more than half of RAM.
    pub fn kernel_frames(&self) -> u32 {
        self.kernel_frames.unwrap_or_else(|| {
            let per_task = 4 * self.tasks.len() as u32 + 4;
            (self.ram_frames / 8)
                .clamp(4, 1024)
                .max(per_task)
                .min(self.ram_frames / 2)
        })
    }

    /// Checks every field; the error names the first bad one.
    ///
    /// # Errors
    /// The field and why it cannot be used.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if !(16..=MAX_RAM_FRAMES).contains(&self.ram_frames) {
            return Err(field(
                "ram_frames",
                format!(
                    "must be between 16 and {MAX_RAM_FRAMES}, not {}",
                    self.ram_frames
                ),
            ));
        }
        let kernel = self.kernel_frames();
        if kernel < 2 || kernel >= self.ram_frames {
            return Err(field(
                "kernel_frames",
                format!(
                    "must be at least 2 and less than ram_frames ({})",
                    self.ram_frames
                ),
            ));
        }
        if self.max_steps == 0 {
            return Err(field("max_steps", "must be at least 1"));
        }
        if self.tasks.is_empty() {
            return Err(field("task", "a scenario needs at least one task"));
        }
        if self.tasks.len() > MAX_TASKS {
            return Err(field(
                "task",
                format!("at most {MAX_TASKS} tasks, not {}", self.tasks.len()),
            ));
        }
        let physmem_frames = self.ram_frames - kernel;
        let mut guaranteed = 0u64;
        for (i, t) in self.tasks.iter().enumerate() {
            let at = |f: &str| format!("task[{i}].{f}");
            if t.name.trim().is_empty() {
                return Err(field(at("name"), "must not be empty"));
            }
            match (&t.source, &t.preset) {
                (Some(_), Some(_)) => {
                    return Err(field(
                        at("source"),
                        "give either source or preset, not both",
                    ))
                }
                (None, None) => {
                    return Err(field(at("source"), "give the program as source or preset"))
                }
                (Some(src), None) if src.len() > MAX_SOURCE_BYTES => {
                    return Err(field(
                        at("source"),
                        format!("longer than {MAX_SOURCE_BYTES} bytes"),
                    ))
                }
                (None, Some(p)) if presets::program(p).is_none() => {
                    return Err(field(
                        at("preset"),
                        format!(
                            "no built-in workload named '{p}' (known: {})",
                            presets::program_names().join(", ")
                        ),
                    ))
                }
                _ => {}
            }
            match (t.lang.as_deref(), &t.preset) {
                (None | Some("asm") | Some("c"), None) | (None, Some(_)) => {}
                (Some(_), Some(_)) => {
                    return Err(field(
                        at("lang"),
                        "a preset has its own language; give lang only with source",
                    ))
                }
                (Some(l), None) => {
                    return Err(field(
                        at("lang"),
                        format!("unknown language '{l}' (known: asm, c)"),
                    ))
                }
            }
            if t.guaranteed == 0 {
                return Err(field(
                    at("guaranteed"),
                    "a task needs at least 1 guaranteed frame",
                ));
            }
            if libhurd_mm::PolicyKind::parse(&t.policy).is_none() {
                return Err(field(
                    at("policy"),
                    format!(
                        "unknown policy '{}' (known: {})",
                        t.policy,
                        libhurd_mm::PolicyKind::NAMES.join(", ")
                    ),
                ));
            }
            guaranteed += u64::from(t.guaranteed);
        }
        guaranteed += u64::from(crate::files::validate(self)?);
        if guaranteed > u64::from(physmem_frames) {
            return Err(field(
                "task",
                format!(
                    "the guarantees add up to {guaranteed} frames, but physmem has only {physmem_frames} ({} of RAM minus {kernel} for the kernel)",
                    self.ram_frames
                ),
            ));
        }
        Ok(())
    }

    /// The language of task `i`'s program: C for `lang = "c"` or a `.c` preset.
    pub fn lang_of(&self, i: usize) -> Lang {
        let Some(t) = self.tasks.get(i) else {
            return Lang::Asm;
        };
        let c = match &t.preset {
            Some(p) => p.ends_with(".c"),
            None => t.lang.as_deref() == Some("c"),
        };
        if c {
            Lang::C
        } else {
            Lang::Asm
        }
    }

    /// The program source of task `i`: inline, or the preset's text.
    pub fn source_of(&self, i: usize) -> Option<&str> {
        let t = self.tasks.get(i)?;
        t.source
            .as_deref()
            .or_else(|| t.preset.as_deref().and_then(presets::program))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
name = "one"
ram_frames = 64
seed = 7

[[task]]
name = "reader"
preset = "first-fault"
guaranteed = 8
"#;

    #[test]
    fn toml_and_json_forms_agree() {
        let s = Scenario::from_toml(ONE).expect("valid");
        assert_eq!(s.tasks[0].policy, "lru");
        let back = Scenario::from_json(&s.to_json()).expect("json round trip");
        assert_eq!(back, s);
        assert_eq!(
            Scenario::from_toml(&s.to_toml()).expect("toml round trip"),
            s
        );
    }

    #[test]
    fn errors_name_the_field() {
        let bad = ONE.replace("guaranteed = 8", "guaranteed = 0");
        let e = Scenario::from_toml(&bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            "task[0].guaranteed: a task needs at least 1 guaranteed frame"
        );
        let bad = ONE.replace("first-fault", "nope");
        assert!(Scenario::from_toml(&bad)
            .unwrap_err()
            .to_string()
            .starts_with("task[0].preset: no built-in workload named 'nope'"));
        let bad = ONE.replace("ram_frames = 64", "ram_frames = 70000");
        assert!(Scenario::from_toml(&bad)
            .unwrap_err()
            .to_string()
            .starts_with("ram_frames:"));
        let bad = ONE.replace("guaranteed = 8", "guaranteed = 800");
        assert!(Scenario::from_toml(&bad)
            .unwrap_err()
            .to_string()
            .contains("guarantees add up to 800"));
        let bad = ONE.replace("seed = 7", "sede = 7");
        assert!(matches!(
            Scenario::from_toml(&bad),
            Err(ScenarioError::Syntax(_))
        ));
    }
}
