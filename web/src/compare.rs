//! Policy comparison: the scenario booted once per live policy (the shown task's policy
//! swapped), each run to completion in slices so the page never blocks.

use selfpage_core::{Kernel, KernelConfig, Scenario, Stopped, Until};

/// The live policies compared, in the order the chart shows them.
pub const POLICIES: [&str; 6] = ["fifo", "clock", "lru", "mru", "random", "app"];

/// Instructions one slice of a run executes before the clock is checked again.
const SLICE: u64 = 2_000;

/// One policy's run.
pub struct Run {
    /// The policy's name.
    pub policy: &'static str,
    kernel: Option<Kernel>,
    /// Why the run could not start.
    pub error: Option<String>,
    /// Page faults of the compared task so far.
    pub faults: u64,
    /// Pages it read back from swap so far.
    pub page_ins: u64,
    /// Logical time so far.
    pub time: u64,
    /// Instructions retired so far.
    pub retired: u64,
    /// Whether the run is over.
    pub done: bool,
    /// Whether it ended because every task finished (not at the instruction budget).
    pub finished: bool,
}

/// Runs of one scenario under every live policy.
pub struct Comparison {
    /// Name of the scenario compared.
    pub scenario: String,
    /// Id of the task whose policy is swapped.
    pub task: u32,
    /// Its name.
    pub task_name: String,
    /// The policy the scenario gives it.
    pub original: String,
    /// Instruction budget of each run.
    pub max_steps: u64,
    /// The runs, in the order of [`POLICIES`].
    pub runs: Vec<Run>,
}

impl Comparison {
    /// Boots `scenario` once per policy, with task `index`'s policy swapped.
    pub fn new(scenario: &Scenario, index: usize) -> Comparison {
        let spec = scenario.tasks.get(index);
        // Only counters are read: keep a short trace so six runs stay small.
        let config = KernelConfig {
            trace_limit: 64,
            ..KernelConfig::default()
        };
        let runs = POLICIES
            .iter()
            .map(|&policy| {
                let mut s = scenario.clone();
                if let Some(t) = s.tasks.get_mut(index) {
                    t.policy = policy.into();
                }
                let (kernel, error) = match Kernel::boot(&s, config.clone()) {
                    Ok(k) => (Some(k), None),
                    Err(e) => (None, Some(e.to_string())),
                };
                Run {
                    policy,
                    done: kernel.is_none(),
                    kernel,
                    error,
                    faults: 0,
                    page_ins: 0,
                    time: 0,
                    retired: 0,
                    finished: false,
                }
            })
            .collect();
        Comparison {
            scenario: scenario.name.clone(),
            task: index as u32 + 1,
            task_name: spec.map(|t| t.name.clone()).unwrap_or_default(),
            original: spec.map(|t| t.policy.clone()).unwrap_or_default(),
            max_steps: scenario.max_steps,
            runs,
        }
    }

    /// Runs slices of the first unfinished run until `out_of_time()` says stop.
    pub fn advance(&mut self, mut out_of_time: impl FnMut() -> bool) {
        let (task, max_steps) = (self.task, self.max_steps);
        while let Some(run) = self.runs.iter_mut().find(|r| !r.done) {
            let Some(k) = run.kernel.as_mut() else {
                run.done = true;
                continue;
            };
            let budget = SLICE.min(max_steps.saturating_sub(k.retired()));
            let stop = if budget == 0 {
                Stopped::Budget
            } else {
                k.run(budget, Until::Budget)
            };
            if let Some(t) = k.task(task) {
                let summary = selfpage_core::views::task_summary(k, t);
                run.faults = summary.faults;
                run.page_ins = summary.page_ins;
            }
            run.time = k.time();
            run.retired = k.retired();
            if stop == Stopped::AllDone || k.retired() >= max_steps {
                run.finished = stop == Stopped::AllDone;
                run.done = true;
                run.kernel = None;
            }
            if out_of_time() {
                break;
            }
        }
    }

    /// Whether every run is over.
    pub fn done(&self) -> bool {
        self.runs.iter().all(|r| r.done)
    }

    /// Fraction of the work done, 0.0 to 1.0 (a run counts as its budget until it ends).
    pub fn progress(&self) -> f64 {
        let per = self.max_steps.max(1) as f64;
        let done: f64 = self
            .runs
            .iter()
            .map(|r| {
                if r.done {
                    1.0
                } else {
                    (r.retired as f64 / per).min(1.0)
                }
            })
            .sum();
        done / self.runs.len().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn mru_beats_lru_on_the_cyclic_scan() {
        let scenario = selfpage_core::presets::scenario("cyclic-scan-lru").expect("preset");
        let mut c = Comparison::new(&scenario, 0);
        c.advance(|| false);
        assert!(c.done());
        let faults = |p: &str| c.runs.iter().find(|r| r.policy == p).map(|r| r.faults);
        assert!(
            faults("mru") < faults("lru"),
            "{:?} vs {:?}",
            faults("mru"),
            faults("lru")
        );
        assert!(c.runs.iter().all(|r| r.finished));
        assert!((c.progress() - 1.0).abs() < 1e-9);
    }
}
