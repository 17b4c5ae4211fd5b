//! What the user did ([`Action`], [`TaskSetting`]) and the reducer that applies it to the
//! state.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use selfpage_core::lessons::Target;
use selfpage_core::{Scenario, Until};

use super::run::{step_line, STEP_TO_BUDGET};
use super::{AppState, Speed};
use crate::compare::Comparison;

/// Something the user did.
#[derive(Clone, Debug)]
pub enum Action {
    /// Load a scenario (from a preset, a file or a URL) and boot it.
    Load(Box<Scenario>),
    /// Replace task `task`'s program source (not yet assembled).
    EditSource(usize, String),
    /// Assemble the edited scenario and boot it.
    Apply,
    /// Show an error message.
    Fail(String),
    /// Execute one instruction.
    Step,
    /// Run the shown task to its next source line (for C: the next C line, stepping over
    /// the library).
    StepLine,
    /// Run to the next event of a kind ("fault", "ipc").
    StepTo(&'static str),
    /// Undo one instruction.
    StepBack,
    /// Start running on every animation frame.
    Run,
    /// Stop running.
    Pause,
    /// One animation frame's worth of running.
    Frame,
    /// Change the speed.
    SetSpeed(Speed),
    /// Back to the state after boot.
    Reset,
    /// Show another task.
    SelectTask(u32),
    /// Walk another virtual address.
    Walk(u32),
    /// Show a trace record in the timeline (and walk its address).
    SelectEvent(u64),
    /// Rewind the machine to just after a trace record was written, and select it.
    GoToEvent(u64),
    /// Toggle a breakpoint at a source line of the shown task.
    ToggleBreakpoint(u32),
    /// Change a setting of task `index` in the edited scenario (applied by `Apply`).
    SetTask(usize, TaskSetting),
    /// Boot the scenario once per live policy and run each to the end, in slices.
    Compare,
    /// Stop and forget the policy comparison.
    CompareClose,
    /// Do what a lesson step asks (its button, this many times), for "do it for me" and
    /// lesson links that open at a later step.
    Act(selfpage_core::lessons::Act, u32),
    /// Point the panes at the element a lesson link names.
    Point(Target),
}

/// A task setting the editor changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskSetting {
    /// The eviction policy's name.
    Policy(String),
    /// Frames guaranteed.
    Guaranteed(u32),
    /// Extra frames.
    Extra(u32),
    /// Whether it ignores memory pressure.
    IgnorePressure(bool),
    /// Its program's language (`Lang::C` or assembly).
    Lang(selfpage_core::Lang),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Load(scenario) => s.boot(*scenario),
            Action::EditSource(i, text) => {
                let c = s.scenario.lang_of(i) == selfpage_core::Lang::C;
                if let Some(t) = s.scenario.tasks.get_mut(i) {
                    t.source = Some(text);
                    t.preset = None;
                    t.lang = c.then(|| "c".to_string());
                }
            }
            Action::Apply => {
                let scenario = s.scenario.clone();
                s.boot(scenario);
            }
            Action::Fail(msg) => s.error = Some(msg),
            Action::Step => s.with_session(|ss| Some(ss.step())),
            Action::StepLine => {
                let task = s.task;
                s.with_session(|ss| Some(step_line(ss, task)));
            }
            Action::StepTo(kind) => {
                s.with_session(|ss| Some(ss.run(STEP_TO_BUDGET, Until::Event(kind))))
            }
            Action::StepBack => s.with_session(|ss| {
                ss.step_back();
                None
            }),
            Action::Act(act, times) => {
                s.running = false;
                s.with_session(|ss| (0..times).fold(None, |last, _| act.apply(ss).or(last)));
            }
            Action::Run => {
                s.running = s.session.is_some();
                s.status = "running".into();
                s.changed();
            }
            Action::Pause => {
                s.running = false;
                s.status = "paused".into();
                s.changed();
            }
            Action::Frame => {
                s.frame();
            }
            Action::SetSpeed(speed) => s.speed = speed,
            Action::Reset => s.with_session(|ss| {
                ss.reset();
                None
            }),
            Action::SelectTask(t) => s.task = t,
            Action::Walk(va) => s.walk_addr = va,
            Action::SelectEvent(seq) => s.select_event(seq),
            Action::Point(target) => s.point(target),
            Action::GoToEvent(seq) => {
                s.running = false;
                s.with_session(|ss| {
                    ss.goto_event(seq);
                    None
                });
                s.status = format!("back at event #{seq}: Run replays from here");
                s.select_event(seq);
            }
            Action::SetTask(index, setting) => {
                if let Some(t) = s.scenario.tasks.get_mut(index) {
                    match setting {
                        TaskSetting::Policy(p) => t.policy = p,
                        TaskSetting::Guaranteed(n) => t.guaranteed = n,
                        TaskSetting::Extra(n) => t.extra = n,
                        TaskSetting::IgnorePressure(b) => t.ignore_pressure = b,
                        TaskSetting::Lang(lang) => {
                            // A preset has its own language: switching makes it an edit.
                            if let Some(p) = t.preset.take() {
                                t.source = selfpage_core::presets::program(&p).map(str::to_string);
                            }
                            t.lang = (lang == selfpage_core::Lang::C).then(|| "c".to_string());
                        }
                    }
                }
            }
            Action::Compare => {
                let index = (s.task as usize).saturating_sub(1);
                let source = s.session.as_ref().map(|ss| ss.borrow().scenario().clone());
                match source {
                    Some(scenario) if index < scenario.tasks.len() => {
                        s.compare = Some(Rc::new(RefCell::new(Comparison::new(&scenario, index))));
                    }
                    _ => s.error = Some("load a scenario before comparing policies".into()),
                }
                s.compare_gen += 1;
            }
            Action::CompareClose => {
                s.compare = None;
                s.compare_gen += 1;
            }
            Action::ToggleBreakpoint(line) => {
                let task = s.task;
                if let Some(session) = s.session.clone() {
                    let mut ss = session.borrow_mut();
                    let addr = ss
                        .kernel()
                        .task(task)
                        .and_then(|t| t.program.addr_of_line(line));
                    if let Some(addr) = addr {
                        let on = !ss.kernel().breakpoints().contains(&addr);
                        ss.kernel_mut().set_breakpoint(addr, on);
                    }
                }
                s.changed();
            }
        }
        Rc::new(s)
    }
}
