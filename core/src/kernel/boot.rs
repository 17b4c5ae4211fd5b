//! Boot and arrivals: the machine, physmem and the file server come up, then each task
//! starts (page directory, container, memory manager, program load) when its time comes.

use std::collections::VecDeque;

use libhurd_mm::{MemoryManager, MmConfig, PagerEnv, PolicyKind};
use physmem::{Pfn as Frame, Physmem, TaskId};
use x86_emu::{CpuState, Machine, Ram};

use super::system::{MachineCell, System};
use super::{pager_seed, Kernel, KernelConfig, LoadError, STACK_TOP};
use crate::build::build;
use crate::by_id::ById;
use crate::env::Env;
use crate::mapdb::MapDb;
use crate::pagetable;
use crate::pool::KernelPool;
use crate::scenario::Scenario;
use crate::task::{Task, TaskCounters, ThreadState};
use crate::trace::{Event, Trace};

impl Kernel {
    /// Boots the machine of a scenario: RAM, kernel pool, physmem, then each task.
    ///
    /// # Errors
    /// An invalid scenario, a program that does not assemble, or a task that cannot be set up.
    pub fn boot(scenario: &Scenario, config: KernelConfig) -> Result<Kernel, LoadError> {
        scenario.validate()?;
        let ram = Ram::new(scenario.ram_frames).map_err(|e| LoadError::Setup {
            task: "machine".into(),
            reason: e.to_string(),
        })?;
        let kernel_frames = scenario.kernel_frames();
        let physmem = Physmem::new((kernel_frames..scenario.ram_frames).map(Frame));
        let mut sys = System {
            machine: MachineCell(Machine::new(ram)),
            physmem,
            pool: KernelPool::new(0, kernel_frames),
            mapdb: MapDb::default(),
            tasks: ById::default(),
            trace: Trace::new(config.trace_limit),
            time: 0,
            current: None,
            run_queue: VecDeque::new(),
            slice_used: 0,
            pending: VecDeque::new(),
            effects: Vec::new(),
            kernel_error: None,
            config,
            files: None,
        };
        sys.emit(
            0,
            Event::Boot {
                ram_frames: scenario.ram_frames,
                kernel_frames,
                physmem_frames: scenario.ram_frames - kernel_frames,
            },
        );
        sys.files = crate::files::boot(&mut sys, scenario).map_err(|reason| LoadError::Setup {
            task: "file server".into(),
            reason,
        })?;
        let programs = (0..scenario.tasks.len())
            .map(|index| {
                build(scenario, index).map_err(|error| LoadError::Assemble {
                    index,
                    task: scenario.tasks[index].name.clone(),
                    error,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut arrivals: Vec<usize> = (0..scenario.tasks.len()).collect();
        arrivals.sort_by_key(|&i| std::cmp::Reverse((scenario.tasks[i].start_at, i)));
        let mut kernel = Kernel {
            sys,
            managers: ById::default(),
            breakpoints: Default::default(),
            resume_over: None,
            scenario: scenario.clone(),
            programs,
            arrivals,
            references: None,
        };
        while kernel
            .arrivals
            .last()
            .is_some_and(|&i| scenario.tasks[i].start_at == 0)
        {
            if let Some(i) = kernel.arrivals.pop() {
                kernel.start_task(i)?;
            }
        }
        kernel.settle();
        Ok(kernel)
    }

    /// Starts the tasks whose time has come; if nothing can run, time skips to the next one.
    pub(super) fn arrive(&mut self) {
        if self.sys.run_queue.is_empty() && self.sys.tasks.values().all(|t| t.fault.is_none()) {
            if let Some(&next) = self.arrivals.last() {
                self.sys.time = self.sys.time.max(self.scenario.tasks[next].start_at);
            }
        }
        while let Some(&i) = self.arrivals.last() {
            if self.scenario.tasks[i].start_at > self.sys.time {
                break;
            }
            self.arrivals.pop();
            if let Err(e) = self.start_task(i) {
                let id = i as u32 + 1;
                self.sys.emit(
                    0,
                    Event::TaskKilled {
                        task: id,
                        reason: e.to_string(),
                    },
                );
            }
            self.settle();
        }
    }

    fn start_task(&mut self, index: usize) -> Result<(), LoadError> {
        let spec = self.scenario.tasks[index].clone();
        let id = index as u32 + 1;
        let setup = |reason: String| LoadError::Setup {
            task: spec.name.clone(),
            reason,
        };
        let program = self.programs[index].clone();
        let policy = PolicyKind::parse(&spec.policy)
            .ok_or_else(|| setup(format!("unknown policy '{}'", spec.policy)))?;
        let control = self
            .sys
            .physmem
            .create_control(TaskId(id), spec.guaranteed)
            .map_err(|e| setup(e.to_string()))?;
        let cr3 = pagetable::new_directory(&mut self.sys.machine, &mut self.sys.pool)
            .ok_or_else(|| setup("the kernel has no frame left for a page directory".into()))?;
        let cpu = CpuState::at(program.entry, STACK_TOP);
        self.sys.tasks.insert(
            id,
            Task {
                id,
                name: spec.name.clone(),
                cr3,
                cpu,
                state: ThreadState::Ready,
                program: program.clone(),
                lang: self.scenario.lang_of(index),
                control,
                container: physmem::Handle(0),
                guaranteed: spec.guaranteed,
                extra: spec.extra,
                ignore_pressure: spec.ignore_pressure,
                eviction_callback: None,
                fault: None,
                stalled: 0,
                final_stats: None,
                counters: TaskCounters::default(),
                output: String::new(),
            },
        );
        self.sys.emit(
            0,
            Event::TaskStarted {
                task: id,
                name: spec.name.clone(),
                guaranteed: spec.guaranteed,
                extra: spec.extra,
                policy: spec.policy.clone(),
            },
        );
        let mut env = Env::new(&mut self.sys, id);
        let container = match env.physmem(physmem::Request::ContainerCreate { control }) {
            Ok(physmem::Reply::Handle(h)) => h,
            other => return Err(setup(format!("physmem refused a container: {other:?}"))),
        };
        let seed = pager_seed(self.scenario.seed, id);
        let mut mm = MemoryManager::new(MmConfig {
            container,
            frames: spec.guaranteed + spec.extra,
            policy,
            seed,
            oracle: false,
        });
        crate::loader::load(&mut mm, &mut env, &program).map_err(|e| setup(e.to_string()))?;
        if let Some(t) = self.sys.tasks.get_mut(id) {
            t.container = container;
        }
        self.managers.insert(id, mm);
        self.sys.run_queue.push_back(id);
        Ok(())
    }
}
