//! The measured claims of the file lessons (docs/lessons/13–15), checked on their presets.

use selfpage_core::{presets, Endpoint, Event, Record, Session, Stopped, FILE_SERVER};

fn run(name: &str) -> Session {
    let scenario = presets::scenario(name).unwrap_or_else(|| panic!("no preset {name}"));
    let mut s = Session::new(scenario).expect("boots");
    assert_eq!(s.run_to_end(), Stopped::AllDone, "{name} did not finish");
    s
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

fn output(s: &Session, task: &str) -> String {
    let sum = s.summary();
    sum.tasks
        .iter()
        .find(|t| t.name == task)
        .expect("task")
        .output
        .clone()
}

#[test]
fn lesson_13_a_file_fault_costs_a_block_read_and_twelve_messages_a_cache_hit_six() {
    let s = run("file-shared");
    let recs = records(&s);
    let io = s.kernel().config().page_io_cost;
    let ipc = s.kernel().config().ipc_cost;
    assert_eq!(fault_costs(&recs, 1, 0x4000)[0], 12 * ipc + io);
    assert_eq!(12 * ipc + io, 6_200);
    assert_eq!(fault_costs(&recs, 2, 0x4000), vec![6 * ipc]);
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
    let fs = s.summary().files.expect("file counters");
    assert_eq!(
        (fs.cache.hits, fs.cache.misses, fs.cache.written_back),
        (1, 2, 2)
    );
    assert_eq!((fs.disk.blocks_read, fs.disk.blocks_written), (2, 2));
    assert!(recs.iter().any(|r| matches!(
        r.event,
        Event::Ipc {
            from: Endpoint::FileServer,
            to: Endpoint::Ramdisk,
            ..
        }
    )));
}

#[test]
fn lesson_14_shared_is_one_frame_private_is_a_copy_the_file_never_sees() {
    assert_eq!(output(&run("file-shared"), "reader"), "HELLO");
    let s = run("file-private");
    assert_eq!(output(&s, "editor"), "MINEcfg cfg cfg ");
    let copies = records(&s)
        .iter()
        .filter(|r| matches!(r.event, Event::FrameCopied { .. }))
        .count();
    assert_eq!(copies, 1);
    let disk = s
        .kernel()
        .file_server()
        .unwrap()
        .contents("/etc/config")
        .unwrap();
    assert_eq!(&disk[..8], b"cfg cfg ");
}

#[test]
fn lesson_15_the_cache_evicts_and_gives_frames_back_writing_first_and_nothing_is_lost() {
    let s = run("file-scan");
    let fs = s.summary().files.expect("file counters");
    assert_eq!(
        (fs.cache.misses, fs.cache.evicted, fs.cache.written_back),
        (32, 24, 32)
    );
    assert_eq!((fs.disk.blocks_read, fs.disk.blocks_written), (32, 32));
    assert_eq!((fs.cached, fs.dirty), (8, 0));
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
    let sum = s.summary();
    assert!(sum
        .tasks
        .iter()
        .any(|t| t.name == "latecomer" && t.status == "exited 0"));
    let disk = s
        .kernel()
        .file_server()
        .unwrap()
        .contents("/data/big")
        .unwrap();
    assert!((0..32).all(|p| disk[p * 4096 + 1] == b'*'));
}
