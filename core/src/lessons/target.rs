//! The single element a step's link points at inside its pane (a page-table entry, a
//! frame, a trace record), checked against the step's scenario when a lesson loads and
//! resolved against the live session when the student follows the link.

use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;
use crate::session::Session;
use crate::trace::Event;
use crate::views;

/// The panes a link may name (the page's card ids), besides `queue-N` (task N's policy queue).
pub const PANES: [&str; 11] = [
    "walk", "tlb", "frames", "timeline", "events", "tasks", "stats", "cpu", "editor", "curves",
    "files",
];

/// An element of a pane, named the way the lesson's prose names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Target {
    /// The page-table entry of `vaddr` in task `task` (the walk pane's PTE row).
    Pte {
        /// Task id.
        task: u32,
        /// Virtual address (any byte of the page).
        vaddr: u32,
    },
    /// Physical frame `pfn` of the frame map.
    Frame {
        /// Frame number.
        pfn: u32,
    },
    /// The frame that holds `vaddr` of task `task` now.
    FrameOf {
        /// Task id.
        task: u32,
        /// Virtual address.
        vaddr: u32,
    },
    /// Task `task`'s `nth` page fault in the fault timeline (its newest when `nth` is left out).
    Fault {
        /// Task id.
        task: u32,
        /// Which fault, from 1.
        #[serde(default)]
        nth: Option<u64>,
    },
    /// The `nth` trace record of a kind (the newest when `nth` is left out).
    Record {
        /// The record's kind, as [`Event::kind`] names it ("mapped", "frame_zeroed", …).
        event: String,
        /// Which one, from 1.
        #[serde(default)]
        nth: Option<u64>,
    },
}

/// A target found in the live session: what the pane marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pointed {
    /// A row of the walk of page `vaddr` in task `task`: `"PTE"`, or `"PDE"` when the walk
    /// stops at the directory (no page table there yet).
    Walk {
        /// Task id.
        task: u32,
        /// The page's address (page aligned).
        vaddr: u32,
        /// The walk pane's row: its `data-level`.
        level: &'static str,
    },
    /// A frame of the frame map.
    Frame {
        /// Frame number.
        pfn: u32,
    },
    /// A trace record, by its sequence number.
    Record {
        /// The record's `seq`.
        seq: u64,
    },
}

/// Why a link's target is wrong in a lesson file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadTarget {
    /// The pane is not one of the page's.
    #[error("there is no pane called “{0}” (the panes are {panes}, and queue-N)", panes = PANES.join(", "))]
    NoPane(String),
    /// The target is not shown by the pane the link names.
    #[error("a {kind} target is shown in the {want} pane, not in “{pane}”")]
    WrongPane {
        /// The target's kind.
        kind: &'static str,
        /// The pane that shows it.
        want: &'static str,
        /// The pane the link names.
        pane: String,
    },
    /// The task is not in the step's scenario.
    #[error("the scenario {scenario} has tasks 1 to {tasks}, so there is no task {task} (a forked child can be named when the step's check waits for it)")]
    NoTask {
        /// The scenario's preset name.
        scenario: String,
        /// Its task count.
        tasks: usize,
        /// The task named.
        task: u32,
    },
    /// The frame number is beyond the scenario's RAM.
    #[error("the scenario {scenario} has {frames} frames (0 to {last}), so there is no frame {pfn}", last = frames.saturating_sub(1))]
    NoFrame {
        /// The scenario's preset name.
        scenario: String,
        /// Its RAM in frames.
        frames: u32,
        /// The frame named.
        pfn: u32,
    },
    /// Counting starts at 1.
    #[error("nth counts from 1, so nth = 0 names nothing")]
    NthZero,
    /// The record kind is not one the trace writes.
    #[error("the trace has no records of kind “{0}” (the kinds are {kinds})", kinds = Event::KINDS.join(", "))]
    NoKind(String),
    /// `walk` and a PTE target name different pages.
    #[error("walk = {walk:#x} and the PTE target {vaddr:#x} name different pages")]
    TwoPages {
        /// The link's `walk`.
        walk: u32,
        /// The target's address.
        vaddr: u32,
    },
}

