//! Files in the kernel model: core hosts the ramdisk and the file server (crate `fs`) as it
//! hosts physmem. The scenario declares them (`[disk]`, `[fs]`, `[[file]]`); a task's pager
//! reaches the file server by IPC, the file server reaches the ramdisk by IPC, and both call
//! physmem like any task. Every message and every block moved is a trace event with its cost.
//!
//! The servers have no x86 address space here: the file server's cache "window" is the
//! kernel's direct access to the frames (as physmem's is), so its own map requests bind frames
//! but install nothing.

use fs::{labels, FileServer, FileSpec, FsConfig, FsEnv, FsError, FsEvent, OpenId, Ramdisk};
use libhurd_mm::store::{FileError, FileGrant, FileOpened};
use libhurd_mm::PagerEnv;
use physmem::{Handle, PhysmemError, Reply, Request, Rights, TaskId};
use serde::{Deserialize, Serialize};

use crate::env::Env;
use crate::kernel::System;
use crate::scenario::{Scenario, ScenarioError};
use crate::trace::{Endpoint, Event, Words};

/// The file server's task id (above any id a scenario or a fork uses).
pub const FILE_SERVER: u32 = 0xFFFF_FFF0;
/// The ramdisk's task id.
pub const RAMDISK: u32 = 0xFFFF_FFF1;

/// `[disk]`: the ramdisk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiskSpec {
    /// Blocks of 4 KiB.
    pub blocks: u32,
}

/// `[fs]`: the file server, configured like a task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FsSpec {
    /// Frames physmem guarantees it.
    #[serde(default = "default_guaranteed")]
    pub guaranteed: u32,
    /// Extra frames its cache may hold beyond the guarantee.
    #[serde(default)]
    pub extra: u32,
    /// Which cached page goes first: "lru" or "fifo".
    #[serde(default = "default_policy")]
    pub policy: String,
}

impl Default for FsSpec {
    fn default() -> Self {
        FsSpec {
            guaranteed: default_guaranteed(),
            extra: 0,
            policy: default_policy(),
        }
    }
}

fn default_guaranteed() -> u32 {
    4
}

fn default_policy() -> String {
    "lru".into()
}

/// `[[file]]`: one file put on the disk at boot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Its path (at most 64 bytes).
    pub path: String,
    /// Its size in bytes.
    pub size: u32,
    /// Text repeated to fill the size; zeroes if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

fn specs(s: &Scenario) -> Vec<FileSpec> {
    s.files
        .iter()
        .map(|f| FileSpec {
            path: f.path.clone(),
            size: f.size,
            content: f.content.clone().unwrap_or_default().into_bytes(),
        })
        .collect()
}

fn field(field: String, reason: impl Into<String>) -> ScenarioError {
    ScenarioError::Field {
        field,
        reason: reason.into(),
    }
}

/// Checks `[disk]`, `[fs]` and `[[file]]`; returns the frames the file server is guaranteed.
///
/// # Errors
/// The first bad field and why.
pub(crate) fn validate(s: &Scenario) -> Result<u32, ScenarioError> {
    let Some(disk) = &s.disk else {
        if s.fs.is_some() || !s.files.is_empty() {
            return Err(field(
                "disk".into(),
                "files need a disk: add [disk] blocks = N",
            ));
        }
        return Ok(0);
    };
    if disk.blocks == 0 || disk.blocks > Ramdisk::MAX_BLOCKS {
        let max = Ramdisk::MAX_BLOCKS;
        return Err(field(
            "disk.blocks".into(),
            format!("must be between 1 and {max}, not {}", disk.blocks),
        ));
    }
    let fs = s.fs.clone().unwrap_or_default();
    if fs.guaranteed == 0 {
        return Err(field(
            "fs.guaranteed".into(),
            "the file server needs at least 1 guaranteed frame",
        ));
    }
    if fs::CachePolicy::from_name(&fs.policy).is_none() {
        return Err(field(
            "fs.policy".into(),
            format!("unknown policy '{}' (known: lru, fifo)", fs.policy),
        ));
    }
    if let Err(e) = fs::Directory::plan(disk.blocks, &specs(s)) {
        let i = match &e {
            FsError::DuplicatePath(p) => {
                let mut same = s.files.iter().enumerate().filter(|(_, f)| &f.path == p);
                same.nth(1).map(|(i, _)| i)
            }
            FsError::DiskFull { path, .. } | FsError::PathTooLong { path, .. } => {
                s.files.iter().position(|f| &f.path == path)
            }
            _ => s.files.iter().position(|f| f.path.is_empty()),
        };
        let at = i.map_or("file".into(), |i| format!("file[{i}].path"));
        return Err(field(at, e.to_string()));
    }
    Ok(fs.guaranteed)
}

