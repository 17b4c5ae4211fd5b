//! Differential tests of the C compiler: every program in `tests/c/` (hand-written, one
//! language feature each) and a set of seeded random programs (integer expressions, control
//! flow, arrays, structs, calls; generated free of undefined behaviour) is compiled by
//! selfpage-cc and run by `selfpage exec`, and compiled by `gcc -m32 -O0` and run natively:
//! the exit code and everything printed must match. Skipped, loudly, without gcc-multilib.

mod cgen;

use std::path::{Path, PathBuf};
use std::process::Command;

use selfpage_core::exec;

/// What a program did: its exit code and what it printed.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    exit: i32,
    output: String,
}

/// The header GCC sees for `#include <selfpage.h>`: the C library's versions of the same
/// functions.
const GCC_SHIM: &str = "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <stdarg.h>\n#include <stddef.h>\n";

fn ours(name: &str, source: &str) -> Outcome {
    let r = exec::exec_c(source, None, 50_000_000);
    if r.stop != "exit" {
        return Outcome {
            exit: -1,
            output: format!("{name}: stopped with {}: {:?}", r.stop, r.message),
        };
    }
    Outcome {
        exit: r.exit_code.unwrap_or(-1) & 0xff,
        output: r.output,
    }
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("selfpage-cc-diff-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("include")).expect("temp dir");
    std::fs::write(dir.join("include/selfpage.h"), GCC_SHIM).expect("shim header");
    dir
}

/// Compiles and runs every program with GCC, a few at a time (2 cores are shared).
fn gcc_all(dir: &Path, programs: &[(String, String)]) -> Vec<Outcome> {
    let run_one = |i: usize, source: &str| -> Outcome {
        let c = dir.join(format!("p{i}.c"));
        let bin = dir.join(format!("p{i}"));
        std::fs::write(&c, source).expect("write program");
        let out = Command::new("gcc")
            .args(["-m32", "-O0", "-w", "-fno-builtin", "-I"])
            .arg(dir.join("include"))
            .arg(&c)
            .arg("-o")
            .arg(&bin)
            .output()
            .expect("run gcc");
        assert!(
            out.status.success(),
            "gcc failed on {}:\n{}",
            programs[i].0,
            String::from_utf8_lossy(&out.stderr)
        );
        let run = Command::new(&bin).output().expect("run the gcc binary");
        Outcome {
            exit: run.status.code().unwrap_or(-1),
            output: String::from_utf8_lossy(&run.stdout).into_owned(),
        }
    };
    let threads = 3;
    let mut results: Vec<Option<Outcome>> = (0..programs.len()).map(|_| None).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let run_one = &run_one;
                s.spawn(move || {
                    (t..programs.len())
                        .step_by(threads)
                        .map(|i| (i, run_one(i, &programs[i].1)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, o) in h.join().expect("gcc worker") {
                results[i] = Some(o);
            }
        }
    });
    results
        .into_iter()
        .map(|o| o.expect("every program ran"))
        .collect()
}

fn gcc_works(dir: &Path) -> bool {
    let c = dir.join("probe.c");
    std::fs::write(&c, "int main(void) { return 3; }\n").is_ok()
        && Command::new("gcc")
            .args(["-m32", "-O0"])
            .arg(&c)
            .arg("-o")
            .arg(dir.join("probe"))
            .output()
            .is_ok_and(|o| o.status.success())
        && Command::new(dir.join("probe"))
            .status()
            .is_ok_and(|s| s.code() == Some(3))
}

fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("c");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/c")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::read_to_string(&p).expect("read program"))
        })
        .collect()
}

/// Random programs generated per seed.
const RANDOM_PROGRAMS: u64 = 120;

#[test]
fn c_programs_behave_as_with_gcc() {
    let dir = scratch();
    if !gcc_works(&dir) {
        eprintln!("SKIPPED: `gcc -m32` cannot build and run 32-bit programs here (install gcc-multilib: cargo xtask setup does)");
        return;
    }
    let mut programs = corpus();
    let hand_written = programs.len();
    for seed in 0..RANDOM_PROGRAMS {
        programs.push((format!("random program, seed {seed}"), cgen::program(seed)));
    }
    let theirs = gcc_all(&dir, &programs);
    let mut failures = Vec::new();
    for ((name, source), want) in programs.iter().zip(theirs) {
        let got = ours(name, source);
        if got != want {
            failures.push(format!("{name}: gcc {want:?}, ours {got:?}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} of {} programs ({hand_written} hand-written) differ:\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n")
    );
    assert!(
        programs.len() >= 150,
        "the corpus has only {} programs",
        programs.len()
    );
}