/// Why a target is not in the session now (the step that names it has not happened yet,
/// or the student stepped back past it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotThere {
    /// The task has ended or does not exist.
    #[error("task {0} has no address space now")]
    NoTask(u32),
    /// The page is not in a frame.
    #[error(
        "{vaddr:#x} of task {task} is not in a frame now: its page-table entry is not present"
    )]
    NotMapped {
        /// Task id.
        task: u32,
        /// Virtual address.
        vaddr: u32,
    },
    /// RAM is smaller.
    #[error("this scenario has {frames} frames, so there is no frame {pfn}")]
    NoFrame {
        /// RAM in frames.
        frames: u32,
        /// The frame named.
        pfn: u32,
    },
    /// The fault has not happened.
    #[error("task {task} has not taken {which} yet")]
    NoFault {
        /// Task id.
        task: u32,
        /// "its fault 3", "a fault".
        which: String,
    },
    /// The record has not been written.
    #[error("the trace holds no {which} record yet")]
    NoRecord {
        /// "3rd mapped", "mapped".
        which: String,
    },
    /// The trace dropped its oldest records, so counting from the first is impossible.
    #[error("the trace no longer holds its first records, so record number {0} cannot be found")]
    Dropped(u64),
}

impl Target {
    /// Its kind, as the lesson file spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Pte { .. } => "pte",
            Target::Frame { .. } => "frame",
            Target::FrameOf { .. } => "frame-of",
            Target::Fault { .. } => "fault",
            Target::Record { .. } => "record",
        }
    }

    /// The pane that shows it.
    pub fn pane(&self) -> &'static str {
        match self {
            Target::Pte { .. } => "walk",
            Target::Frame { .. } | Target::FrameOf { .. } => "frames",
            Target::Fault { .. } => "timeline",
            Target::Record { .. } => "events",
        }
    }

    /// Checks it against the pane its link names and the scenario its step runs in
    /// (`preset` is the scenario's preset name, for messages). `forked` says whether a
    /// task beyond the scenario's is one its step waits for (a forked child).
    ///
    /// # Errors
    /// The pane does not show it, or it names a task, frame or record kind the scenario
    /// cannot have.
    pub fn check(
        &self,
        pane: &str,
        preset: &str,
        scenario: &Scenario,
        forked: impl Fn(u32) -> bool,
    ) -> Result<(), BadTarget> {
        if pane != self.pane() {
            return Err(BadTarget::WrongPane {
                kind: self.kind(),
                want: self.pane(),
                pane: pane.to_string(),
            });
        }
        let task_ok = |task: u32| {
            if task >= 1 && (task as usize <= scenario.tasks.len() || forked(task)) {
                Ok(())
            } else {
                Err(BadTarget::NoTask {
                    scenario: preset.to_string(),
                    tasks: scenario.tasks.len(),
                    task,
                })
            }
        };
        match self {
            Target::Pte { task, .. } | Target::FrameOf { task, .. } => task_ok(*task),
            Target::Frame { pfn } if *pfn >= scenario.ram_frames => Err(BadTarget::NoFrame {
                scenario: preset.to_string(),
                frames: scenario.ram_frames,
                pfn: *pfn,
            }),
            Target::Frame { .. } => Ok(()),
            Target::Fault { nth: Some(0), .. } | Target::Record { nth: Some(0), .. } => {
                Err(BadTarget::NthZero)
            }
            Target::Fault { task, .. } => task_ok(*task),
            Target::Record { event, .. } if !Event::KINDS.contains(&event.as_str()) => {
                Err(BadTarget::NoKind(event.clone()))
            }
            Target::Record { .. } => Ok(()),
        }
    }

    /// Finds it in the session as it is now.
    ///
    /// # Errors
    /// The session has not reached the state the target needs (no such fault or record
    /// yet, the page is not in a frame, the task has ended).
    pub fn resolve(&self, s: &Session) -> Result<Pointed, NotThere> {
        let k = s.kernel();
        match self {
            Target::Pte { task, vaddr } => {
                let w = views::walk(k, *task, *vaddr).ok_or(NotThere::NoTask(*task))?;
                Ok(Pointed::Walk {
                    task: *task,
                    vaddr: vaddr & !0xFFF,
                    level: if w.levels.len() > 1 { "PTE" } else { "PDE" },
                })
            }
            Target::Frame { pfn } => {
                let frames = s.scenario().ram_frames;
                if *pfn < frames {
                    Ok(Pointed::Frame { pfn: *pfn })
                } else {
                    Err(NotThere::NoFrame { frames, pfn: *pfn })
                }
            }
            Target::FrameOf { task, vaddr } => {
                let w = views::walk(k, *task, *vaddr).ok_or(NotThere::NoTask(*task))?;
                let phys = w.phys.ok_or(NotThere::NotMapped {
                    task: *task,
                    vaddr: *vaddr,
                })?;
                Ok(Pointed::Frame { pfn: phys >> 12 })
            }
            Target::Fault { task, nth } => {
                let is_its_fault =
                    |e: &Event| matches!(e, Event::Fault { task: t, .. } if t == task);
                find(s, *nth, is_its_fault)
                    .map(|seq| Pointed::Record { seq })
                    .map_err(|m| match m {
                        Missing::Dropped(n) => NotThere::Dropped(n),
                        Missing::NotYet => NotThere::NoFault {
                            task: *task,
                            which: nth.map_or("a fault".into(), |n| format!("its fault {n}")),
                        },
                    })
            }
            Target::Record { event, nth } => find(s, *nth, |e| e.kind() == event)
                .map(|seq| Pointed::Record { seq })
                .map_err(|m| match m {
                    Missing::Dropped(n) => NotThere::Dropped(n),
                    Missing::NotYet => NotThere::NoRecord {
                        which: nth.map_or(event.clone(), |n| format!("{} {event}", ordinal(n))),
                    },
                }),
        }
    }
}

