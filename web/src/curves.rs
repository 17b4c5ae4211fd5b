//! The curves pane's model (no yew here): the shown task's reference stream, recorded by
//! replaying the session with the page log on (the oracle's view, like OPT), then each
//! policy's miss-ratio curve, a slice at a time so the page never blocks; and the working
//! set W(t, τ) of that stream.

use selfpage_core::pager::curve::{self, CurveJob, FrameRange, CURVE_POLICIES};
use selfpage_core::pager::{stack_distance, PolicyKind};
use selfpage_core::{Recorder, Session};

/// Instructions of the replay per slice.
const RECORD_SLICE: u64 = 20_000;
/// Simulated references per slice of a curve.
const CURVE_SLICE: u64 = 200_000;
/// Largest frame count drawn (the page keeps the chart readable and the work bounded).
pub const MAX_CHART_FRAMES: u32 = 4096;

/// The stages of a computation, in order.
enum Stage {
    /// Replaying the run with the page log on.
    Recording(Box<Recorder>),
    /// Computing the curves.
    Curves,
}

/// Every policy's curve for one task of a session.
pub struct CurvesRun {
    /// The task.
    pub task: u32,
    /// Its name.
    pub task_name: String,
    /// Frames its pager may hold (guaranteed plus extra).
    pub task_frames: u32,
    /// The seed of its pager's random policy.
    pub seed: u64,
    stage: Stage,
    /// Its page references (empty until recorded).
    pub refs: Vec<u32>,
    /// Distinct pages among them.
    pub pages: usize,
    /// Frame counts drawn.
    pub range: Option<FrameRange>,
    jobs: Vec<CurveJob>,
    /// Why no curve can be drawn.
    pub error: Option<String>,
}

impl CurvesRun {
    /// Starts recording task `task`'s references in `session`'s run so far.
    pub fn new(session: &Session, task: u32) -> CurvesRun {
        let spec = session
            .scenario()
            .tasks
            .get((task as usize).wrapping_sub(1));
        let t = session.kernel().task(task);
        CurvesRun {
            task,
            task_name: t
                .map(|t| t.name.clone())
                .or_else(|| spec.map(|s| s.name.clone()))
                .unwrap_or_default(),
            task_frames: t.map_or(0, |t| t.guaranteed + t.extra),
            seed: selfpage_core::pager_seed(session.scenario().seed, task),
            stage: Stage::Recording(Box::new(session.record_references())),
            refs: Vec::new(),
            pages: 0,
            range: None,
            jobs: Vec::new(),
            error: None,
        }
    }

    /// Starts the curves of a typed reference string (no task: no frame count marked).
    ///
    /// # Errors
    /// The string is empty, too long or not page numbers.
    pub fn from_text(text: &str) -> Result<CurvesRun, curve::CurveError> {
        let refs = curve::parse_refs(text)?;
        let mut run = CurvesRun {
            task: 0,
            task_name: String::new(),
            task_frames: 0,
            seed: crate::refstring::SEED,
            stage: Stage::Curves,
            refs: Vec::new(),
            pages: 0,
            range: None,
            jobs: Vec::new(),
            error: None,
        };
        run.start_curves(refs);
        Ok(run)
    }

    /// Works until `out_of_time()` says stop or everything is done.
    pub fn advance(&mut self, mut out_of_time: impl FnMut() -> bool) {
        while !self.done() {
            match &mut self.stage {
                Stage::Recording(r) => {
                    if r.step(RECORD_SLICE) {
                        self.recorded();
                    }
                }
                Stage::Curves => {
                    if let Some(job) = self.jobs.iter_mut().find(|j| !j.done()) {
                        job.step(CURVE_SLICE);
                    }
                }
            }
            if out_of_time() {
                break;
            }
        }
    }

    /// The replay is over: take the task's references and set up the curves.
    fn recorded(&mut self) {
        let Stage::Recording(r) = std::mem::replace(&mut self.stage, Stage::Curves) else {
            return;
        };
        let refs = r.finish();
        let Some(t) = refs.task(self.task) else {
            self.error = Some(format!("task {} did not run", self.task));
            return;
        };
        if let Err(e) = curve::check_refs(&t.pages) {
            self.error = Some(match e {
                curve::CurveError::Empty => format!(
                    "task {} '{}' has not touched a page yet: run the scenario (or step) first",
                    self.task, self.task_name
                ),
                e => e.to_string(),
            });
            return;
        }
        self.start_curves(t.pages.clone());
    }

    /// Sets up a curve job per policy over `refs`.
    fn start_curves(&mut self, refs: Vec<u32>) {
        self.refs = refs;
        self.pages = stack_distance::dense(&self.refs).1;
        let last = (self.pages as u64).clamp(1, u64::from(MAX_CHART_FRAMES));
        let Ok(range) = FrameRange::new(1, last) else {
            return;
        };
        self.range = Some(range);
        // The stack algorithms first: their whole curves come at once.
        let order = [
            PolicyKind::Lru,
            PolicyKind::Opt,
            PolicyKind::Fifo,
            PolicyKind::Clock,
            PolicyKind::Mru,
            PolicyKind::Random,
        ];
        self.jobs = order
            .iter()
            .map(|&k| CurveJob::new(k, &self.refs, range, self.seed))
            .collect();
    }

