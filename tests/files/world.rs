//! A small kernel without x86 for the file tests: real physmem, RAM as bytes, each task's
//! mappings with referenced/dirty bits, the file server and the tasks' memory managers. It
//! plays the CPU: an access through a missing or too-weak mapping faults to the task's pager.

use fs::{FileServer, FileSpec, FsConfig, FsEnv, FsError, FsEvent, OpenId, Ramdisk};
use libhurd_mm::store::{FileError, FileGrant, FileOpened};
use libhurd_mm::{
    Access, FaultMsg, MemoryManager, MmConfig, PagerEnv, PagerEvent, PolicyKind, RefBits, Segv,
};
use physmem::{Effect, Handle, Pfn, Physmem, PhysmemError, Reply, Request, Rights, TaskId};
use std::collections::BTreeMap;

const PAGE: u32 = physmem::PAGE_SIZE;
/// The file server's task.
pub const SERVER: u32 = 1;
/// The ramdisk's task.
pub const DISK: u32 = 2;

/// One mapping: frame, writable, referenced, dirty.
#[derive(Clone, Copy, Debug)]
pub struct Pte {
    pub pfn: u32,
    pub w: bool,
    pub a: bool,
    pub d: bool,
}

/// Physmem, RAM and page tables: what both the pagers and the file server call.
pub struct Kern {
    pub pm: Physmem,
    pub ram: Vec<u8>,
    pub maps: BTreeMap<(u32, u32), Pte>,
    pub pager_events: Vec<(u32, PagerEvent)>,
    pub fs_events: Vec<FsEvent>,
}

/// The whole machine.
pub struct World {
    pub k: Kern,
    pub fs: Option<FileServer>,
    pub mms: BTreeMap<u32, MemoryManager>,
}

impl Kern {
    fn apply(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Zero(p) => self.frame_mut(p.0).fill(0),
                Effect::Copy { from, to } => {
                    let (f, t) = ((from.0 * PAGE) as usize, (to.0 * PAGE) as usize);
                    self.ram.copy_within(f..f + PAGE as usize, t);
                }
                Effect::Revoke { pfn, rights } => self.revoke(pfn.0, rights),
                Effect::ReturnFrames { .. } | Effect::Reclaimed { .. } => {}
            }
        }
    }

    fn frame_mut(&mut self, pfn: u32) -> &mut [u8] {
        let s = (pfn * PAGE) as usize;
        &mut self.ram[s..s + PAGE as usize]
    }

    fn revoke(&mut self, pfn: u32, rights: Rights) {
        if rights.contains(Rights::R) {
            self.maps.retain(|_, m| m.pfn != pfn);
        } else if rights.contains(Rights::W) {
            for m in self.maps.values_mut().filter(|m| m.pfn == pfn) {
                m.w = false;
            }
        }
    }

    fn pfn(&self, task: TaskId, c: Handle, offset: u32) -> u32 {
        self.pm
            .frame_at(task, c, offset)
            .unwrap_or_else(|| panic!("task {task:?} has no frame at {offset:#x}"))
            .0
    }
}

impl FsEnv for Kern {
    fn physmem(&mut self, task: TaskId, req: Request) -> Result<Reply, PhysmemError> {
        let r = self.pm.handle(task, req);
        self.apply(r.effects);
        if let Ok(Reply::Mapped { items, .. }) = &r.result {
            for i in items {
                let pte = Pte {
                    pfn: i.pfn.0,
                    w: i.rights.contains(Rights::W),
                    a: false,
                    d: false,
                };
                self.maps.insert((task.0, i.vaddr), pte);
            }
        }
        r.result
    }
    fn read_frame(&mut self, task: TaskId, c: Handle, offset: u32, buf: &mut [u8]) {
        let p = self.pfn(task, c, offset);
        buf.copy_from_slice(self.frame_mut(p));
    }
    fn write_frame(&mut self, task: TaskId, c: Handle, offset: u32, data: &[u8]) {
        let p = self.pfn(task, c, offset);
        self.frame_mut(p)[..data.len()].copy_from_slice(data);
    }
    fn revoke_write(&mut self, task: TaskId, c: Handle, offset: u32) {
        let p = self.pfn(task, c, offset);
        self.revoke(p, Rights::W);
    }
    fn event(&mut self, e: FsEvent) {
        self.fs_events.push(e);
    }
}

