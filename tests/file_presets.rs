//! Files paged at user level in the kernel model: the three file presets run on the emulated
//! i386, and a file fault goes thread → pager → file server → ramdisk → physmem → map →
//! restart, every step in the trace with its cost.

use selfpage_core::{presets, Endpoint, Event, Session, FILE_SERVER};

fn run(name: &str) -> Session {
    let mut s = Session::new(presets::scenario(name).expect("preset")).expect("boots");
    s.run_to_end();
    assert_eq!(s.kernel().check_invariants(), Ok(()), "{name}");
    s
}

fn output(s: &Session, task: &str) -> String {
    let sum = s.summary();
    let t = sum.tasks.iter().find(|t| t.name == task).expect("task");
    t.output.clone()
}

#[test]
fn the_writer_s_bytes_are_seen_by_the_reader_and_reach_the_disk() {
    let s = run("file-shared");
    assert_eq!(output(&s, "reader"), "HELLO");
    let server = s.kernel().file_server().expect("a file server");
    let disk = server.contents("/data/table").unwrap();
    assert_eq!(&disk[..8], b"HELLOow ", "HELLO over \"row row \"");
    assert_eq!(&disk[4096..4100], b"2ND!");
    let st = server.stats();
    assert_eq!(st.cache.misses, 2, "{st:?}");
    assert!(
        st.cache.hits >= 1,
        "the reader's page came from the cache: {st:?}"
    );
    assert_eq!(st.disk.blocks_written, 2);
    assert_eq!(server.opens(), 0, "the tasks' opens went with them");
}

#[test]
fn a_file_fault_goes_through_the_pager_the_file_server_and_the_ramdisk() {
    let s = run("file-shared");
    let recs: Vec<_> = s.kernel().trace().records().iter().cloned().collect();
    let first_fs = recs
        .iter()
        .position(|r| {
            matches!(
                r.event,
                Event::Ipc {
                    to: Endpoint::FileServer,
                    label: 302,
                    ..
                }
            )
        })
        .expect("a page request");
    let fault = recs[..first_fs]
        .iter()
        .rposition(|r| matches!(r.event, Event::Fault { .. }))
        .expect("the fault it serves");
    let kinds: Vec<String> = recs[fault..]
        .iter()
        .take_while(|r| !matches!(r.event, Event::Resumed { .. }))
        .map(|r| match &r.event {
            Event::Ipc { from, to, .. } => format!("ipc {from:?}>{to:?}"),
            Event::Fs { event } => {
                format!("fs {}", event.to_string().split(':').next().unwrap_or(""))
            }
            e => e.kind().to_string(),
        })
        .collect();
    let want_in_order = [
        "fault",
        "ipc Thread(1)>Pager(1)",
        "ipc Pager(1)>FileServer",
        "ipc FileServer>Ramdisk",
        "ipc Ramdisk>FileServer",
        "ipc FileServer>Pager(1)",
        "rpc",
        "mapped",
    ];
    let mut at = 0;
    for k in &kinds {
        if at < want_in_order.len() && k == want_in_order[at] {
            at += 1;
        }
    }
    assert_eq!(at, want_in_order.len(), "{kinds:#?}");
    // The block read costs device time, like a page-in from swap.
    let read = recs[fault..]
        .iter()
        .find(|r| matches!(&r.event, Event::Fs { event } if event.is_disk_io()))
        .expect("a disk read");
    assert_eq!(read.cost, s.kernel().config().page_io_cost);
    assert!(s
        .kernel()
        .physmem()
        .stats()
        .tasks
        .iter()
        .any(|t| t.task.0 == FILE_SERVER));
}

#[test]
fn a_private_mapping_is_written_and_discarded_and_the_file_is_unchanged() {
    let s = run("file-private");
    assert_eq!(output(&s, "editor"), "MINEcfg cfg cfg ");
    let disk = s
        .kernel()
        .file_server()
        .unwrap()
        .contents("/etc/config")
        .unwrap();
    assert_eq!(&disk[..8], b"cfg cfg ");
}

#[test]
fn a_scan_larger_than_the_cache_writes_every_mark_back() {
    let s = run("file-scan");
    let sum = s.summary();
    assert_eq!(
        sum.tasks[0].status,
        format!("exited {}", (32u32 * u32::from(b'd')) % 256)
    );
    let server = s.kernel().file_server().unwrap();
    let st = server.stats();
    assert_eq!(st.cache.misses, 32);
    assert!(st.cache.evicted >= 24, "{st:?}");
    assert!(st.cached <= 8);
    let disk = server.contents("/data/big").unwrap();
    for p in 0..32 {
        assert_eq!(disk[p * 4096 + 1], b'*', "page {p}");
    }
}

#[test]
fn file_scenarios_are_refused_with_a_reason() {
    let base = presets::scenario("file-shared").unwrap().to_toml();
    let dup = base.replace(
        "[[task]]",
        "[[file]]\npath = \"/data/table\"\nsize = 1\n\n[[task]]",
    );
    let e = selfpage_core::Scenario::from_toml(&dup)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("file[1].path: two files are named \"/data/table\""),
        "{e}"
    );
    let big = base.replace("size = 16384", "size = 1048576");
    let e = selfpage_core::Scenario::from_toml(&big)
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs 256 blocks of 4 KiB but only 64"), "{e}");
    let long = base.replace(
        "/data/table\"\nsize",
        &format!("/{}\"\nsize", "x".repeat(70)),
    );
    let e = selfpage_core::Scenario::from_toml(&long)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at most 64 bytes"), "{e}");
    let nodisk = base.replace("[disk]\nblocks = 64\n", "");
    let e = selfpage_core::Scenario::from_toml(&nodisk)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("disk: files need a disk"), "{e}");
}

