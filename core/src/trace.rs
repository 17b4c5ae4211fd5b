//! The event trace: every fault, IPC, RPC, frame and pager event as a serde record.
//! The UI, the CLI, the tests and the benchmarks all read this one trace.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use physmem::{PhysmemError, Reply, Request, Rights};

use crate::records::{Chunks, Records};
use crate::trace_hash::{chain, HASH_SEED};

/// The untyped words of a traced IPC message: at most two in the kernel's messages (a
/// fault's address and IP), kept inline so tracing a fault allocates nothing. It compares,
/// hashes and serializes as the slice it holds, like a `Vec`.
pub type Words = SmallVec<[u32; 2]>;

/// Who sends or receives a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Endpoint {
    /// The task's user thread (the workload).
    Thread(u32),
    /// The task's pager thread (libhurd-mm, inside the task).
    Pager(u32),
    /// The physical memory server.
    Physmem,
    /// The kernel itself.
    Kernel,
    /// The file server.
    FileServer,
    /// The ramdisk device server.
    Ramdisk,
}

/// Kind of memory access, as in the L4 fault label's rwx bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccessKind {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// An instruction fetch.
    Execute,
}

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The machine came up; sigma0 handed memory to physmem.
    Boot {
        /// Frames of RAM.
        ram_frames: u32,
        /// Frames the kernel keeps for page tables.
        kernel_frames: u32,
        /// Frames given to physmem.
        physmem_frames: u32,
    },
    /// A task was created and its thread made ready.
    TaskStarted {
        /// The task.
        task: u32,
        /// Its name.
        name: String,
        /// Frames guaranteed.
        guaranteed: u32,
        /// Extra frames it may hold.
        extra: u32,
        /// Its pager's policy.
        policy: String,
    },
    /// The CPU raised #PF for a task's thread.
    Fault {
        /// The task.
        task: u32,
        /// CR2: the faulting linear address.
        addr: u32,
        /// What the instruction tried to do.
        access: AccessKind,
        /// EIP of the faulting instruction.
        ip: u32,
        /// The #PF error code (P, W/R, U/S).
        error_code: u32,
    },
    /// A message left `from` for `to`.
    Ipc {
        /// Sender.
        from: Endpoint,
        /// Receiver.
        to: Endpoint,
        /// Message label (0xFFE0|rwx for a fault, physmem's RPC numbers, 0 for a reply).
        label: u32,
        /// Untyped words (MR1.. ).
        words: Words,
    },
    /// A task's pager called physmem.
    Rpc {
        /// The calling task.
        task: u32,
        /// The request.
        request: Request,
    },
    /// physmem answered.
    RpcReply {
        /// The calling task.
        task: u32,
        /// The answer.
        result: Result<Reply, PhysmemError>,
    },
    /// The kernel zero-filled a frame physmem had just bound.
    FrameZeroed {
        /// The frame.
        pfn: u32,
    },
    /// The kernel copied a frame (copy-on-write break or eager copy).
    FrameCopied {
        /// Source frame.
        from: u32,
        /// Destination frame.
        to: u32,
    },
    /// A mapping was installed in a task's page table.
    Mapped {
        /// The task.
        task: u32,
        /// Virtual page address.
        vaddr: u32,
        /// Frame.
        pfn: u32,
        /// Rights.
        rights: Rights,
    },
    /// A mapping was removed (or lost rights); its referenced/dirty bits came back.
    Unmapped {
        /// The task.
        task: u32,
        /// Virtual page address.
        vaddr: u32,
        /// Frame.
        pfn: u32,
        /// Whether the page was referenced since it was mapped or last sampled.
        referenced: bool,
        /// Whether it was written.
        dirty: bool,
    },
    /// physmem revoked rights on every mapping of a frame.
    Revoked {
        /// The frame.
        pfn: u32,
        /// Rights taken away.
        rights: Rights,
        /// How many mappings it touched.
        mappings: u32,
    },
    /// physmem asked a task to return frames.
    PressureRequest {
        /// The task asked.
        task: u32,
        /// Frames wanted.
        count: u32,
        /// Step by which it must comply.
        deadline: u64,
        /// Whether the task ignores such requests.
        ignored: bool,
    },
    /// physmem took an extra frame from a task that did not comply.
    Reclaimed {
        /// The task.
        task: u32,
        /// Container offset of the lost page.
        offset: u32,
        /// The frame, now free.
        pfn: u32,
    },
    /// Something the pager did or decided (eviction with its reason, page-in/out, hint...).
    Pager {
        /// The task.
        task: u32,
        /// What happened.
        event: libhurd_mm::PagerEvent,
    },
    /// The pager ran the workload's own x86 eviction callback.
    Callback {
        /// The task.
        task: u32,
        /// How many candidate pages it was offered.
        candidates: u32,
        /// The page it chose (EAX), if it returned.
        answer: Option<u32>,
        /// Instructions it ran.
        instructions: u64,
        /// How it ended, in words.
        outcome: String,
    },
    /// A workload called its library through the gate.
    Gate {
        /// The task.
        task: u32,
        /// The call, in words.
        call: String,
        /// The value returned in EAX.
        result: i32,
    },
    /// A workload printed text.
    Print {
        /// The task.
        task: u32,
        /// The text.
        text: String,
    },
    /// A thread runs again after its fault was served.
    Resumed {
        /// The task.
        task: u32,
    },
    /// A task ended by calling exit.
    TaskExited {
        /// The task.
        task: u32,
        /// Its exit code.
        code: i32,
    },
    /// The kernel killed a task.
    TaskKilled {
        /// The task.
        task: u32,
        /// Why, in words.
        reason: String,
    },
    /// The file server or the ramdisk did something (cache hit or miss, block read or
    /// written, write-back, eviction).
    Fs {
        /// What happened.
        event: fs::FsEvent,
    },
}

