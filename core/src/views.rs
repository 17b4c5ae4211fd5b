//! Read-only views of the machine for front ends: the frame map, page-table walks, the TLB
//! and per-task summaries. Views are plain serde data; nothing here changes the kernel.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use x86_emu::asm::LineSpan;
use x86_emu::mmu;
use x86_emu::{CpuState, PteFlags, VirtAddr, PAGE_SIZE};

use crate::kernel::Kernel;
use crate::pagetable;
use crate::session::TaskSummary;
use crate::task::{Task, ThreadState};

/// Marks on a frame of the frame map (a bit set).
pub mod mark {
    /// Not in use.
    pub const FREE: u16 = 1 << 0;
    /// The kernel's (a page directory or page table).
    pub const KERNEL: u16 = 1 << 1;
    /// Bound by physmem to a container.
    pub const BOUND: u16 = 1 << 2;
    /// Mapped in some task's page table.
    pub const MAPPED: u16 = 1 << 3;
    /// Written since it was mapped (PTE D bit).
    pub const DIRTY: u16 = 1 << 4;
    /// Used since it was mapped or sampled (PTE A bit).
    pub const REFERENCED: u16 = 1 << 5;
    /// Referred to by more than one container.
    pub const SHARED: u16 = 1 << 6;
    /// Copy-on-write.
    pub const COW: u16 = 1 << 7;
    /// Held beyond the task's guarantee.
    pub const EXTRA: u16 = 1 << 8;
    /// Mapped writable.
    pub const WRITABLE: u16 = 1 << 9;
    /// Touched by the most recent event.
    pub const TOUCHED: u16 = 1 << 10;
    /// Pinned by its task's pager: never evicted (the eviction callback's code and stack).
    pub const PINNED: u16 = 1 << 11;
    /// In the file server's page cache (tasks with a shared mapping map it directly).
    pub const PAGE_CACHE: u16 = 1 << 12;
    /// A task's private copy of a file page (a private file mapping).
    pub const PRIVATE_COPY: u16 = 1 << 13;
}

/// One cell of the physical frame map.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameCell {
    /// The task that owns or uses the frame, 0 for none.
    pub owner: u32,
    /// Bits from [`mark`].
    pub marks: u16,
    /// Virtual page address where the owner maps it, if mapped.
    pub vaddr: Option<u32>,
}

/// Every frame of RAM, by frame number.
pub fn frame_map(k: &Kernel) -> Vec<FrameCell> {
    let ram_frames = k.machine().ram().frames();
    let mut cells = vec![FrameCell::default(); ram_frames as usize];
    let pool = k.pool();
    for (pfn, cell) in cells.iter_mut().enumerate() {
        let pfn = pfn as u32;
        cell.marks = if pool.owns(x86_emu::Pfn(pfn)) {
            mark::KERNEL | mark::FREE
        } else {
            mark::FREE
        };
    }
    for t in k.tasks().filter(|t| !t.state.is_done()) {
        let dir = (t.cr3.0 / PAGE_SIZE) as usize;
        if let Some(c) = cells.get_mut(dir) {
            *c = FrameCell {
                owner: t.id,
                marks: mark::KERNEL,
                vaddr: None,
            };
        }
        for (base, table) in crate::pagetable::tables(k.machine(), t.cr3) {
            if let Some(c) = cells.get_mut(table.0 as usize) {
                *c = FrameCell {
                    owner: t.id,
                    marks: mark::KERNEL,
                    vaddr: Some(base),
                };
            }
        }
    }
    for (pfn, info) in k.physmem().frames() {
        let Some(c) = cells.get_mut(pfn.0 as usize) else {
            continue;
        };
        if let physmem::FrameInfo::Bound {
            payer,
            cow,
            shared,
            extra,
            ..
        } = info
        {
            c.owner = payer.0;
            c.marks = mark::BOUND;
            if payer.0 == crate::files::FILE_SERVER {
                c.marks |= mark::PAGE_CACHE;
            }
            for (on, m) in [
                (shared, mark::SHARED),
                (cow, mark::COW),
                (extra, mark::EXTRA),
            ] {
                if on {
                    c.marks |= m;
                }
            }
        }
    }
    // One pass over the mappings (not a lookup per frame): large maps redraw every frame.
    let pinned: BTreeSet<(u32, u32)> = k
        .tasks()
        .filter_map(|t| k.manager(t.id).map(|m| (t.id, m.pinned())))
        .flat_map(|(id, pages)| pages.into_iter().map(move |va| (id, va)))
        .collect();
    // The first task seen mapping each frame: a second one makes it shared between tasks.
    let mut mapper = vec![0u32; cells.len()];
    for ((task, va), node) in k.mapdb().iter() {
        let (Some(t), Some(c)) = (k.task(task), cells.get_mut(node.pfn as usize)) else {
            continue;
        };
        c.marks |= mark::MAPPED;
        c.vaddr.get_or_insert(va);
        match mapper[node.pfn as usize] {
            0 => mapper[node.pfn as usize] = task,
            first if first != task => c.marks |= mark::SHARED,
            _ => {}
        }
        if k.manager(task)
            .and_then(|m| m.file_page(va))
            .is_some_and(|f| !f.shared)
        {
            c.marks |= mark::PRIVATE_COPY;
        }
        if let Some(pte) = pagetable::lookup(k.machine(), t.cr3, va) {
            if pte.accessed {
                c.marks |= mark::REFERENCED;
            }
            if pte.dirty {
                c.marks |= mark::DIRTY;
            }
        }
        if node.rights.contains(physmem::Rights::W) {
            c.marks |= mark::WRITABLE;
        }
        if pinned.contains(&(task, va)) {
            c.marks |= mark::PINNED;
        }
    }
    cells
}

