//! fork(): a new task with a copy of the caller's address space, made copy-on-write by
//! physmem. The child gets half of the parent's guarantee (`ControlSplit`), a container of
//! its own, and every resident page of the parent shared copy-on-write (`ContainerCopy`):
//! physmem takes write access away on both sides, and whoever writes first gets a copy.

use libhurd_mm::{MmConfig, PagerEnv};
use physmem::{CopyMode, Handle, Reply, Request, TaskId, PAGE_SIZE};
use x86_emu::cpu::EAX;

use crate::env::Env;
use crate::kernel::Kernel;
use crate::pagetable;
use crate::task::{Task, TaskCounters, ThreadState};
use crate::trace::Event;

/// Most tasks alive at once, forks included.
pub const MAX_LIVE_TASKS: usize = 64;

fn handle(env: &mut Env<'_>, req: Request) -> Result<Handle, String> {
    match env.physmem(req) {
        Ok(Reply::Handle(h)) => Ok(h),
        Ok(other) => Err(format!("physmem answered {other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Forks task `parent`; returns the child's id. The parent's registers are the child's,
/// with EAX = 0 in the child.
pub(crate) fn fork(k: &mut Kernel, parent: u32) -> Result<u32, String> {
    let p = k.sys.tasks.get(parent).ok_or("no such task")?;
    if k.sys.tasks.values().filter(|t| !t.state.is_done()).count() >= MAX_LIVE_TASKS {
        return Err(format!("at most {MAX_LIVE_TASKS} tasks may live at once"));
    }
    let half = p.guaranteed / 2;
    if half == 0 {
        return Err("fork gives half of the guarantee to the child: at least 2 guaranteed frames are needed".into());
    }
    let child = k.sys.tasks.last_id().unwrap_or(0).max(k.scenario_tasks()) + 1;
    let mut task = Task {
        id: child,
        name: format!("{}.{child}", p.name),
        cr3: x86_emu::PhysAddr(0),
        cpu: p.cpu.clone(),
        state: ThreadState::Ready,
        program: p.program.clone(),
        lang: p.lang,
        control: Handle(0),
        container: Handle(0),
        guaranteed: half,
        extra: p.extra,
        ignore_pressure: p.ignore_pressure,
        eviction_callback: None,
        fault: None,
        stalled: 0,
        counters: TaskCounters::default(),
        final_stats: None,
        output: String::new(),
    };
    task.cpu.regs[EAX] = 0;
    let (parent_control, parent_container) = (p.control, p.container);
    let Some(mut parent_mm) = k.managers.remove(parent) else {
        return Err("the task has no memory manager".into());
    };
    k.sys.physmem.register_task(TaskId(child));
    let result = (|| {
        let split = Request::ControlSplit {
            control: parent_control,
            frames: half,
            to: TaskId(child),
        };
        task.control = handle(&mut Env::new(&mut k.sys, parent), split)?;
        task.cr3 = pagetable::new_directory(&mut k.sys.machine, &mut k.sys.pool)
            .ok_or("the kernel has no frame left for a page directory")?;
        k.sys.emit(
            0,
            Event::TaskStarted {
                task: child,
                name: task.name.clone(),
                guaranteed: half,
                extra: task.extra,
                policy: parent_mm.policy_kind().as_str().to_string(),
            },
        );
        let control = task.control;
        k.sys.tasks.insert(child, task);
        let mut cenv = Env::new(&mut k.sys, child);
        let container = handle(&mut cenv, Request::ContainerCreate { control })?;
        let for_parent = handle(
            &mut cenv,
            Request::ContainerShare {
                container,
                with: TaskId(parent),
            },
        )?;
        let pages = parent_mm.fork_pages();
        let mut penv = Env::new(&mut k.sys, parent);
        let mut copied = Vec::with_capacity(pages.len());
        for (i, &(page, offset)) in pages.iter().enumerate() {
            let dest_start = i as u32 * PAGE_SIZE;
            let copy = Request::ContainerCopy {
                src: parent_container,
                src_start: offset,
                dest: for_parent,
                dest_start,
                count: PAGE_SIZE,
                mode: CopyMode::CopyOnWrite,
                all_or_none: true,
            };
            penv.physmem(copy)
                .map_err(|e| format!("physmem refused to copy page {page:#x}: {e}"))?;
            copied.push((page, dest_start));
        }
        let shared: Vec<u32> = copied.iter().map(|&(page, _)| page).collect();
        parent_mm.mark_cow(&shared);
        let cfg = MmConfig {
            container,
            frames: half + k.sys.tasks.get(child).map_or(0, |t| t.extra),
            policy: parent_mm.policy_kind(),
            seed: u64::from(child).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            oracle: false,
        };
        let child_mm = parent_mm.forked(cfg, &copied);
        parent_mm.set_frame_limit(parent_mm.frame_limit().saturating_sub(half));
        Ok::<_, String>((container, child_mm))
    })();
    k.managers.insert(parent, parent_mm);
    match result {
        Ok((container, child_mm)) => {
            if let Some(t) = k.sys.tasks.get_mut(child) {
                t.container = container;
            }
            if let Some(t) = k.sys.tasks.get_mut(parent) {
                t.guaranteed -= half;
            }
            k.managers.insert(child, child_mm);
            k.sys.run_queue.push_back(child);
            Ok(child)
        }
        Err(e) => {
            if k.sys.tasks.contains(child) {
                k.kill(child, format!("fork failed: {e}"));
            }
            Err(e)
        }
    }
}