impl Event {
    /// Every kind [`Event::kind`] returns, in the order of the variants.
    pub const KINDS: [&'static str; 21] = [
        "boot",
        "task_started",
        "fault",
        "ipc",
        "rpc",
        "rpc_reply",
        "frame_zeroed",
        "frame_copied",
        "mapped",
        "unmapped",
        "revoked",
        "pressure_request",
        "reclaimed",
        "pager",
        "callback",
        "gate",
        "print",
        "resumed",
        "task_exited",
        "task_killed",
        "fs",
    ];

    /// The short name of this kind of event (as in the JSON `kind` field).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Boot { .. } => "boot",
            Event::TaskStarted { .. } => "task_started",
            Event::Fault { .. } => "fault",
            Event::Ipc { .. } => "ipc",
            Event::Rpc { .. } => "rpc",
            Event::RpcReply { .. } => "rpc_reply",
            Event::FrameZeroed { .. } => "frame_zeroed",
            Event::FrameCopied { .. } => "frame_copied",
            Event::Mapped { .. } => "mapped",
            Event::Unmapped { .. } => "unmapped",
            Event::Revoked { .. } => "revoked",
            Event::PressureRequest { .. } => "pressure_request",
            Event::Reclaimed { .. } => "reclaimed",
            Event::Pager { .. } => "pager",
            Event::Callback { .. } => "callback",
            Event::Gate { .. } => "gate",
            Event::Print { .. } => "print",
            Event::Resumed { .. } => "resumed",
            Event::TaskExited { .. } => "task_exited",
            Event::TaskKilled { .. } => "task_killed",
            Event::Fs { .. } => "fs",
        }
    }
}

/// One trace record: when, at what cost, what.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Record {
    /// Position in the trace, from 0.
    pub seq: u64,
    /// Logical time: instructions retired plus fixed costs, when the event happened.
    pub time: u64,
    /// Cost charged for this event (IPC, page-in/out), in the same units.
    pub cost: u64,
    /// What happened.
    pub event: Event,
}

impl Record {
    /// The record as one line of JSON, with `c_line` after the event's own fields when given.
    pub fn to_json(&self, c_line: Option<u32>) -> String {
        /// The record as exported: its fields, and the event's with the C line after them.
        #[derive(Serialize)]
        struct Exported<'a> {
            seq: u64,
            time: u64,
            cost: u64,
            event: WithLine<'a>,
        }
        #[derive(Serialize)]
        struct WithLine<'a> {
            #[serde(flatten)]
            event: &'a Event,
            #[serde(skip_serializing_if = "Option::is_none")]
            c_line: Option<u32>,
        }
        serde_json::to_string(&Exported {
            seq: self.seq,
            time: self.time,
            cost: self.cost,
            event: WithLine {
                event: &self.event,
                c_line,
            },
        })
        .unwrap_or_default()
    }
}

/// The trace of one run: the records kept and a hash of all of them.
#[derive(Clone, Debug)]
pub struct Trace {
    records: Chunks,
    dropped: u64,
    limit: usize,
    hash: u64,
}

/// Records per chunk, at most: 4,096 of 104 bytes is about 416 KiB. The default limit
/// (2^20) is a multiple, so dropping the oldest half drops exactly 128 whole chunks.
const CHUNK: usize = 4096;

/// The chunk length for a trace keeping at most `limit` records: a small limit still
/// drops its oldest half at once.
fn chunk_len(limit: usize) -> usize {
    (limit / 2).clamp(1, CHUNK)
}

impl Trace {
    /// An empty trace keeping at most `limit` records (older ones are dropped, still hashed).
    pub fn new(limit: usize) -> Trace {
        let limit = limit.max(1);
        Trace {
            records: Chunks::new(chunk_len(limit)),
            dropped: 0,
            limit,
            hash: HASH_SEED,
        }
    }

    /// Appends an event at `time` with `cost`.
    ///
    /// Inlined into each caller (through `System::emit`), so the caller writes the event's
    /// fields straight into the chunk. Out of line, the event was built in the caller's
    /// frame, passed by pointer and copied into the chunk once more. The rare parts (a new
    /// chunk, dropping the oldest half) and the hash stay out of line.
    #[inline(always)]
    pub fn push(&mut self, time: u64, cost: u64, event: Event) {
        if self.records.len() >= self.limit {
            self.drop_oldest_half();
        }
        let seq = self.len();
        let record = self.records.push(Record {
            seq,
            time,
            cost,
            event,
        });
        // Hashed where it lies (every fault pushes about fifteen records).
        self.hash = chain(self.hash, record);
    }