/// Boots the ramdisk and the file server a scenario declares, if it declares a disk.
///
/// # Errors
/// Why the file server could not start (physmem refused its guarantee, ...).
pub(crate) fn boot(sys: &mut System, s: &Scenario) -> Result<Option<Box<FileServer>>, String> {
    let Some(disk) = &s.disk else {
        return Ok(None);
    };
    let spec = s.fs.clone().unwrap_or_default();
    let cfg = FsConfig {
        guaranteed: spec.guaranteed,
        extra: spec.extra,
        policy: fs::CachePolicy::from_name(&spec.policy).unwrap_or_default(),
    };
    let control = sys
        .physmem
        .create_control(TaskId(FILE_SERVER), cfg.guaranteed)
        .map_err(|e| e.to_string())?;
    sys.physmem
        .create_control(TaskId(RAMDISK), 0)
        .map_err(|e| e.to_string())?;
    let ramdisk = Ramdisk::new(TaskId(RAMDISK), disk.blocks).map_err(|e| e.to_string())?;
    let server = FileServer::boot(
        &mut Kernel(sys),
        TaskId(FILE_SERVER),
        control,
        ramdisk,
        &specs(s),
        &cfg,
    )
    .map_err(|e| e.to_string())?;
    Ok(Some(Box::new(server)))
}

/// The endpoint that names `task` in the trace.
pub(crate) fn endpoint(task: u32) -> Endpoint {
    match task {
        FILE_SERVER => Endpoint::FileServer,
        RAMDISK => Endpoint::Ramdisk,
        t => Endpoint::Pager(t),
    }
}

/// The kernel as the file server and the ramdisk see it.
struct Kernel<'a>(&'a mut System);

impl FsEnv for Kernel<'_> {
    fn physmem(&mut self, task: TaskId, req: Request) -> Result<Reply, PhysmemError> {
        Env::new(self.0, task.0).physmem(req)
    }

    fn read_frame(&mut self, task: TaskId, container: Handle, offset: u32, buf: &mut [u8]) {
        Env::new(self.0, task.0).read_page(container, offset, buf);
    }

    fn write_frame(&mut self, task: TaskId, container: Handle, offset: u32, data: &[u8]) {
        Env::new(self.0, task.0).write_page(container, offset, data);
    }

    fn revoke_write(&mut self, task: TaskId, container: Handle, offset: u32) {
        let mut env = Env::new(self.0, task.0);
        let pfn = env.frame_of(container, offset);
        env.revoke(pfn, Rights::W);
    }

    fn event(&mut self, e: FsEvent) {
        let sys = &mut *self.0;
        let (ipc, io) = (sys.config.ipc_cost, sys.config.page_io_cost);
        let disk = match &e {
            FsEvent::DiskRead { block, cache } => Some((labels::DISK_READ, *block, *cache)),
            FsEvent::DiskWrite { block, cache } => Some((labels::DISK_WRITE, *block, *cache)),
            _ => None,
        };
        let Some((label, block, cache)) = disk else {
            sys.emit(0, Event::Fs { event: e });
            return;
        };
        let words = Words::from_buf([block, cache]);
        sys.emit(
            ipc,
            ipc_event(Endpoint::FileServer, Endpoint::Ramdisk, label, words),
        );
        sys.emit(io, Event::Fs { event: e });
        sys.emit(
            ipc,
            ipc_event(Endpoint::Ramdisk, Endpoint::FileServer, 0, Words::new()),
        );
    }
}