/// One level of a page-table walk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// "PDE" or "PTE".
    pub name: String,
    /// Index into the directory or table.
    pub index: u32,
    /// Physical address of the entry.
    pub addr: u32,
    /// The raw entry.
    pub raw: u32,
    /// Names of the bits set (P, RW, US, PWT, PCD, A, D, PS, G).
    pub bits: Vec<String>,
}

/// A page-table walk of one virtual address in one task, with the verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkView {
    /// The virtual address.
    pub vaddr: u32,
    /// The task's CR3.
    pub cr3: u32,
    /// Directory and table levels reached.
    pub levels: Vec<Level>,
    /// The page offset (low 12 bits).
    pub offset: u32,
    /// The physical address, if the walk ends in a present page.
    pub phys: Option<u32>,
    /// What a user read and write would do, in words.
    pub verdict: String,
    /// Which file and offset the page maps, in words, if it is in a file mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

fn bit_names(raw: u32, pte: bool) -> Vec<String> {
    let names: &[(PteFlags, &str)] = &[
        (PteFlags::PRESENT, "P"),
        (PteFlags::WRITABLE, "RW"),
        (PteFlags::USER, "US"),
        (PteFlags::PWT, "PWT"),
        (PteFlags::PCD, "PCD"),
        (PteFlags::ACCESSED, "A"),
        (PteFlags::DIRTY, "D"),
        (PteFlags::PAGE_SIZE, "PS"),
        (PteFlags::GLOBAL, "G"),
    ];
    names
        .iter()
        .filter(|(f, n)| raw & f.bits() != 0 && (pte || *n != "D"))
        .map(|(_, n)| (*n).to_string())
        .collect()
}

/// Walks `vaddr` through task `task`'s page tables without changing any bit.
pub fn walk(k: &Kernel, task: u32, vaddr: u32) -> Option<WalkView> {
    let t = k.task(task)?;
    if t.state.is_done() {
        return None;
    }
    let w = mmu::walk(k.machine().ram(), t.cr3, VirtAddr(vaddr));
    let mut levels = vec![Level {
        name: "PDE".into(),
        index: vaddr >> 22,
        addr: w.pde_addr.0,
        raw: w.pde.raw(),
        bits: bit_names(w.pde.raw(), false),
    }];
    if let (Some(addr), Some(pte)) = (w.pte_addr, w.pte) {
        levels.push(Level {
            name: "PTE".into(),
            index: (vaddr >> 12) & 0x3FF,
            addr: addr.0,
            raw: pte.raw(),
            bits: bit_names(pte.raw(), true),
        });
    }
    let verdict = match (w.pte_addr, w.pte) {
        _ if w.pde.raw() & PteFlags::PRESENT.bits() == 0 => {
            "not present at the directory level: any access raises #PF (error code P=0)".to_string()
        }
        (_, Some(pte)) if pte.raw() & PteFlags::PRESENT.bits() == 0 => {
            "not present in the page table: any access raises #PF (error code P=0); the pager will be asked".to_string()
        }
        (_, Some(pte)) if pte.raw() & PteFlags::WRITABLE.bits() == 0 => {
            "reads succeed; a write raises #PF (error code P=1, W=1): read-only or copy-on-write".to_string()
        }
        _ => "reads and writes succeed".to_string(),
    };
    let file = k.manager(task).and_then(|m| m.file_page(vaddr)).map(|f| {
        let how = if f.shared {
            "shared mapping: the file server's cached frame"
        } else {
            "private mapping: the task's copy-on-write copy"
        };
        format!("{} + {:#x} ({how})", f.path, f.offset)
    });
    Some(WalkView {
        vaddr,
        cr3: t.cr3.0,
        levels,
        offset: vaddr & 0xFFF,
        phys: w.phys.map(|p| p.0),
        verdict,
        file,
    })
}

