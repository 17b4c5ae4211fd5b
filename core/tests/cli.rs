//! The `selfpage` command line, as other tools call it: `exec`, `policy` and `run` with
//! `--json`, and clear errors for bad input.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn selfpage(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_selfpage"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn write(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("selfpage-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("temp file");
    path.display().to_string()
}

#[test]
fn exec_stops_at_the_label_before_executing_it() {
    let file = write(
        "until.asm",
        "_start:\n    mov eax, 5\n    add eax, 2\ndone:\n    mov eax, 99\n",
    );
    let (code, out, _) = selfpage(&["exec", &file, "--until", "done", "--json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["stop"], "until");
    assert_eq!(v["eax"], 7);
    assert_eq!(v["steps"], 2);
    assert_eq!(
        v["eip"], 0x40_0008,
        "mov eax, 5 (5 bytes) + add eax, 2 (3 bytes)"
    );
}

#[test]
fn exec_reports_the_flags_the_architecture_leaves_undefined() {
    let file = write(
        "undefined.asm",
        "_start:\n    mov eax, 3\n    mov ebx, 5\n    mul ebx\ndone:\n    add eax, 1\nend:\n",
    );
    let v = json(&selfpage(&["exec", &file, "--until", "done", "--json"]).1);
    assert_eq!(v["eax"], 15);
    assert_eq!(v["undefined_flags"], 0x0d4, "MUL: SF ZF AF PF");
    let eflags = v["eflags"].as_u64().expect("eflags");
    assert_eq!(eflags & 0x801, 0, "CF and OF are defined: no overflow");
    let v = json(&selfpage(&["exec", &file, "--until", "end", "--json"]).1);
    assert_eq!(v["undefined_flags"], 0, "ADD defines all six again");
    let (_, text, _) = selfpage(&["exec", &file, "--until", "done"]);
    assert!(
        text.contains("undefined flags (the architecture does not define them): PF AF ZF SF"),
        "{text}"
    );
}

#[test]
fn exec_reports_exit_budget_and_faults() {
    let exit = write(
        "exit.asm",
        "_start:\n    mov ebx, 3\n    mov eax, 1\n    int 0x80\n",
    );
    assert_eq!(
        json(&selfpage(&["exec", &exit, "--json"]).1)["stop"],
        "exit"
    );
    let spin = write("spin.asm", "_start:\n    jmp _start\n");
    let v = json(&selfpage(&["exec", &spin, "--max-steps", "1000", "--json"]).1);
    assert_eq!(
        (v["stop"].as_str(), v["steps"].as_u64()),
        (Some("budget"), Some(1000))
    );
    let zero = json(&selfpage(&["exec", &spin, "--max-steps", "0", "--json"]).1);
    assert_eq!(
        (zero["stop"].as_str(), zero["steps"].as_u64()),
        (Some("budget"), Some(0))
    );
    let wild = write("wild.asm", "_start:\n    mov eax, [0x1234]\n");
    let v = json(&selfpage(&["exec", &wild, "--json"]).1);
    assert_eq!(v["stop"], "fault");
    assert_eq!(
        (
            v["vector"].as_u64(),
            v["cr2"].as_u64(),
            v["error_code"].as_u64()
        ),
        (Some(14), Some(0x1234), Some(4))
    );
}

#[test]
fn exec_compiles_and_runs_c_with_exit_code_and_output() {
    let prog = write(
        "hello.c",
        "#include <selfpage.h>\nint main(void) {\n    int *a = malloc(40);\n    for (int i = 0; i < 10; i++) a[i] = i * i;\n    printf(\"sum %d\\n\", a[3] + a[9]);\n    return a[4];\n}\n",
    );
    let (code, out, _) = selfpage(&["exec", &prog, "--json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["stop"], "exit");
    assert_eq!(v["exit_code"], 16);
    assert_eq!(v["output"], "sum 90\n");
    let (_, text, _) = selfpage(&["exec", &prog]);
    assert!(text.starts_with("sum 90\nstop: exit"), "{text}");
    let bad = write("bad.c", "int main(void) {\n    return buf[1];\n}\n");
    let (code, out, _) = selfpage(&["exec", &bad, "--json"]);
    assert_ne!(code, 0);
    assert_eq!(json(&out)["message"], "line 2, column 12: 'buf' undeclared");
}

#[test]
fn exec_names_the_line_and_column_of_an_assembler_error() {
    let bad = write("bad.asm", "_start:\n    mov ebz, 1\n");
    let (code, out, _) = selfpage(&["exec", &bad, "--json"]);
    assert_ne!(code, 0);
    let v = json(&out);
    assert_eq!(v["stop"], "error");
    let msg = v["message"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("line 2, column 9") && msg.contains("ebz"),
        "{msg}"
    );
}

#[test]
fn policy_runs_the_pagers_policies_on_a_reference_string() {
    let refs = "7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1";
    for (policy, misses) in [("fifo", 15), ("lru", 12), ("opt", 9)] {
        let (code, out, _) = selfpage(&[
            "policy", "--policy", policy, "--frames", "3", "--refs", refs, "--json",
        ]);
        assert_eq!(code, 0);
        let v = json(&out);
        assert_eq!(v["misses"], misses, "{policy}");
        assert_eq!(v["hits"], 20 - misses, "{policy}");
        assert_eq!(v["steps"].as_array().map(Vec::len), Some(20));
    }
}

#[test]
fn run_prints_a_summary_with_the_trace_hash() {
    let (code, out, _) = selfpage(&["run", "first-fault", "--json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["tasks"][0]["status"], "exited 42");
    assert_eq!(v["trace_hash"].as_str().map(str::len), Some(16));
}

/// The fault events of `selfpage run SCENARIO --trace`.
fn trace_faults(scenario: &str) -> Vec<serde_json::Value> {
    let path = std::env::temp_dir().join(format!(
        "selfpage-cli-{}-{scenario}.jsonl",
        std::process::id()
    ));
    let file = path.display().to_string();
    let (code, _, err) = selfpage(&["run", scenario, "--trace", &file]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&path).expect("the trace is written");
    let _ = std::fs::remove_file(&path);
    text.lines()
        .map(json)
        .filter(|r| r["event"]["kind"] == "fault")
        .map(|r| r["event"].clone())
        .collect()
}

#[test]
fn the_trace_of_a_c_task_names_the_c_line_of_each_fault() {
    let source = selfpage_core::presets::program("cyclic-scan.c").expect("preset");
    let touch = source
        .lines()
        .position(|l| l.contains("*word += 1"))
        .expect("the line that touches each page") as u64
        + 1;
    let faults = trace_faults("cyclic-scan-lru-c");
    let buffer: Vec<_> = faults
        .iter()
        .filter(|f| f["addr"].as_u64() < Some(0x8000_0000))
        .collect();
    assert_eq!(
        buffer.len(),
        160,
        "the assembly twin's faults on the buffer"
    );
    for f in &buffer {
        assert_eq!(f["c_line"].as_u64(), Some(touch), "{f}");
    }
    // The stack's first touch is in the start-up code, which has no C line.
    let stack: Vec<_> = faults.iter().filter(|f| !buffer.contains(f)).collect();
    assert_eq!(stack.len(), 1);
    assert!(stack[0].get("c_line").is_none(), "{}", stack[0]);
    // An assembly task's faults carry no C line.
    let asm = trace_faults("cyclic-scan-lru");
    assert_eq!(asm.len(), 160);
    assert!(asm.iter().all(|f| f.get("c_line").is_none()));
}

#[test]
fn run_reports_the_file_server_and_writes_a_file_as_on_the_ramdisk() {
    let out_path = write("table.bin", "");
    let (code, out, err) = selfpage(&[
        "run",
        "file-shared",
        "--file-out",
        &format!("/data/table={out_path}"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("file server: 1 cache hits, 2 misses, 2 pages written back"),
        "{out}"
    );
    assert!(
        out.contains("ramdisk: 2 blocks read, 2 blocks written"),
        "{out}"
    );
    let bytes = std::fs::read(&out_path).expect("written");
    assert_eq!(bytes.len(), 16384);
    assert_eq!(&bytes[..10], b"HELLOow ro");
    let (_, json_out, _) = selfpage(&["run", "file-scan", "--json"]);
    assert_eq!(json(&json_out)["files"]["cache"]["misses"], 32);
    let (_, plain, _) = selfpage(&["run", "first-fault", "--json"]);
    assert!(
        json(&plain).get("files").is_none(),
        "no disk, no file counters"
    );
    let (code, _, err) = selfpage(&["run", "file-shared", "--file-out", "/nope=x"]);
    assert_eq!(
        (code, err.contains("no file \"/nope\" on the disk")),
        (2, true),
        "{err}"
    );
}

#[test]
fn bad_input_gets_a_clear_message_and_exit_code_2() {
    for (args, expect) in [
        (vec!["frobnicate"], "unknown command 'frobnicate'"),
        (vec!["run"], "missing SCENARIO"),
        (
            vec!["run", "no-such-scenario"],
            "cannot read scenario 'no-such-scenario'",
        ),
        (
            vec!["policy", "--policy", "lru", "--frames", "x", "--refs", "1"],
            "'x' is not a whole number",
        ),
        (
            vec!["policy", "--policy", "nope", "--frames", "3", "--refs", "1"],
            "unknown policy 'nope'",
        ),
        (vec!["exec", "a.asm", "--bogus"], "unknown flag '--bogus'"),
    ] {
        let (code, _, err) = selfpage(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    // As in `selfpage presets | head -0`: the pipe is closed before anything is written.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_selfpage"))
        .arg("presets")
        .stdout(writer)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "no panic, no message"
    );
}

#[test]
fn mrc_json_gives_every_policys_faults_at_each_frame_count() {
    let (code, out, _) = selfpage(&[
        "mrc",
        "--refs",
        "1,2,3,4,1,2,5,1,2,3,4,5",
        "--frames",
        "3..4",
        "--policies",
        "fifo,lru,opt",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        json(&out),
        serde_json::json!({
            "frames": [3, 4],
            "policies": {"fifo": [9, 10], "lru": [10, 8], "opt": [7, 6]}
        })
    );
}

#[test]
fn mrc_table_points_out_beladys_anomaly() {
    let (code, out, _) = selfpage(&["mrc", "--refs", "1,2,3,4,1,2,5,1,2,3,4,5"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("fifo faults more with 4 frames (10) than with 3 (9)"),
        "{out}"
    );
    assert!(!out.contains("lru faults more"), "{out}");
    // Default range: 1 to the 5 pages referenced; default policies: all six.
    let header = out.lines().nth(1).unwrap_or_default();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["frames", "fifo", "clock", "lru", "mru", "random", "opt"]
    );
    assert!(
        out.lines().any(|l| l.trim_start().starts_with("5 ")),
        "{out}"
    );
    assert!(
        !out.lines().any(|l| l.trim_start().starts_with("6 ")),
        "{out}"
    );
}

#[test]
fn mrc_of_a_scenario_reads_the_tasks_own_references() {
    let (code, out, _) = selfpage(&["mrc", "matrix-cols-tight", "--json", "--policies", "lru"]);
    assert_eq!(code, 0);
    let v = json(&out);
    let lru: Vec<u64> = serde_json::from_value(v["policies"]["lru"].clone()).expect("numbers");
    let frames = v["frames"].as_array().map_or(0, Vec::len);
    assert_eq!(lru.len(), frames);
    assert!(
        lru.windows(2).all(|w| w[1] <= w[0]),
        "LRU never rises: {lru:?}"
    );
    // With every page it touches resident, only the first touches fault.
    assert_eq!(lru.last(), Some(&(frames as u64)));
    let (code, table, _) = selfpage(&["mrc", "matrix-cols-tight", "--task", "1"]);
    assert_eq!(code, 0);
    assert!(table.contains("oracle"), "{table}");
    assert!(table.contains("◀ the task's frames"), "{table}");
}

#[test]
fn mrc_refuses_bad_input_with_a_clear_message() {
    for (args, says) in [
        (vec!["mrc", "--refs", ""], "empty"),
        (vec!["mrc", "--refs", "1,two,3"], "reference 2 is \"two\""),
        (vec!["mrc", "--refs", "1,2", "--frames", "8..2"], "reversed"),
        (
            vec!["mrc", "--refs", "1,2", "--frames", "0..4"],
            "outside 1..=65536",
        ),
        (
            vec!["mrc", "--refs", "1,2", "--frames", "1..65537"],
            "outside 1..=65536",
        ),
        (vec!["mrc", "--refs", "1,2", "--frames", "x"], "A..B"),
        (
            vec!["mrc", "--refs", "1,2", "--policies", "lfu"],
            "unknown policy",
        ),
        (
            vec!["mrc", "matrix-cols-tight", "--task", "9"],
            "has no task 9; its tasks are 1 (cols)",
        ),
        (vec!["mrc"], "missing SCENARIO"),
    ] {
        let (code, out, err) = selfpage(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
