//! The app's state: one core `Session` behind a reducer. Components read it and dispatch
//! actions; they never hold simulation logic.

mod action;
mod boot;
mod redraw;
mod run;
mod selection;

pub use action::{Action, TaskSetting};

use std::cell::RefCell;
use std::rc::Rc;

use selfpage_core::lessons::Target;
use selfpage_core::{Scenario, Session};

use crate::compare::Comparison;
use crate::pace::Pacer;

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

pub(crate) fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
