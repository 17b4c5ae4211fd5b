//! Time series for the statistics pane, derived from the trace and updated incrementally:
//! each update reads only the records pushed since the previous one.

use std::collections::{BTreeMap, BTreeSet};

use selfpage_core::pager::PagerEvent;
use selfpage_core::{Event, Record, Trace};

/// Most points one series keeps; beyond that, points closer in time are merged.
pub const MAX_POINTS: usize = 2048;

/// A step series of (logical time, value) points, one point per change, thinned so the
/// points stay spread evenly over time however long the run (a merged point keeps the
/// larger value).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Series {
    /// The points, in order of time.
    pub points: Vec<(u64, u64)>,
    /// Least time between two kept points; doubles whenever the series is full.
    stride: u64,
}

impl Series {
    /// Records `value` at `time` if it differs from the last value.
    fn push(&mut self, time: u64, value: u64) {
        if self.points.last().is_some_and(|&(_, v)| v == value) {
            return;
        }
        let n = self.points.len();
        if n >= 2 && time.saturating_sub(self.points[n - 2].0) < self.stride {
            // Too close to the point before: merge into the last point, keeping the larger
            // value (the newer one for a count; the peak for a level such as mapped pages).
            let v = self.points[n - 1].1.max(value);
            self.points[n - 1] = (time, v);
            return;
        }
        if n >= MAX_POINTS {
            self.thin();
        }
        self.points.push((time, value));
    }

    /// Doubles the stride (at least enough for half the points to cover the span) and
    /// merges the points again with it.
    fn thin(&mut self) {
        let span = match (self.points.first(), self.points.last()) {
            (Some(a), Some(b)) => b.0 - a.0,
            _ => 0,
        };
        self.stride = (self.stride * 2).max(span / (MAX_POINTS as u64 / 2)).max(1);
        let old = std::mem::take(&mut self.points);
        for (t, v) in old {
            let n = self.points.len();
            if n >= 2 && t.saturating_sub(self.points[n - 2].0) < self.stride {
                let v = self.points[n - 1].1.max(v);
                self.points[n - 1] = (t, v);
            } else {
                self.points.push((t, v));
            }
        }
    }

    /// The latest value (0 before any point).
    pub fn last(&self) -> u64 {
        self.points.last().map_or(0, |&(_, v)| v)
    }

    /// The largest value.
    pub fn max(&self) -> u64 {
        self.points.iter().map(|&(_, v)| v).max().unwrap_or(0)
    }
}

/// The series of one task.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskSeries {
    /// Its name, from `TaskStarted`.
    pub name: String,
    /// Page faults so far.
    pub faults: Series,
    /// Pages mapped in its page table (resident and accessible).
    pub mapped: Series,
    /// Pages read back from swap so far.
    pub page_ins: Series,
    /// Pages written to swap so far.
    pub page_outs: Series,
    /// Victims chosen by its policy so far.
    pub evictions: u64,
    mapped_now: BTreeSet<u32>,
}

/// Every task's series, and where in the trace they stop.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsSeries {
    /// Which boot of the app the series belong to.
    boot_id: u64,
    /// The next trace sequence number to read.
    next_seq: u64,
    /// Logical time of the last record read.
    pub end_time: u64,
    /// Per task id.
    pub tasks: BTreeMap<u32, TaskSeries>,
}

impl StatsSeries {
    /// Reads the records pushed since the last update. Starts over when the session was
    /// booted again (`boot_id` changed) or went back in time (the trace got shorter).
    pub fn update(&mut self, boot_id: u64, trace: &Trace) {
        if boot_id != self.boot_id || trace.len() < self.next_seq {
            *self = StatsSeries {
                boot_id,
                ..StatsSeries::default()
            };
        }
        for r in trace.since(self.next_seq) {
            self.read(r);
        }
        self.next_seq = trace.len();
    }

    /// Records read so far (the next sequence number).
    pub fn read_up_to(&self) -> u64 {
        self.next_seq
    }

    fn read(&mut self, r: &Record) {
        self.end_time = r.time;
        let t = r.time;
        match &r.event {
            Event::TaskStarted { task, name, .. } => {
                self.tasks.entry(*task).or_default().name = name.clone();
            }
            Event::Fault { task, .. } => {
                let s = self.tasks.entry(*task).or_default();
                let n = s.faults.last() + 1;
                s.faults.push(t, n);
            }
            Event::Mapped { task, vaddr, .. } => {
                let s = self.tasks.entry(*task).or_default();
                s.mapped_now.insert(*vaddr);
                let n = s.mapped_now.len() as u64;
                s.mapped.push(t, n);
            }
            Event::Unmapped { task, vaddr, .. } => {
                let s = self.tasks.entry(*task).or_default();
                s.mapped_now.remove(vaddr);
                let n = s.mapped_now.len() as u64;
                s.mapped.push(t, n);
            }
            Event::TaskExited { task, .. } | Event::TaskKilled { task, .. } => {
                // The address space goes away with the task.
                let s = self.tasks.entry(*task).or_default();
                s.mapped_now.clear();
                s.mapped.push(t, 0);
            }
            Event::Pager { task, event } => {
                let s = self.tasks.entry(*task).or_default();
                match event {
                    PagerEvent::PageIn { .. } => {
                        let n = s.page_ins.last() + 1;
                        s.page_ins.push(t, n);
                    }
                    PagerEvent::PageOut { .. } => {
                        let n = s.page_outs.last() + 1;
                        s.page_outs.push(t, n);
                    }
                    PagerEvent::Evict { .. } => s.evictions += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(task: u32) -> Event {
        Event::Fault {
            task,
            addr: 0x1000,
            access: selfpage_core::AccessKind::Read,
            ip: 0,
            error_code: 4,
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn counts_faults_incrementally_and_restarts_on_a_shorter_trace() {
        let mut trace = Trace::new(100);
        trace.push(1, 0, fault(1));
        trace.push(2, 0, fault(1));
        let mut s = StatsSeries::default();
        s.update(1, &trace);
        assert_eq!(s.tasks[&1].faults.last(), 2);
        trace.push(5, 0, fault(1));
        s.update(1, &trace);
        assert_eq!(s.tasks[&1].faults.points, vec![(1, 1), (2, 2), (5, 3)]);
        let mut shorter = Trace::new(100);
        shorter.push(1, 0, fault(2));
        s.update(1, &shorter);
        assert!(!s.tasks.contains_key(&1));
        assert_eq!(s.tasks[&2].faults.last(), 1);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_long_series_thins_out_but_keeps_its_last_value() {
        let mut s = Series::default();
        for i in 0..10 * MAX_POINTS as u64 {
            s.push(i, i + 1);
        }
        assert!(s.points.len() <= MAX_POINTS);
        assert_eq!(s.last(), 10 * MAX_POINTS as u64);
        // Spread evenly over time: the middle point is near the middle of the run.
        let mid = s.points[s.points.len() / 2].0 as f64 / (10 * MAX_POINTS) as f64;
        assert!(
            (0.4..0.6).contains(&mid),
            "middle point at {mid} of the run"
        );
        assert!(
            s.points[1].0 < MAX_POINTS as u64 / 50,
            "early points are kept: {:?}",
            &s.points[..3]
        );
    }
}
