//! Stepping and running the session: one instruction, one source line, to the next event,
//! and the slices of a run and of the policy comparison in each animation frame.

use selfpage_core::{Kernel, Session, Stopped, Until};

use super::{now_ms, AppState, Speed};

/// Most instructions one "step line" runs (a long library call or loop on one line ends here).
const STEP_LINE_BUDGET: u64 = 2_000_000;

/// Runs until task `task` reaches a source line other than the one it is on (line 0, C's
/// start-up code and library headers, is stepped through), or anything else stops the run.
pub(super) fn step_line(ss: &mut Session, task: u32) -> Stopped {
    let line = |ss: &Session| {
        ss.kernel()
            .task(task)
            .and_then(|t| t.program.line_of(t.cpu.eip))
    };
    let start = line(ss);
    for _ in 0..STEP_LINE_BUDGET {
        let stop = ss.step();
        if !matches!(stop, Stopped::Budget) {
            return stop;
        }
        match line(ss) {
            Some(0) => {}
            now if now != start => return Stopped::Budget,
            _ => {}
        }
        if ss.kernel().task(task).is_none_or(|t| t.state.is_done()) {
            return stop;
        }
    }
    Stopped::Budget
}

/// Instruction budget of one "step to next ..." action: a program that never faults stops here.
pub(super) const STEP_TO_BUDGET: u64 = 50_000_000;
/// Instructions between two looks at the clock while running at full speed.
const RUN_CHUNK: u64 = 20_000;

impl AppState {
    /// The kernel, borrowed for reading, if a session is loaded.
    pub fn with_kernel<R>(&self, f: impl FnOnce(&Kernel) -> R) -> Option<R> {
        self.session.as_ref().map(|s| f(s.borrow().kernel()))
    }

    pub(super) fn with_session(&mut self, f: impl FnOnce(&mut Session) -> Option<Stopped>) {
        let Some(session) = self.session.clone() else {
            return;
        };
        let stop = f(&mut session.borrow_mut());
        if let Some(stop) = stop {
            self.status = describe(&stop);
            if matches!(stop, Stopped::AllDone | Stopped::Breakpoint { .. }) {
                self.running = false;
            }
            if let Stopped::Event { .. } = stop {
                self.selected_event = None;
            }
        }
        self.follow_latest_fault();
        self.changed();
    }

    /// Whether a policy comparison is still running.
    pub fn comparing(&self) -> bool {
        self.compare.as_ref().is_some_and(|c| !c.borrow().done())
    }

    /// One animation frame: a slice of the run, and a slice of the policy comparison, in
    /// the time the pacer gives (shared half and half when both go on).
    pub(super) fn frame(&mut self) {
        self.frame_at = now_ms();
        let comparing = self.comparing();
        let redraw = self.redraw();
        let slice = self.pacer.borrow().slice_ms(redraw);
        let budget = if self.running && comparing {
            slice / 2.0
        } else {
            slice
        };
        let start = self.frame_at;
        if self.running {
            let speed = self.speed;
            self.with_session(|ss| match speed {
                Speed::PerFrame(n) => Some(ss.run(n, Until::Budget)),
                Speed::Max => loop {
                    let stop = ss.run(RUN_CHUNK, Until::Budget);
                    if stop != Stopped::Budget || now_ms() - start > budget {
                        return Some(stop);
                    }
                },
            });
            if self.running {
                self.status = "running".into();
            }
        }
        if let Some(c) = self.compare.clone().filter(|_| comparing) {
            let begin = now_ms();
            c.borrow_mut().advance(|| now_ms() - begin > budget);
            self.compare_gen += 1;
        }
        if comparing || self.speed == Speed::Max {
            // Only slices bounded by time teach the pacer.
            self.pacer.borrow_mut().slice_ended(start + slice, redraw);
        }
    }
}

fn describe(stop: &Stopped) -> String {
    match stop {
        Stopped::Budget => "paused".into(),
        Stopped::AllDone => "all tasks finished".into(),
        Stopped::Breakpoint { task, eip } => format!(
            "breakpoint in task {task} at {}",
            crate::format::hex32(*eip)
        ),
        Stopped::Event { seq } => format!("stopped at event #{seq}"),
    }
}
