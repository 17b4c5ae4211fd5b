//! Memory pressure: physmem's requests to return extra frames reach the task's memory
//! manager, which complies, unless the scenario tells the task to ignore them.

use physmem::Effect;

use crate::env::Env;
use crate::kernel::Kernel;
use crate::trace::Event;

/// Delivers one effect that needs a task's memory manager.
pub(crate) fn deliver(k: &mut Kernel, effect: Effect) {
    match effect {
        Effect::ReturnFrames {
            task,
            count,
            deadline,
        } => {
            let id = task.0;
            let server = id == crate::files::FILE_SERVER;
            let ignored = !server && k.sys.tasks.get(id).is_none_or(|t| t.ignore_pressure);
            k.sys.emit(
                0,
                Event::PressureRequest {
                    task: id,
                    count,
                    deadline,
                    ignored,
                },
            );
            if ignored {
                return;
            }
            if server {
                crate::files::return_frames(&mut k.sys, count);
                return;
            }
            // In place: taking the manager out and back moved all of it (see `gate.rs`).
            if let Some(mm) = k.managers.get_mut(id) {
                mm.return_frames(&mut Env::new(&mut k.sys, id), count);
            }
        }
        Effect::Reclaimed {
            task, offset, pfn, ..
        } => {
            let id = task.0;
            k.sys.emit(
                0,
                Event::Reclaimed {
                    task: id,
                    offset,
                    pfn: pfn.0,
                },
            );
            if id == crate::files::FILE_SERVER {
                crate::files::frame_lost(&mut k.sys, offset);
            } else if let Some(mm) = k.managers.get_mut(id) {
                mm.frames_lost(offset);
            }
        }
        other => Env::new(&mut k.sys, 0).apply_effects(vec![other]),
    }
}
