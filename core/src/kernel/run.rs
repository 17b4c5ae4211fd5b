//! The run loop and the scheduler: round-robin slices, the stops that end a run, context
//! switches, breakpoints, and settling physmem's pending effects between steps.

use x86_emu::{CpuState, Stop, Vector};

use super::{Kernel, Stopped, Until, GATE_VECTOR};
use crate::env::Env;
use crate::task::ThreadState;

impl Kernel {
    /// Runs tasks round robin for at most `budget` instructions, or until `until` happens,
    /// a breakpoint is reached, or every task is done.
    pub fn run(&mut self, budget: u64, until: Until) -> Stopped {
        // Records before this were already looked at for `until`.
        let mut scanned = self.sys.trace.len();
        let mut left = budget;
        while left > 0 {
            self.arrive();
            let waiting = self
                .sys
                .tasks
                .values()
                .find(|t| t.fault.is_some())
                .map(|t| t.id);
            if let Some(id) = waiting {
                crate::fault::serve(self, id);
                self.settle();
                if let Some(stop) = self.matched(until, &mut scanned) {
                    return stop;
                }
                continue;
            }
            let Some(id) = self.sys.run_queue.front().copied() else {
                if self.arrivals.is_empty() {
                    return self.finish(until, &mut scanned);
                }
                continue;
            };
            self.switch_to(id);
            let slice = (self.sys.config.slice - self.sys.slice_used.min(self.sys.config.slice))
                .clamp(1, left);
            let run = match self.resume_over.take() {
                Some(eip) => self.step_over_breakpoint(eip),
                None => self.sys.machine.run(slice),
            };
            if self.references.is_some() {
                self.collect_references(id);
            }
            left -= run.retired.min(left);
            self.sys.time += run.retired;
            self.sys.slice_used += run.retired;
            let cpu = self.sys.machine.cpu();
            if let Some(t) = self.sys.tasks.get_mut(id) {
                t.counters.instructions += run.retired;
                t.cpu = cpu;
                if run.retired > 0 {
                    t.stalled = 0;
                }
            }
            match run.stop {
                Stop::Budget => {
                    if self.sys.slice_used >= self.sys.config.slice {
                        self.rotate();
                    }
                }
                Stop::Exception(e) if e.vector == Vector::PageFault => {
                    crate::fault::raise(self, id, &e)
                }
                Stop::Exception(e) => {
                    self.kill(id, format!("{e} at eip {:#010x}", self.cpu_eip(id)))
                }
                Stop::Interrupt(GATE_VECTOR) => crate::gate::call(self, id),
                Stop::Interrupt(n) => self.kill(
                    id,
                    format!(
                        "int {n:#x} at eip {:#010x} is not the library gate (int 0x30)",
                        self.cpu_eip(id).wrapping_sub(2)
                    ),
                ),
                Stop::Breakpoint(eip) => {
                    self.resume_over = Some(eip);
                    return Stopped::Breakpoint { task: id, eip };
                }
                Stop::Watchpoint { .. } => {
                    return Stopped::Breakpoint {
                        task: id,
                        eip: self.cpu_eip(id),
                    }
                }
            }
            self.settle();
            if let Some(stop) = self.matched(until, &mut scanned) {
                return stop;
            }
        }
        if self.sys.run_queue.is_empty() && self.arrivals.is_empty() {
            self.finish(until, &mut scanned)
        } else {
            Stopped::Budget
        }
    }

    /// Every task is done: the file server writes its dirty pages back (events of their own,
    /// which `until` may be waiting for, e.g. when a rewind replays up to one of them).
    fn finish(&mut self, until: Until, scanned: &mut u64) -> Stopped {
        crate::files::sync_all(&mut self.sys);
        self.matched(until, scanned).unwrap_or(Stopped::AllDone)
    }

    /// `Stopped::Event` if an event `until` asks for happened since trace position
    /// `scanned`, which moves to the end of the trace (each record is looked at once).
    fn matched(&self, until: Until, scanned: &mut u64) -> Option<Stopped> {
        match until {
            Until::Budget => None,
            Until::Event(kind) => {
                let from = std::mem::replace(scanned, self.sys.trace.len());
                let r = self
                    .sys
                    .trace
                    .since(from)
                    .iter()
                    .find(|r| r.event.kind() == kind)?;
                Some(Stopped::Event { seq: r.seq })
            }
            Until::Record(seq) => (self.sys.trace.len() > seq).then_some(Stopped::Event { seq }),
        }
    }

    fn step_over_breakpoint(&mut self, eip: u32) -> x86_emu::Run {
        let had = self.sys.machine.breakpoints_mut().remove(&eip);
        let run = self.sys.machine.run(1);
        if had {
            self.sys.machine.breakpoints_mut().insert(eip);
        }
        run
    }

    fn cpu_eip(&self, id: u32) -> u32 {
        self.sys.tasks.get(id).map_or(0, |t| t.cpu.eip)
    }

    /// Loads task `id`'s registers and address space into the machine.
    fn switch_to(&mut self, id: u32) {
        if self.sys.current == Some(id) {
            return;
        }
        if let Some(prev) = self.sys.current.and_then(|p| self.sys.tasks.get_mut(p)) {
            if prev.state == ThreadState::Running {
                prev.state = ThreadState::Ready;
            }
        }
        let Some(t) = self.sys.tasks.get_mut(id) else {
            return;
        };
        t.state = ThreadState::Running;
        self.sys.machine.set_cpu(t.cpu.clone());
        if self.sys.machine.cr3() != t.cr3 {
            self.sys.machine.set_cr3(t.cr3);
        }
        self.sys.current = Some(id);
        self.sys.slice_used = 0;
    }

    /// Puts the running thread at the back of the run queue.
    pub(crate) fn rotate(&mut self) {
        if let Some(id) = self.sys.run_queue.pop_front() {
            self.sys.run_queue.push_back(id);
        }
        self.sys.slice_used = 0;
        if let Some(t) = self.sys.current.and_then(|c| self.sys.tasks.get_mut(c)) {
            if t.state == ThreadState::Running {
                t.state = ThreadState::Ready;
            }
        }
        self.sys.current = None;
    }

    /// Writes a task's saved registers back into the machine if it is on the CPU.
    pub(crate) fn set_cpu(&mut self, id: u32, cpu: CpuState) {
        if self.sys.current == Some(id) {
            self.sys.machine.set_cpu(cpu.clone());
        }
        if let Some(t) = self.sys.tasks.get_mut(id) {
            t.cpu = cpu;
        }
    }

    /// Handles effects that need a task's memory manager, and lets physmem's clock run.
    pub(crate) fn settle(&mut self) {
        let now = self.sys.time;
        let effects = self.sys.physmem.tick(now);
        Env::new(&mut self.sys, 0).apply_effects(effects);
        while let Some(effect) = self.sys.pending.pop_front() {
            crate::pressure::deliver(self, effect);
        }
    }

    /// Sets or clears a breakpoint at a linear address (all tasks share the check).
    pub fn set_breakpoint(&mut self, eip: u32, on: bool) {
        let bps = self.sys.machine.breakpoints_mut();
        if on {
            bps.insert(eip);
            self.breakpoints.insert(eip);
        } else {
            bps.remove(&eip);
            self.breakpoints.remove(&eip);
        }
    }

    /// Addresses with a breakpoint.
    pub fn breakpoints(&self) -> &std::collections::BTreeSet<u32> {
        &self.breakpoints
    }
}
