//! The further claims of lessons 13–15 (files paged by a user-level file server), checked
//! on their presets.

use selfpage_core::lessons::{Measure, Quantity};
use selfpage_core::{Endpoint, Event, Record, Session, FILE_SERVER};

use crate::run;

/// The file at `path` on the file server's disk at the end of the run.
fn on_disk(s: &Session, path: &str) -> Vec<u8> {
    s.kernel()
        .file_server()
        .expect("file server")
        .contents(path)
        .expect("the file")
}

fn records(s: &Session) -> Vec<Record> {
    s.kernel().trace().records().iter().cloned().collect()
}

/// The logical time from each fault of `task` at `addr` to the thread's restart.
fn fault_costs(recs: &[Record], task: u32, addr: u32) -> Vec<u64> {
    let mut out = Vec::new();
    for (i, r) in recs.iter().enumerate() {
        if matches!(r.event, Event::Fault { task: t, addr: a, .. } if t == task && a & !0xFFF == addr)
        {
            let end = recs[i..]
                .iter()
                .find(|e| matches!(e.event, Event::Resumed { task: t } if t == task))
                .expect("resumed");
            out.push(end.time - r.time);
        }
    }
    out
}

/// A claim of the lesson, measured: a file fault costs a block read and twelve messages,
/// a cache hit six, and both tasks map the file server's frame.
pub fn lesson_13_a_file_fault_costs_a_block_read_and_twelve_messages_a_cache_hit_six() {
    let s = run("file-shared");
    let recs = records(&s);
    let io = s.kernel().config().page_io_cost;
    let ipc = s.kernel().config().ipc_cost;
    assert_eq!(fault_costs(&recs, 1, 0x4000)[0], 12 * ipc + io);
    assert_eq!(12 * ipc + io, 6_200);
    assert_eq!(io, 5_000);
    assert_eq!(fault_costs(&recs, 2, 0x4000), vec![6 * ipc]);
    assert_eq!(6 * ipc, 600);
    let ff = run("first-fault");
    let image_fill = fault_costs(&records(&ff), 1, 0x401000);
    assert_eq!(
        image_fill,
        vec![6 * ipc],
        "a cache hit costs what an image fill does"
    );
    let pfn_of = |task| {
        recs.iter().find_map(|r| match r.event {
            Event::Mapped {
                task: t,
                vaddr: 0x4000,
                pfn,
                ..
            } if t == task => Some(pfn),
            _ => None,
        })
    };
    assert_eq!(pfn_of(1), pfn_of(2), "one frame for both tasks");
    // The frame is the file server's: the first page of its cache container.
    let server = s.kernel().file_server().expect("file server");
    let cache = s
        .kernel()
        .physmem()
        .frame_at(physmem::TaskId(FILE_SERVER), server.container(), 0);
    assert_eq!(cache.map(|p| p.0), pfn_of(1));
    assert!(recs.iter().any(|r| matches!(
        r.event,
        Event::Ipc {
            from: Endpoint::FileServer,
            to: Endpoint::Ramdisk,
            ..
        }
    )));
}

/// A claim of the lesson, measured: the private write never reaches the file.
pub fn lesson_14_a_private_copy_is_one_the_file_never_sees() {
    let s = run("file-private");
    let disk = on_disk(&s, "/etc/config");
    assert_eq!(&disk[..8], b"cfg cfg ");
}

/// A claim of the lesson, measured: under pressure the file server is asked for 22
/// frames and returns 22, and every mark reaches the disk.
pub fn lesson_15_under_pressure_the_cache_gives_frames_back_and_nothing_is_lost() {
    let s = run("file-pressure");
    let recs = records(&s);
    let asked = recs.iter().find_map(|r| match r.event {
        Event::PressureRequest {
            task,
            count,
            ignored: false,
            ..
        } if task == FILE_SERVER => Some(count),
        _ => None,
    });
    assert_eq!(asked, Some(22));
    let returned = recs.iter().find_map(|r| match &r.event {
        Event::Fs {
            event: fs::FsEvent::FramesReturned { returned, .. },
        } => Some(*returned),
        _ => None,
    });
    assert_eq!(returned, Some(22));
    let disk = on_disk(&s, "/data/big");
    assert!((0..32).all(|p| disk[p * 4096 + 1] == b'*'));
    let scan = run("file-scan");
    let disk = on_disk(&scan, "/data/big");
    assert!((0..32).all(|p| disk[p * 4096 + 1] == b'*'));
}

/// File counters are refused with a message on a scenario without a file server.
pub fn file_counters_need_a_file_server() {
    let m = Measure {
        scenario: "first-fault".into(),
        task: None,
        of: Quantity::CacheHits,
        event: None,
        refs: None,
        policy: None,
        frames: None,
    };
    assert_eq!(
        m.measure().map_err(|e| e.to_string()),
        Err("the scenario first-fault has no file server".into())
    );
}