/// One TLB entry as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlbEntryView {
    /// Virtual page address.
    pub vaddr: u32,
    /// Physical page address.
    pub paddr: u32,
    /// Whether the cached translation allows writes.
    pub writable: bool,
}

/// The TLB: entries of the address space on the CPU, and its counters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlbView {
    /// The task whose address space is loaded.
    pub task: Option<u32>,
    /// Cached translations.
    pub entries: Vec<TlbEntryView>,
    /// Lookups that hit.
    pub hits: u64,
    /// Lookups that walked the page tables.
    pub misses: u64,
}

/// The TLB now.
pub fn tlb(k: &Kernel) -> TlbView {
    let tlb = k.machine().tlb();
    TlbView {
        task: k.current(),
        entries: tlb
            .entries()
            .map(|e| TlbEntryView {
                vaddr: e.vpn.0 << 12,
                paddr: e.pfn.0 << 12,
                writable: e.flags.contains(PteFlags::WRITABLE),
            })
            .collect(),
        hits: tlb.hits(),
        misses: tlb.misses(),
    }
}

/// One flag of the flag row: its name, whether it is set, and, when the architecture leaves
/// it undefined now, which instruction left it so and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagView {
    /// CF, PF, AF, ZF, SF, DF, OF or IF.
    pub name: &'static str,
    /// Whether the bit is 1 (for an undefined flag: the emulator's value).
    pub on: bool,
    /// Why it is undefined, in words, if it is.
    pub undefined: Option<String>,
}

/// The flags of the flag row, in its order.
const FLAG_ROW: [(u32, &str); 8] = {
    use x86_emu::cpu::eflags::{AF, CF, DF, IF, OF, PF, SF, ZF};
    [
        (CF, "CF"),
        (PF, "PF"),
        (AF, "AF"),
        (ZF, "ZF"),
        (SF, "SF"),
        (DF, "DF"),
        (OF, "OF"),
        (IF, "IF"),
    ]
};

/// The names of the flags of `mask`, in the flag row's order, e.g. `"PF AF ZF SF"`.
pub fn flag_names(mask: u32) -> String {
    let names: Vec<&str> = FLAG_ROW
        .iter()
        .filter(|(bit, _)| mask & bit != 0)
        .map(|&(_, name)| name)
        .collect();
    names.join(" ")
}

/// The flag row of a CPU state, in the order the page shows it.
pub fn flags(cpu: &CpuState) -> Vec<FlagView> {
    FLAG_ROW
        .into_iter()
        .map(|(bit, name)| FlagView {
            name,
            on: cpu.eflags & bit != 0,
            undefined: cpu.undefined.why(bit).map(|why| {
                let rule = why.rule();
                format!(
                    "{name} is undefined: the last instruction to write it was {} ({}), which \
                 the architecture leaves {name} undefined after. Intel SDM: \u{201c}{}\u{201d} \
                 A program must not rely on it: CPUs differ (the emulator shows {}).",
                    rule.instructions.replace(' ', "/"),
                    rule.when,
                    rule.manual,
                    if cpu.eflags & bit != 0 { 1 } else { 0 },
                )
            }),
        })
        .collect()
}

