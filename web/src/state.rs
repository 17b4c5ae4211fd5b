//! The app's state: one core `Session` behind a reducer. Components read it and dispatch
//! actions; they never hold simulation logic.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use selfpage_core::lessons::Target;
use selfpage_core::{presets, Event, Kernel, Scenario, Session, Stopped, Until};

use crate::compare::Comparison;
use crate::pace::{Pacer, Redraw};

/// While running, each text pane (trace, timeline, registers, tables) redraws about this
/// often, in milliseconds, one pane per turn so that no frame redraws them all; the frame
/// map and the status line redraw on every frame.
const VIEW_PERIOD_MS: f64 = 200.0;

/// The panes that redraw in turn while running (see [`AppState::views`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    /// The program editor.
    Editor,
    /// Statistics and charts.
    Stats,
    /// The fault and IPC timeline.
    Timeline,
    /// CPU registers and disassembly.
    Registers,
    /// The page-table walk.
    Walk,
    /// The TLB.
    Tlb,
    /// Tasks, their frames and policy queues.
    Tasks,
    /// The trace.
    Events,
    /// Save, load, export.
    Files,
}

/// How many [`Pane`]s there are.
const PANES: usize = 9;

/// How many instructions one animation frame runs while the playground is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    /// A fixed number of instructions per frame.
    PerFrame(u64),
    /// As many as fit in each frame beside the redraw (see [`Pacer`]).
    Max,
}

impl Speed {
    /// The choices offered in the speed menu.
    pub const CHOICES: [Speed; 6] = [
        Speed::PerFrame(1),
        Speed::PerFrame(10),
        Speed::PerFrame(100),
        Speed::PerFrame(1_000),
        Speed::PerFrame(100_000),
        Speed::Max,
    ];

    /// The label of the choice.
    pub fn label(self) -> String {
        match self {
            Speed::PerFrame(n) => format!("{n} / frame"),
            Speed::Max => "as fast as possible".into(),
        }
    }
}

/// Everything the page shows.
#[derive(Clone)]
pub struct AppState {
    /// The running session, if the scenario loaded.
    pub session: Option<Rc<RefCell<Session>>>,
    /// The scenario as the user edits it.
    pub scenario: Scenario,
    /// Bumped on every change of the session, so the live views (frame map, status) redraw.
    pub tick: u64,
    /// Per [`Pane`], bumped with `tick` when stopped; while running one pane's at a time,
    /// in turn, each about every [`VIEW_PERIOD_MS`]: a pane redraws when its count changes.
    views: [u64; PANES],
    /// The pane whose count is bumped next while running.
    next_pane: usize,
    /// When a pane's count was last bumped (`performance.now()`).
    view_at: f64,
    /// When the current animation frame began (`performance.now()`).
    frame_at: f64,
    /// Sizes the slices of a run at full speed; shared by every copy of the state.
    pub pacer: Rc<RefCell<Pacer>>,
    /// Trace records already searched for the latest fault.
    fault_scan: u64,
    /// Whether the playground runs on each animation frame.
    pub running: bool,
    /// Instructions per animation frame.
    pub speed: Speed,
    /// A message for the user: a load error, an assembler error, a refused URL.
    pub error: Option<String>,
    /// (task index, line, column) of an assembler error, for the editor's marker.
    pub error_at: Option<(usize, u32, u32)>,
    /// The assembler's message alone (without task, line and column), for the marker.
    pub asm_message: Option<String>,
    /// Bumped on every boot, so views that cache derived data know to start over.
    pub boot_id: u64,
    /// The policy comparison, while it runs and after.
    pub compare: Option<Rc<RefCell<Comparison>>>,
    /// Bumped whenever the comparison advanced.
    pub compare_gen: u64,
    /// What the last run or step stopped at, in words.
    pub status: String,
    /// The task the CPU, editor and walk views show.
    pub task: u32,
    /// The virtual address the page-table walk shows.
    pub walk_addr: u32,
    /// The trace record the timeline shows, `None` for the latest fault.
    pub selected_event: Option<u64>,
    /// The element a lesson link points at; the panes find it in the session again on
    /// every redraw (see `point.rs`).
    pub pointed: Option<Target>,
    /// The scenario in the page's link when it opened: `None` without one, `Some(Err(why))`
    /// when it was refused (a challenge link then loads its starting program instead).
    pub link_scenario: Option<Result<(), String>>,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        // `tick` and `views` are left out on purpose: while running they change every frame,
        // and each view gets its own count as a prop.
        self.running == other.running
            && self.speed == other.speed
            && self.error == other.error
            && self.task == other.task
            && self.walk_addr == other.walk_addr
            && self.selected_event == other.selected_event
            && self.pointed == other.pointed
            && self.scenario == other.scenario
            && self.boot_id == other.boot_id
        // `compare_gen` is left out on purpose: the comparison advances every frame, and only
        // its own pane (which gets the counter as a prop) needs to render again.
    }
}

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

/// Most instructions one "step line" runs (a long library call or loop on one line ends here).
const STEP_LINE_BUDGET: u64 = 2_000_000;

