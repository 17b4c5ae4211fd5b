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