fn ipc_event(from: Endpoint, to: Endpoint, label: u32, words: Words) -> Event {
    Event::Ipc {
        from,
        to,
        label,
        words,
    }
}

fn file_error(e: FsError) -> FileError {
    FileError {
        errno: e.errno(),
        reason: e.to_string(),
    }
}

/// One call of task `task`'s pager to the file server: the IPC there, the server's work, the
/// reply. Without a file server: `no_server`, and nothing is traced.
fn call<T>(
    sys: &mut System,
    task: u32,
    label: u32,
    words: Words,
    f: impl FnOnce(&mut FileServer, &mut Kernel) -> Result<T, FsError>,
) -> Result<T, FileError> {
    let Some(mut server) = sys.files.take() else {
        return Err(FileError::no_server());
    };
    let ipc = sys.config.ipc_cost;
    sys.emit(
        ipc,
        ipc_event(Endpoint::Pager(task), Endpoint::FileServer, label, words),
    );
    let r = f(&mut server, &mut Kernel(sys));
    sys.emit(
        ipc,
        ipc_event(Endpoint::FileServer, Endpoint::Pager(task), 0, Words::new()),
    );
    sys.files = Some(server);
    r.map_err(file_error)
}

/// open(path, write) for task `task`.
pub(crate) fn open(
    sys: &mut System,
    task: u32,
    path: &str,
    write: bool,
) -> Result<FileOpened, FileError> {
    call(sys, task, labels::OPEN, Words::new(), |s, k| {
        s.open(k, TaskId(task), path, write).map(|o| FileOpened {
            open: o.open.0,
            size: o.size,
            container: o.container,
        })
    })
}

/// close(open) for task `task`.
pub(crate) fn close(sys: &mut System, task: u32, open: u32) {
    // A refusal means the open is gone already: nothing to do.
    let _ = call(
        sys,
        task,
        labels::CLOSE,
        [open].into_iter().collect(),
        |s, _| s.close(TaskId(task), OpenId(open)),
    );
}

/// A page request of task `task`'s pager.
pub(crate) fn page(
    sys: &mut System,
    task: u32,
    open: u32,
    offset: u32,
    write: bool,
) -> Result<FileGrant, FileError> {
    call(
        sys,
        task,
        labels::PAGE,
        Words::from_buf([open, offset]),
        |s, k| {
            s.page(k, TaskId(task), OpenId(open), offset, write)
                .map(|g| FileGrant {
                    cache: g.cache,
                    writable: g.writable,
                })
        },
    )
}

/// msync of `[start, end)` of an open file for task `task`.
pub(crate) fn sync(
    sys: &mut System,
    task: u32,
    open: u32,
    start: u32,
    end: u32,
) -> Result<(), FileError> {
    call(
        sys,
        task,
        labels::SYNC,
        Words::from_buf([open, start]),
        |s, k| {
            s.sync(k, TaskId(task), OpenId(open), start, end)
                .map(|_| ())
        },
    )
}

/// physmem asks the file server for `count` frames back.
pub(crate) fn return_frames(sys: &mut System, count: u32) {
    if let Some(mut server) = sys.files.take() {
        server.return_frames(&mut Kernel(sys), count);
        sys.files = Some(server);
    }
}

/// physmem reclaimed the file server's frame at `offset`.
pub(crate) fn frame_lost(sys: &mut System, offset: u32) {
    if let Some(mut server) = sys.files.take() {
        server.frame_lost(&mut Kernel(sys), offset);
        sys.files = Some(server);
    }
}

/// The end of the run: every dirty page goes to the disk.
pub(crate) fn sync_all(sys: &mut System) {
    if let Some(mut server) = sys.files.take() {
        // The ramdisk never refuses a block of a file it laid out.
        let _ = server.sync_all(&mut Kernel(sys));
        sys.files = Some(server);
    }
}