/// Runs until task `task` reaches a source line other than the one it is on (line 0, C's
/// start-up code and library headers, is stepped through), or anything else stops the run.
fn step_line(ss: &mut Session, task: u32) -> Stopped {
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
const STEP_TO_BUDGET: u64 = 50_000_000;
/// Instructions between two looks at the clock while running at full speed.
const RUN_CHUNK: u64 = 20_000;

impl AppState {
    /// The first state: the built-in first-fault scenario, booted.
    pub fn initial() -> AppState {
        let from_url = crate::url::scenario_from_location();
        let scenario = from_url
            .clone()
            .unwrap_or_else(|_| presets::scenario("first-fault").unwrap_or_else(empty_scenario));
        let mut s = AppState {
            session: None,
            scenario: scenario.clone(),
            tick: 0,
            views: [0; PANES],
            next_pane: 0,
            view_at: 0.0,
            frame_at: 0.0,
            pacer: Rc::default(),
            fault_scan: 0,
            running: false,
            speed: Speed::PerFrame(1_000),
            error: None,
            error_at: None,
            asm_message: None,
            boot_id: 0,
            compare: None,
            compare_gen: 0,
            status: "ready".into(),
            task: 1,
            walk_addr: 0,
            selected_event: None,
            pointed: None,
            link_scenario: match &from_url {
                Ok(_) => Some(Ok(())),
                Err(why) if why.is_empty() => None,
                Err(why) => Some(Err(why.clone())),
            },
        };
        s.boot(scenario);
        if let Err(msg) = from_url {
            if !msg.is_empty() {
                s.error = Some(format!("{msg}: the built-in scenario is shown instead"));
            }
        }
        s
    }

    fn boot(&mut self, scenario: Scenario) {
        self.running = false;
        self.selected_event = None;
        self.pointed = None;
        self.boot_id += 1;
        self.compare = None;
        self.compare_gen += 1;
        match Session::new(scenario.clone()) {
            Ok(session) => {
                self.error = None;
                self.error_at = None;
                self.asm_message = None;
                self.status = format!("loaded '{}'", scenario.name);
                self.walk_addr = session.kernel().task(1).map_or(0, |t| t.cpu.eip);
                self.session = Some(Rc::new(RefCell::new(session)));
                self.task = self.task.clamp(1, scenario.tasks.len().max(1) as u32);
                crate::url::store_in_location(&scenario);
            }
            Err(e) => {
                self.session = None;
                (self.error_at, self.asm_message) = match &e {
                    selfpage_core::LoadError::Assemble { index, error, .. } => (
                        Some((*index, error.line, error.column)),
                        Some(error.message.clone()),
                    ),
                    _ => (None, None),
                };
                if let Some((index, _, _)) = self.error_at {
                    self.task = index as u32 + 1;
                }
                self.error = Some(e.to_string());
                self.status = "not loaded".into();
            }
        }
        self.scenario = scenario;
        self.fault_scan = 0;
        self.changed();
    }

    /// The count a pane redraws on.
    pub fn view(&self, pane: Pane) -> u64 {
        self.views[pane as usize]
    }

    /// Which views this change redraws: every pane when stopped; while running the live
    /// views, and one pane when its turn (counted from the frame's start) has come.
    fn redraw(&self) -> Redraw {
        let turn = VIEW_PERIOD_MS / PANES as f64;
        if !self.running || self.frame_at - self.view_at >= turn {
            Redraw::Full
        } else {
            Redraw::Live
        }
    }

    /// Marks a change: the live views redraw now, the panes as [`AppState::redraw`] says.
    fn changed(&mut self) {
        self.tick += 1;
        if self.redraw() == Redraw::Live {
            return;
        }
        if self.running {
            self.views[self.next_pane] += 1;
            self.next_pane = (self.next_pane + 1) % PANES;
        } else {
            self.views.iter_mut().for_each(|v| *v += 1);
        }
        self.view_at = now_ms();
    }

    /// The kernel, borrowed for reading, if a session is loaded.
    pub fn with_kernel<R>(&self, f: impl FnOnce(&Kernel) -> R) -> Option<R> {
        self.session.as_ref().map(|s| f(s.borrow().kernel()))
    }

    fn with_session(&mut self, f: impl FnOnce(&mut Session) -> Option<Stopped>) {
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
    fn frame(&mut self) {
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

    /// Selects trace record `seq`: the timeline shows its fault, and the CPU and walk views
    /// its task and page, if it has them.
    pub(crate) fn select_event(&mut self, seq: u64) {
        self.selected_event = Some(seq);
        let hit = self.with_kernel(|k| {
            k.trace()
                .since(seq)
                .first()
                .filter(|r| r.seq == seq)
                .and_then(|r| page_of(&r.event))
        });
        if let Some(Some((task, addr))) = hit {
            self.task = task;
            self.walk_addr = addr;
        }
    }

    /// Points the walk view at the latest fault's address, if there was a fault since the
    /// last look (or the trace went back in time). Reads only the records new since then.
    fn follow_latest_fault(&mut self) {
        let seen = self.fault_scan;
        let found = self.with_kernel(|k| {
            let trace = k.trace();
            let from = if trace.len() < seen { 0 } else { seen };
            let latest = trace.since(from).iter().rev().find_map(|r| match &r.event {
                Event::Fault { task, addr, .. } => Some((*task, *addr)),
                _ => None,
            });
            (latest, trace.len())
        });
        if let Some((latest, len)) = found {
            self.fault_scan = len;
            if let Some((task, addr)) = latest {
                self.walk_addr = addr;
                self.task = task;
            }
        }
    }
}

/// The task and page address a trace record is about, if any: where selecting it points
/// the CPU and walk views.
fn page_of(event: &Event) -> Option<(u32, u32)> {
    match event {
        Event::Fault { task, addr, .. } => Some((*task, *addr)),
        Event::Mapped { task, vaddr, .. } | Event::Unmapped { task, vaddr, .. } => {
            Some((*task, *vaddr))
        }
        _ => None,
    }
}

fn empty_scenario() -> Scenario {
    Scenario {
        name: "empty".into(),
        ram_frames: 64,
        kernel_frames: None,
        seed: 1,
        max_steps: 1,
        invlpg: true,
        tasks: Vec::new(),
        disk: None,
        fs: None,
        files: Vec::new(),
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

pub(crate) fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
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
