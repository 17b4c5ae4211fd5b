//! The first state and booting a scenario into a new session (or an error the editor marks).

use std::cell::RefCell;
use std::rc::Rc;

use selfpage_core::{presets, Scenario, Session};

use super::{AppState, Speed, PANES};

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

    pub(super) fn boot(&mut self, scenario: Scenario) {
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