/// Opens /data/table and maps it: the mapping's address ends up in EDI.
const OPEN_AND_MAP: &str = "
    mov eax, 11
    mov ebx, path
    mov ecx, 11
    mov edx, 1
    int 0x30
    mov esi, eax
    mov eax, 13
    xor ebx, ebx
    mov ecx, 4096
    mov edx, FLAGS
    xor edi, edi
    int 0x30
    mov edi, eax
";

fn program(flags: u32, body: &str) -> String {
    format!(
        "section .text\n_start:\n{}\n{body}\nspin:\n    mov eax, 7\n    int 0x30\n    jmp spin\nsection .data\npath: db \"/data/table\"\n",
        OPEN_AND_MAP.replace("FLAGS", &flags.to_string())
    )
}

#[test]
fn the_frame_map_and_the_walk_tell_page_cache_shared_and_private_frames_apart() {
    use selfpage_core::views::{self, mark};
    let mut scenario = presets::scenario("file-shared").unwrap();
    scenario.max_steps = 20_000;
    scenario.tasks[0].preset = None;
    scenario.tasks[0].source = Some(program(0x106, "    mov byte [edi], 1"));
    scenario.tasks[1].preset = None;
    scenario.tasks[1].source = Some(program(
        6,
        "    mov byte [edi], 2\n    push edi\n".to_string().as_str(),
    ));
    // Task 2 also maps the file shared, after its private mapping.
    let shared_too = OPEN_AND_MAP
        .replace("FLAGS", "0x104")
        .replace("mov edi, eax", "mov ebp, eax\n    mov al, [ebp]");
    let src = scenario.tasks[1]
        .source
        .take()
        .unwrap()
        .replace("    push edi\n", &shared_too);
    scenario.tasks[1].source = Some(src);
    let mut s = Session::new(scenario).expect("boots");
    s.run_to_end();
    let k = s.kernel();
    assert_eq!(k.check_invariants(), Ok(()));
    let cells = views::frame_map(k);
    let cache_shared = cells.iter().filter(|c| {
        c.marks & (mark::PAGE_CACHE | mark::MAPPED | mark::SHARED)
            == mark::PAGE_CACHE | mark::MAPPED | mark::SHARED
    });
    assert_eq!(
        cache_shared.count(),
        1,
        "one cached frame mapped by both tasks"
    );
    let private: Vec<_> = cells
        .iter()
        .filter(|c| c.marks & mark::PRIVATE_COPY != 0)
        .collect();
    assert_eq!(private.len(), 1);
    assert_eq!(private[0].owner, 2);
    assert_eq!(
        private[0].marks & mark::PAGE_CACHE,
        0,
        "the private copy is the task's own frame"
    );
    let regions = k.manager(2).unwrap().regions();
    let file_regions: Vec<_> = regions
        .iter()
        .filter(|r| r.name.starts_with("/data/table"))
        .collect();
    assert_eq!(file_regions.len(), 2);
    let walk = |task, va| views::walk(k, task, va).and_then(|w| w.file);
    let writer_start = k
        .manager(1)
        .unwrap()
        .regions()
        .iter()
        .find(|r| r.name.starts_with("/data/table"))
        .unwrap()
        .start;
    assert_eq!(
        walk(1, writer_start).as_deref(),
        Some("/data/table + 0x0 (shared mapping: the file server's cached frame)")
    );
    let private_start = file_regions
        .iter()
        .find(|r| r.name.ends_with("(private)"))
        .unwrap()
        .start;
    assert!(walk(2, private_start).unwrap().contains("private mapping"));
    assert_eq!(walk(2, 0x400000), None, "the program text maps no file");
    let rows = views::servers(k);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].name.as_str(), rows[0].guaranteed, rows[0].extra),
        ("file server", 4, 4)
    );
    assert!(
        rows[1].activity.starts_with("64 blocks: 1 read"),
        "{}",
        rows[1].activity
    );
}

/// Rewinding to any record, including those of the file server's write-back once every task
/// is done, replays to exactly that record and then to the same end (a soak found a rewind
/// that could not reach the final write-back's records).
#[test]
fn a_rewind_reaches_the_final_write_back_and_replays_the_same_trace() {
    for name in ["file-shared", "file-private", "file-scan", "file-pressure"] {
        let scenario = presets::scenario(name).expect("preset");
        let mut s = Session::new(scenario).expect("boots");
        s.run_to_end();
        let hash = s.summary().trace_hash;
        let last = s.kernel().trace().len() - 1;
        assert!(
            s.goto_event(last),
            "{name}: rewind to the last record {last}"
        );
        assert_eq!(s.kernel().trace().len(), last + 1, "{name}: stopped at it");
        s.run_to_end();
        assert_eq!(s.summary().trace_hash, hash, "{name}: the same trace");
    }
}
