//! The reference stream of a run: for each task, the pages its instructions touched
//! (fetches, reads and writes, in order). This is the oracle's view, like OPT: a live pager
//! sees only faults and referenced bits, never the accesses that hit.
//!
//! Recording slows the emulator (one instruction per fetch), so a normal run never records:
//! [`Session::record_references`] replays the session's run from boot on a copy with the
//! machine's page log on, a slice at a time ([`Recorder::step`]), and leaves the session
//! and its trace untouched.

use serde::{Deserialize, Serialize};

use crate::by_id::ById;
use crate::kernel::{Kernel, Stopped, Until};
use crate::session::Session;

/// The most references kept per task (as many as a miss-ratio curve accepts); later ones
/// are counted but dropped.
pub const MAX_TASK_REFS: usize = libhurd_mm::curve::MAX_REFS;

/// One task's references while recording.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TaskRefs {
    pages: Vec<u32>,
    dropped: u64,
}

impl Kernel {
    /// Moves what the machine's page log holds into task `id`'s stream.
    pub(crate) fn collect_references(&mut self, id: u32) {
        let Some(log) = self.sys.machine.page_log_mut() else {
            return;
        };
        let pages = log.take();
        let Some(all) = self.references.as_mut() else {
            return;
        };
        let refs = all.get_or_default(id);
        // The log starts afresh after every run of the machine; the task's stream goes on
        // (an instruction restarted after a fault fetches its page again).
        let skip = usize::from(refs.pages.last().is_some() && refs.pages.last() == pages.first());
        let room = MAX_TASK_REFS - refs.pages.len();
        let new = pages.len() - skip;
        refs.dropped += new.saturating_sub(room) as u64;
        refs.pages.extend(pages.into_iter().skip(skip).take(room));
    }
}

/// One task's page references over a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskReferences {
    /// Task id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Frames its pager may hold (guaranteed plus extra).
    pub frames: u32,
    /// Virtual page numbers touched, in order (a page touched again right away is listed once).
    pub pages: Vec<u32>,
    /// References past [`MAX_TASK_REFS`], counted and not kept.
    pub dropped: u64,
}

/// Every task's references over a run: the oracle's view.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct References {
    /// Instructions the run covered.
    pub instructions: u64,
    /// Per task, by id.
    pub tasks: Vec<TaskReferences>,
}

impl References {
    /// The references of task `id`.
    pub fn task(&self, id: u32) -> Option<&TaskReferences> {
        self.tasks.iter().find(|t| t.id == id)
    }
}

/// A replay of a run with the page log on, done a slice at a time.
pub struct Recorder {
    kernel: Kernel,
    target: u64,
    done: bool,
}

impl Recorder {
    /// Replays from `boot` up to `target` instructions.
    fn new(mut kernel: Kernel, target: u64) -> Recorder {
        kernel.sys.machine.set_page_log(true);
        kernel.references = Some(ById::default());
        Recorder {
            kernel,
            target,
            done: target == 0,
        }
    }

    /// Runs up to `budget` more instructions of the replay; true when it is complete.
    pub fn step(&mut self, budget: u64) -> bool {
        if !self.done {
            let left = self.target - self.kernel.retired();
            let stop = self.kernel.run(budget.min(left), Until::Budget);
            self.done = stop == Stopped::AllDone || self.kernel.retired() >= self.target;
        }
        self.done
    }

    /// The share replayed, from 0 to 1.
    pub fn progress(&self) -> f64 {
        if self.done {
            1.0
        } else {
            self.kernel.retired() as f64 / self.target as f64
        }
    }

    /// Replays what is left and returns every task's references.
    pub fn finish(mut self) -> References {
        while !self.step(u64::MAX) {}
        let k = &self.kernel;
        let mut streams = self.kernel.references.clone().unwrap_or_default();
        References {
            instructions: k.retired(),
            tasks: k
                .tasks()
                .map(|t| {
                    let refs = streams.remove(t.id).unwrap_or_default();
                    TaskReferences {
                        id: t.id,
                        name: t.name.clone(),
                        frames: t.guaranteed + t.extra,
                        pages: refs.pages,
                        dropped: refs.dropped,
                    }
                })
                .collect(),
        }
    }
}

impl Session {
    /// Starts recording the reference stream of the run so far (the oracle's view): a replay
    /// from boot to this moment with the page log on. The session itself is not touched.
    pub fn record_references(&self) -> Recorder {
        Recorder::new(self.boot().clone(), self.kernel().retired())
    }

    /// The reference stream of the run so far, recorded in one go.
    pub fn references(&self) -> References {
        self.record_references().finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    fn session(name: &str) -> Session {
        let s = presets::scenario(name).expect("preset");
        Session::new(s).expect("boots")
    }

    #[test]
    fn recording_leaves_the_session_and_its_trace_as_they_were() {
        let mut s = session("first-fault");
        s.run_to_end();
        let before = s.summary();
        let refs = s.references();
        assert_eq!(s.summary(), before);
        assert_eq!(refs.instructions, before.instructions);
        let t = &refs.tasks[0];
        assert!(!t.pages.is_empty());
        assert!(!t.pages.is_empty());
        // Every page the task faulted on is one it referenced.
        let code = 0x40_0000 >> 12;
        assert!(t.pages.contains(&code), "the program's first code page");
    }

    #[test]
    fn a_recording_in_slices_equals_one_in_one_go() {
        let mut s = session("seq-scan");
        s.run(5_000, Until::Budget);
        let whole = s.references();
        let mut r = s.record_references();
        let mut steps = 0;
        while !r.step(97) {
            steps += 1;
            assert!(r.progress() < 1.0);
        }
        assert!(steps > 1);
        assert_eq!(r.finish(), whole);
    }
}