    /// Whether everything is computed (or failed).
    pub fn done(&self) -> bool {
        self.error.is_some()
            || (matches!(self.stage, Stage::Curves) && self.jobs.iter().all(CurveJob::done))
    }

    /// What is being done now, in words.
    pub fn stage(&self) -> String {
        match &self.stage {
            Stage::Recording(_) => "recording the task's references (replaying the run)".into(),
            Stage::Curves => match self.jobs.iter().find(|j| !j.done()) {
                Some(j) => format!("simulating {} at each frame count", j.kind()),
                None => "done".into(),
            },
        }
    }

    /// The share done, from 0 to 1 (the replay counts as one policy's worth).
    pub fn progress(&self) -> f64 {
        let parts = (CURVE_POLICIES.len() + 1) as f64;
        match &self.stage {
            Stage::Recording(r) => r.progress() / parts,
            Stage::Curves => {
                let curves: f64 = self.jobs.iter().map(CurveJob::progress).sum();
                (1.0 + curves) / parts
            }
        }
    }

    /// The finished curves, in the legend's order, as (policy, faults from 1 frame).
    pub fn curves(&self) -> Vec<(PolicyKind, &[u64])> {
        CURVE_POLICIES
            .iter()
            .filter_map(|&k| {
                let j = self.jobs.iter().find(|j| j.kind() == k)?;
                j.done().then(|| (k, j.faults()))
            })
            .collect()
    }

    /// The curves as CSV: a header `frames,fifo,...` and one line per frame count.
    pub fn csv(&self) -> String {
        let curves = self.curves();
        let mut out = String::from("frames");
        for (k, _) in &curves {
            out.push(',');
            out.push_str(k.as_str());
        }
        out.push('\n');
        if let Some(range) = self.range {
            for (i, f) in range.counts().enumerate() {
                out.push_str(&f.to_string());
                for (_, c) in &curves {
                    out.push(',');
                    out.push_str(&c.get(i).map_or(String::new(), u64::to_string));
                }
                out.push('\n');
            }
        }
        out
    }
}

/// W(t, τ) over a reference string: at each reference t, the distinct pages among the last
/// `tau` references, thinned to at most `points` (reference index, pages) points (each the
/// largest of the references it stands for).
pub fn working_set(refs: &[u32], tau: usize, points: usize) -> Vec<(u64, u64)> {
    let (ids, distinct) = stack_distance::dense(refs);
    let tau = tau.max(1);
    let bucket = refs.len().div_ceil(points.max(1)).max(1);
    let mut count = vec![0u32; distinct];
    let mut live = 0u64;
    let mut out = Vec::with_capacity(points + 1);
    let mut peak = 0;
    for (t, &p) in ids.iter().enumerate() {
        if count[p as usize] == 0 {
            live += 1;
        }
        count[p as usize] += 1;
        if let Some(&old) = t.checked_sub(tau).and_then(|i| ids.get(i)) {
            count[old as usize] -= 1;
            if count[old as usize] == 0 {
                live -= 1;
            }
        }
        peak = peak.max(live);
        if (t + 1) % bucket == 0 || t + 1 == ids.len() {
            out.push((t as u64 + 1, peak));
            peak = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_working_set_counts_distinct_pages_in_the_window() {
        let refs = [1, 2, 1, 3, 3, 3, 4];
        let w = working_set(&refs, 3, 100);
        // windows: {1} {1,2} {1,2} {2,1,3} {1,3} {3} {3,4}
        assert_eq!(
            w.iter().map(|p| p.1).collect::<Vec<_>>(),
            [1, 2, 2, 3, 2, 1, 2]
        );
        let thin = working_set(&refs, 3, 3);
        assert_eq!(thin, [(3, 2), (6, 3), (7, 2)]);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_run_records_then_draws_every_curve_in_slices() {
        let scenario = selfpage_core::presets::scenario("matrix-cols-tight").expect("preset");
        let mut session = Session::new(scenario).expect("boots");
        session.run_to_end();
        let mut run = CurvesRun::new(&session, 1);
        let mut slices = 0;
        while !run.done() {
            let before = run.progress();
            let mut once = false;
            run.advance(|| std::mem::replace(&mut once, true));
            assert!(run.progress() >= before);
            slices += 1;
        }
        assert!(slices > 3, "{slices}");
        assert_eq!(run.error, None);
        let curves = run.curves();
        assert_eq!(curves.len(), 6);
        let csv = run.csv();
        assert!(csv.starts_with("frames,fifo,clock,lru,mru,random,opt\n1,"));
        assert_eq!(csv.lines().count(), run.pages + 1);
        assert_eq!(run.task_frames, 12);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_typed_string_shows_beladys_anomaly_and_bad_ones_are_refused() {
        let mut run = CurvesRun::from_text("1,2,3,4,1,2,5,1,2,3,4,5").expect("parses");
        run.advance(|| false);
        assert!(run.done());
        let fifo = run.curves()[0].1.to_vec();
        assert_eq!(fifo, [12, 12, 9, 10, 5]);
        assert!(CurvesRun::from_text("1, x").is_err());
        assert!(CurvesRun::from_text("").is_err());
    }
}
