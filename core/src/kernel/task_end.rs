//! The end of a task (exit or kill): its mappings, page tables and frames return.

use physmem::TaskId;

use super::Kernel;
use crate::env::Env;
use crate::pagetable;
use crate::task::ThreadState;
use crate::trace::Event;

impl Kernel {
    /// Ends a task: exit or kill. Its mappings, page tables and frames return.
    pub(crate) fn end_task(&mut self, id: u32, state: ThreadState) {
        let Some(task) = self.sys.tasks.get_mut(id) else {
            return;
        };
        if task.state.is_done() {
            return;
        }
        task.state = state.clone();
        task.final_stats = self.managers.get(id).map(|m| m.stats());
        let cr3 = task.cr3;
        self.sys.emit(
            0,
            match state {
                ThreadState::Exited(code) => Event::TaskExited { task: id, code },
                ThreadState::Killed(reason) => Event::TaskKilled { task: id, reason },
                _ => return,
            },
        );
        let places: Vec<u32> = self.sys.mapdb.of_task(id).map(|(va, _)| va).collect();
        for va in places {
            self.sys.mapdb.remove_tree((id, va));
        }
        if let Some(files) = self.sys.files.as_mut() {
            files.forget(TaskId(id));
        }
        let effects = self.sys.physmem.kill(TaskId(id));
        Env::new(&mut self.sys, id).apply_effects(effects);
        pagetable::destroy(&mut self.sys.machine, &mut self.sys.pool, cr3);
        self.managers.remove(id);
        self.sys.run_queue.retain(|&t| t != id);
        if self.sys.current == Some(id) {
            self.sys.current = None;
            self.sys.machine.flush_tlb();
        }
    }

    /// Kills a task with a reason a student can read.
    pub(crate) fn kill(&mut self, id: u32, reason: String) {
        self.end_task(id, ThreadState::Killed(reason));
    }
}