/// One task's pager view.
pub struct Env<'a> {
    pub k: &'a mut Kern,
    pub fs: &'a mut Option<FileServer>,
    pub task: u32,
}

fn file_error(e: FsError) -> FileError {
    FileError {
        errno: e.errno(),
        reason: e.to_string(),
    }
}

impl Env<'_> {
    fn server(&mut self) -> Result<&mut FileServer, FileError> {
        self.fs.as_mut().ok_or_else(FileError::no_server)
    }
}

impl PagerEnv for Env<'_> {
    fn physmem(&mut self, req: Request) -> Result<Reply, PhysmemError> {
        self.k.physmem(TaskId(self.task), req)
    }
    fn unmap(&mut self, vaddr: u32) -> RefBits {
        self.k
            .maps
            .remove(&(self.task, vaddr))
            .map_or(RefBits::default(), |m| RefBits {
                referenced: m.a,
                dirty: m.d,
            })
    }
    fn sample(&mut self, vaddr: u32) -> RefBits {
        match self.k.maps.get_mut(&(self.task, vaddr)) {
            Some(m) => {
                let bits = RefBits {
                    referenced: m.a,
                    dirty: m.d,
                };
                (m.a, m.d) = (false, false);
                bits
            }
            None => RefBits::default(),
        }
    }
    fn read_page(&mut self, c: Handle, offset: u32, buf: &mut [u8]) {
        self.k.read_frame(TaskId(self.task), c, offset, buf);
    }
    fn write_page(&mut self, c: Handle, offset: u32, data: &[u8]) {
        self.k.write_frame(TaskId(self.task), c, offset, data);
    }
    fn ask_callback(&mut self, _candidates: &[u32]) -> Option<u32> {
        None
    }
    fn event(&mut self, e: PagerEvent) {
        self.k.pager_events.push((self.task, e));
    }
    fn file_open(&mut self, path: &str, write: bool) -> Result<FileOpened, FileError> {
        let task = TaskId(self.task);
        let fs = self.fs.as_mut().ok_or_else(FileError::no_server)?;
        let o = fs.open(self.k, task, path, write).map_err(file_error)?;
        Ok(FileOpened {
            open: o.open.0,
            size: o.size,
            container: o.container,
        })
    }
    fn file_close(&mut self, open: u32) {
        let task = TaskId(self.task);
        if let Ok(fs) = self.server() {
            let _ = fs.close(task, OpenId(open));
        }
    }
    fn file_page(&mut self, open: u32, offset: u32, write: bool) -> Result<FileGrant, FileError> {
        let task = TaskId(self.task);
        let fs = self.fs.as_mut().ok_or_else(FileError::no_server)?;
        let g = fs
            .page(self.k, task, OpenId(open), offset, write)
            .map_err(file_error)?;
        Ok(FileGrant {
            cache: g.cache,
            writable: g.writable,
        })
    }
    fn file_sync(&mut self, open: u32, start: u32, end: u32) -> Result<(), FileError> {
        let task = TaskId(self.task);
        let fs = self.fs.as_mut().ok_or_else(FileError::no_server)?;
        fs.sync(self.k, task, OpenId(open), start, end)
            .map(|_| ())
            .map_err(file_error)
    }
}

/// A file to boot with.
pub fn file(path: &str, pages: u32, content: &str) -> FileSpec {
    FileSpec {
        path: path.into(),
        size: pages * PAGE,
        content: content.as_bytes().to_vec(),
    }
}