/// Status of a task in words.
pub fn status(t: &Task) -> String {
    match &t.state {
        ThreadState::Exited(code) => format!("exited {code}"),
        ThreadState::Killed(reason) => format!("killed: {reason}"),
        ThreadState::Ready => "ready".into(),
        ThreadState::Running => "running".into(),
        ThreadState::WaitingForPager => "waiting for its pager".into(),
    }
}

/// The summary line of one task.
pub fn task_summary(k: &Kernel, t: &Task) -> TaskSummary {
    let mm = k
        .manager(t.id)
        .map(|m| m.stats())
        .or(t.final_stats)
        .unwrap_or_default();
    TaskSummary {
        id: t.id,
        name: t.name.clone(),
        instructions: t.counters.instructions,
        faults: t.counters.faults,
        page_ins: mm.page_ins,
        page_outs: mm.page_outs,
        evictions: mm.evictions,
        frames_held: k.manager(t.id).map_or(0, |m| m.frames_held()),
        status: status(t),
        output: t.output.clone(),
    }
}

/// One line of the disassembly view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisasmRow {
    /// Address of the instruction.
    pub addr: u32,
    /// The instruction in Intel syntax.
    pub text: String,
    /// Its source line.
    pub line: Option<u32>,
}

/// `count` instructions of task `task`'s program around its EIP (fewer only if the program
/// is shorter), decoded from the program image (what the loader put in the text region).
pub fn disassembly(k: &Kernel, task: u32, count: usize) -> Vec<DisasmRow> {
    let Some(t) = k.task(task) else {
        return Vec::new();
    };
    let p = &t.program;
    let bytes_of = |l: &LineSpan| {
        let seg = p
            .segments
            .iter()
            .find(|s| s.addr <= l.addr && l.addr < s.addr + s.bytes.len() as u32)?;
        let off = (l.addr - seg.addr) as usize;
        seg.bytes.get(off..off + l.len as usize)
    };
    let code: Vec<(&LineSpan, &[u8])> = p
        .lines
        .iter()
        .filter_map(|l| Some((l, bytes_of(l)?)))
        .collect();
    let at = code.partition_point(|(l, _)| l.addr + l.len <= t.cpu.eip);
    let start = at
        .saturating_sub(count / 3)
        .min(code.len().saturating_sub(count));
    code[start..]
        .iter()
        .take(count)
        .filter_map(|&(l, bytes)| {
            let line = x86_emu::disasm::disassemble_one(bytes, l.addr)?;
            Some(DisasmRow {
                addr: l.addr,
                text: line.text,
                line: (l.line != 0).then_some(l.line), // 0: C's start-up code and headers
            })
        })
        .collect()
}

/// A server row of the tasks pane: the file server or the ramdisk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerRow {
    /// Its task id (as in the trace).
    pub id: u32,
    /// "file server" or "ramdisk".
    pub name: String,
    /// Frames guaranteed (the ramdisk holds none: it fills its clients' frames).
    pub guaranteed: u32,
    /// Extra frames it may hold.
    pub extra: u32,
    /// Frames it holds now.
    pub held: u32,
    /// What it did, in a few words.
    pub activity: String,
}

/// The file server and the ramdisk, if the scenario has a disk.
pub fn servers(k: &Kernel) -> Vec<ServerRow> {
    let Some(fs) = k.file_server() else {
        return Vec::new();
    };
    let st = fs.stats();
    let guaranteed = k
        .physmem()
        .stats()
        .tasks
        .iter()
        .find(|t| t.task.0 == crate::files::FILE_SERVER)
        .map_or(0, |t| t.guaranteed);
    let limit = fs.cache_limit();
    vec![
        ServerRow {
            id: crate::files::FILE_SERVER,
            name: "file server".into(),
            guaranteed,
            extra: limit.saturating_sub(guaranteed),
            held: st.cached,
            activity: format!(
                "{} hits, {} misses, {} written back, {} dirty",
                st.cache.hits, st.cache.misses, st.cache.written_back, st.dirty
            ),
        },
        ServerRow {
            id: crate::files::RAMDISK,
            name: "ramdisk".into(),
            guaranteed: 0,
            extra: 0,
            held: 0,
            activity: format!(
                "{} blocks: {} read, {} written",
                fs.ramdisk().blocks(),
                st.disk.blocks_read,
                st.disk.blocks_written
            ),
        },
    ]
}