    /// Drops the oldest half of the kept records, in whole chunks: nothing kept is moved.
    #[cold]
    #[inline(never)]
    fn drop_oldest_half(&mut self) {
        self.dropped += self.records.drop_oldest(self.limit / 2) as u64;
    }

    /// Number of records ever pushed.
    pub fn len(&self) -> u64 {
        self.dropped + self.records.len() as u64
    }

    /// Whether no record was pushed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records still kept, oldest first.
    pub fn records(&self) -> Records<'_> {
        self.records.from(0)
    }

    /// Records with `seq >= from`, as far as they are kept.
    pub fn since(&self, from: u64) -> Records<'_> {
        let start = usize::try_from(from.saturating_sub(self.dropped)).unwrap_or(usize::MAX);
        self.records.from(start)
    }

    /// The trace's position and hash without its records: what a snapshot keeps.
    pub fn shell(&self) -> Trace {
        Trace {
            records: Chunks::new(chunk_len(self.limit)),
            dropped: self.len(),
            limit: self.limit,
            hash: self.hash,
        }
    }

    /// A shell filled back with the records of `full` it had when it was taken. Runs are
    /// deterministic, so a later trace of the same run holds exactly those records.
    pub fn refill(&mut self, full: &Trace) {
        let keep = self.len();
        let mut records = Chunks::new(chunk_len(self.limit));
        for r in full.records().iter().take_while(|r| r.seq < keep) {
            records.push(r.clone());
        }
        self.dropped = keep - records.len() as u64;
        self.records = records;
    }

    /// A hash of every record, in order: equal traces, equal hashes (native and wasm alike).
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_every_record_and_survives_dropping() {
        let mut a = Trace::new(4);
        let mut b = Trace::new(1000);
        for i in 0..10 {
            a.push(i, 0, Event::Resumed { task: 1 });
            b.push(i, 0, Event::Resumed { task: 1 });
        }
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.len(), 10);
        assert!(a.records().len() <= 4);
        assert_eq!(a.since(9).first().map(|r| r.seq), Some(9));
        b.push(10, 0, Event::Resumed { task: 2 });
        a.push(10, 0, Event::Resumed { task: 1 });
        assert_ne!(a.hash(), b.hash());
    }

    /// A trace of `n` records with limit `limit`, and the trace at `shell_at` as a shell.
    fn pushed(limit: usize, n: u64, shell_at: u64) -> (Trace, Trace) {
        let mut t = Trace::new(limit);
        let mut shell = t.shell();
        for i in 0..n {
            if i == shell_at {
                shell = t.shell();
            }
            t.push(i, i % 3, Event::Resumed { task: i as u32 });
        }
        (t, shell)
    }

    #[test]
    fn the_limit_drops_whole_chunks_and_views_cross_chunk_boundaries() {
        let c = CHUNK as u64;
        let n = 5 * c + 10;
        let (t, shell) = pushed(4 * CHUNK, n, 3 * c + 7);
        let (whole, _) = pushed(1 << 20, n, 0);
        assert_eq!(t.len(), n);
        assert_eq!(t.hash(), whole.hash(), "dropping does not change the hash");
        // At 4 chunks the oldest 2 went; the rest are as pushed.
        let kept = t.records();
        assert_eq!(kept.len() as u64, n - 2 * c);
        assert_eq!(kept.iter().len(), kept.len());
        assert!(kept.iter().map(|r| r.seq).eq(2 * c..n));
        assert!(kept.iter().rev().map(|r| r.seq).eq((2 * c..n).rev()));
        assert!(kept.iter().eq(whole.since(2 * c).iter()));
        assert!(
            kept.slices().flatten().map(|r| r.seq).eq(2 * c..n),
            "the slices hold every kept record once, in order"
        );
        // A view starting just before a chunk boundary.
        let from = 3 * c - 1;
        let tail = t.since(from);
        assert_eq!(tail.len() as u64, n - from);
        assert_eq!(tail.first().map(|r| r.seq), Some(from));
        assert_eq!(tail.get(1).map(|r| r.seq), Some(from + 1));
        assert_eq!(tail.get(tail.len() - 1).map(|r| r.seq), Some(n - 1));
        assert!(tail.get(tail.len()).is_none());
        assert!(tail.iter().map(|r| r.seq).eq(from..n));
        assert_eq!(t.since(0).len(), kept.len(), "dropped records are gone");
        assert!(t.since(n).is_empty() && t.since(n + 5).iter().next().is_none());
        // A shell refilled from the later trace is the trace as it was.
        let mut refilled = shell;
        refilled.refill(&t);
        let (then, _) = pushed(4 * CHUNK, 3 * c + 7, 0);
        assert_eq!(refilled.hash(), then.hash());
        assert_eq!(refilled.len(), then.len());
        assert!(refilled.records().iter().eq(then.since(2 * c).iter()));
    }
}