/// Why [`find`] found no record.
enum Missing {
    /// The trace has no such record (yet).
    NotYet,
    /// The trace no longer starts at its first record, so the `nth` cannot be counted.
    Dropped(u64),
}

/// The sequence number of the `nth` record (from 1; the newest when `None`) that `want`
/// accepts.
fn find(s: &Session, nth: Option<u64>, want: impl Fn(&Event) -> bool) -> Result<u64, Missing> {
    let records = s.kernel().trace().records();
    let found = match nth {
        None => records.iter().rev().find(|r| want(&r.event)),
        Some(n) if records.first().is_some_and(|r| r.seq != 0) => {
            return Err(Missing::Dropped(n));
        }
        Some(n) => records
            .iter()
            .filter(|r| want(&r.event))
            .nth(n.saturating_sub(1) as usize),
    };
    found.map(|r| r.seq).ok_or(Missing::NotYet)
}

/// "1st", "2nd", "3rd", "4th", … "11th", "21st".
fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Checks that `pane` is one of the page's.
///
/// # Errors
/// It is not.
pub fn check_pane(pane: &str) -> Result<(), BadTarget> {
    let queue = pane
        .strip_prefix("queue-")
        .is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n >= 1));
    if PANES.contains(&pane) || queue {
        Ok(())
    } else {
        Err(BadTarget::NoPane(pane.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::Until;
    use crate::presets;

    fn first_fault() -> (Scenario, Session) {
        let scenario = presets::scenario("first-fault").expect("preset");
        let s = Session::new(scenario.clone()).expect("boots");
        (scenario, s)
    }

    #[test]
    fn a_pte_target_points_at_the_pte_row_of_its_page() {
        let (_, s) = first_fault();
        let t = Target::Pte {
            task: 1,
            vaddr: 0x401234,
        };
        assert_eq!(
            t.resolve(&s),
            Ok(Pointed::Walk {
                task: 1,
                vaddr: 0x401000,
                level: "PTE"
            })
        );
        let far = Target::Pte {
            task: 1,
            vaddr: 0x8000_0000,
        };
        assert!(
            matches!(far.resolve(&s), Ok(Pointed::Walk { level: "PDE", .. })),
            "no page table there: the walk stops at the directory"
        );
    }

    #[test]
    fn the_frame_of_a_page_follows_the_session() {
        let (_, mut s) = first_fault();
        let t = Target::FrameOf {
            task: 1,
            vaddr: 0x401000,
        };
        let e = t.resolve(&s).expect_err("not mapped before the fault");
        assert_eq!(
            e.to_string(),
            "0x401000 of task 1 is not in a frame now: its page-table entry is not present"
        );
        s.run(1_000_000, Until::Event("fault"));
        s.run(1_000_000, Until::Event("resumed"));
        assert_eq!(t.resolve(&s), Ok(Pointed::Frame { pfn: 9 }));
    }

    #[test]
    fn a_fault_target_finds_the_faults_record_once_it_happened() {
        let (_, mut s) = first_fault();
        let t = Target::Fault {
            task: 1,
            nth: Some(1),
        };
        assert_eq!(
            t.resolve(&s).expect_err("no fault yet").to_string(),
            "task 1 has not taken its fault 1 yet"
        );
        s.run(1_000_000, Until::Event("fault"));
        let Ok(Pointed::Record { seq }) = t.resolve(&s) else {
            panic!("the fault is in the trace");
        };
        let rec = s.kernel().trace().since(seq);
        assert!(matches!(
            rec.first().map(|r| &r.event),
            Some(Event::Fault { task: 1, .. })
        ));
        let newest = Target::Fault { task: 1, nth: None };
        assert_eq!(newest.resolve(&s), Ok(Pointed::Record { seq }));
        let second = Target::Record {
            event: "fault".into(),
            nth: Some(2),
        };
        assert_eq!(
            second.resolve(&s).expect_err("one fault").to_string(),
            "the trace holds no 2nd fault record yet"
        );
    }

    #[test]
    fn bad_targets_are_refused_with_the_reason() {
        let (sc, _) = first_fault();
        let check = |t: Target, pane: &str| {
            t.check(pane, "first-fault", &sc, |_| false)
                .expect_err("refused")
                .to_string()
        };
        assert_eq!(
            check(Target::Pte { task: 1, vaddr: 0 }, "frames"),
            "a pte target is shown in the walk pane, not in “frames”"
        );
        assert_eq!(
            check(Target::Pte { task: 2, vaddr: 0 }, "walk"),
            "the scenario first-fault has tasks 1 to 1, so there is no task 2 (a forked child can be named when the step's check waits for it)"
        );
        let fork = presets::scenario("fork-cow").expect("preset");
        let child = Target::Pte {
            task: 2,
            vaddr: 0x401000,
        };
        assert!(child.check("walk", "fork-cow", &fork, |t| t == 2).is_ok());
        assert!(child.check("walk", "fork-cow", &fork, |_| false).is_err());
        assert_eq!(
            check(Target::Frame { pfn: sc.ram_frames }, "frames"),
            format!(
                "the scenario first-fault has {} frames (0 to {}), so there is no frame {}",
                sc.ram_frames,
                sc.ram_frames - 1,
                sc.ram_frames
            )
        );
        assert_eq!(
            check(
                Target::Fault {
                    task: 1,
                    nth: Some(0)
                },
                "timeline"
            ),
            "nth counts from 1, so nth = 0 names nothing"
        );
        assert!(check(
            Target::Record {
                event: "faults".into(),
                nth: None
            },
            "events"
        )
        .starts_with("the trace has no records of kind “faults”"));
        assert!(check_pane("queue-1").is_ok());
        assert!(check_pane("walks")
            .expect_err("no such pane")
            .to_string()
            .starts_with("there is no pane called “walks”"));
    }

    #[test]
    fn every_kind_a_run_writes_is_listed() {
        for preset in [
            "first-fault",
            "fork-cow",
            "file-pressure",
            "competing-tasks",
            "callback-pin",
            "stale-tlb-broken",
        ] {
            let Some(scenario) = presets::scenario(preset) else {
                panic!("no preset {preset}");
            };
            let mut s = Session::new(scenario).expect("boots");
            s.run_to_end();
            for r in s.kernel().trace().records().iter() {
                assert!(Event::KINDS.contains(&r.event.kind()), "{}", r.event.kind());
            }
        }
    }

    #[test]
    fn ordinals_read_as_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
    }
}