impl World {
    /// `frames` of RAM, a disk of `blocks` with `files`, a file server with `cfg`, and
    /// `tasks` client tasks (ids 3, 4, ...) of `task_frames` frames each.
    pub fn new(
        frames: u32,
        blocks: u32,
        files: &[FileSpec],
        cfg: &FsConfig,
        tasks: u32,
        task_frames: u32,
    ) -> Result<World, FsError> {
        let mut k = Kern {
            pm: Physmem::new((0..frames).map(Pfn)),
            ram: vec![0; (frames * PAGE) as usize],
            maps: BTreeMap::new(),
            pager_events: Vec::new(),
            fs_events: Vec::new(),
        };
        let control = k.pm.create_control(TaskId(SERVER), cfg.guaranteed).unwrap();
        k.pm.create_control(TaskId(DISK), 0).unwrap();
        let disk = Ramdisk::new(TaskId(DISK), blocks)?;
        let fs = FileServer::boot(&mut k, TaskId(SERVER), control, disk, files, cfg)?;
        let mut mms = BTreeMap::new();
        for t in 3..3 + tasks {
            let control = k.pm.create_control(TaskId(t), task_frames).unwrap();
            let Ok(Reply::Handle(container)) =
                k.physmem(TaskId(t), Request::ContainerCreate { control })
            else {
                panic!("container for task {t}")
            };
            let mm = MemoryManager::new(MmConfig {
                container,
                frames: task_frames,
                policy: PolicyKind::Lru,
                seed: 1,
                oracle: false,
            });
            mms.insert(t, mm);
        }
        Ok(World {
            k,
            fs: Some(fs),
            mms,
        })
    }

    /// Run `f` with task `t`'s memory manager and its env.
    pub fn with<R>(&mut self, t: u32, f: impl FnOnce(&mut MemoryManager, &mut Env) -> R) -> R {
        let mm = self.mms.get_mut(&t).expect("task");
        let mut env = Env {
            k: &mut self.k,
            fs: &mut self.fs,
            task: t,
        };
        f(mm, &mut env)
    }

    /// The server and the kernel, for server-side calls.
    pub fn server(&mut self) -> (&mut FileServer, &mut Kern) {
        (self.fs.as_mut().expect("file server"), &mut self.k)
    }

    fn allowed(&self, t: u32, page: u32, access: Access) -> Option<u32> {
        let m = self.k.maps.get(&(t, page))?;
        (access != Access::Write || m.w).then_some(m.pfn)
    }

    /// Play the CPU: task `t` accesses `va`, faulting to its pager until it may.
    pub fn touch(&mut self, t: u32, va: u32, access: Access) -> Result<usize, Segv> {
        let page = va & !(PAGE - 1);
        for _ in 0..4 {
            if let Some(pfn) = self.allowed(t, page, access) {
                let m = self.k.maps.get_mut(&(t, page)).expect("mapped");
                m.a = true;
                m.d |= access == Access::Write;
                return Ok((pfn * PAGE + va % PAGE) as usize);
            }
            let f = FaultMsg {
                addr: va,
                access,
                ip: 0x40_0000,
            };
            self.with(t, |mm, env| mm.handle_fault(env, f))?;
        }
        panic!("touch: task {t} still cannot access {va:#x} after its pager said yes");
    }

    /// A load.
    pub fn read(&mut self, t: u32, va: u32) -> Result<u8, Segv> {
        let at = self.touch(t, va, Access::Read)?;
        Ok(self.k.ram[at])
    }

    /// A store.
    pub fn write(&mut self, t: u32, va: u32, b: u8) -> Result<(), Segv> {
        let at = self.touch(t, va, Access::Write)?;
        self.k.ram[at] = b;
        Ok(())
    }

    /// The file on the disk now.
    pub fn disk(&self, path: &str) -> Vec<u8> {
        self.fs
            .as_ref()
            .expect("file server")
            .contents(path)
            .expect("file")
    }
}
