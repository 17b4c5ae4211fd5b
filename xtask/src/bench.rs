//! `cargo xtask bench [--json] [--quick]`: speed figures, each a ratio against a reference
//! measured in the same run on the same machine (the cores here are shared and noisy).
//!
//! The native figures run in a release build of xtask (`bench --native-only`, started by
//! this command), which calls selfpage-core and x86-emu directly; the browser figures come
//! from tests/e2e/bench.mjs in headless Chromium against the served site, which calls the
//! entry points of web/src/bench.rs.

mod browser;
mod c;
mod clock;
mod curves;
mod linux;
mod native;
mod programs;
mod table;

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::cmd;
use browser::{browser_rows, place_file_rows};
use native::{Facts, Report};
use table::Row;

/// The options of `cargo xtask bench`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Print one JSON object on stdout (progress goes to stderr).
    pub json: bool,
    /// Smaller runs (under 2 minutes).
    pub quick: bool,
    /// Internal: only the native figures, as JSON (what the release child does).
    pub native_only: bool,
}

/// Parses the arguments after `bench`.
pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    for arg in args {
        match arg.as_str() {
            "--json" => o.json = true,
            "--quick" => o.quick = true,
            "--native-only" => o.native_only = true,
            _ => return Err(format!("unknown option `{arg}` for `bench`")),
        }
    }
    Ok(o)
}

/// How long each figure runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    /// Whether this is `--quick`.
    quick: bool,
}

impl Scale {
    /// Divides the loops' iteration counts.
    fn divisor(self) -> u64 {
        if self.quick {
            5
        } else {
            1
        }
    }

    /// Repetitions of each timing (the best one counts).
    fn repetitions(self) -> usize {
        if self.quick {
            1
        } else {
            3
        }
    }

    /// Pages of the (small, large) first-touch runs.
    fn touch_pages(self) -> (u32, u32) {
        (300, 3000)
    }

    /// MiB of the Linux first-touch reference.
    fn linux_mib(self) -> usize {
        if self.quick {
            64
        } else {
            256
        }
    }

    /// Pages of the userfaultfd reference.
    fn uffd_pages(self) -> usize {
        4096
    }

    /// Instruction budget of the pressure scenario.
    fn pressure_steps(self) -> u64 {
        if self.quick {
            5_000_000
        } else {
            20_000_000
        }
    }

    /// CPU seconds of the native Session-speed reference for the page.
    fn ui_seconds(self) -> f64 {
        if self.quick {
            0.5
        } else {
            1.5
        }
    }
}

/// A progress line on stderr.
pub fn progress(line: &str) {
    eprintln!("bench [{:5.1} s]: {line}", clock::wall());
}

/// `cargo xtask bench`.
pub fn run(root: &Path, options: Options) -> Result<(), String> {
    let scale = Scale {
        quick: options.quick,
    };
    if options.native_only {
        let report = native::all(scale);
        let text = serde_json::to_string(&report).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(());
    }
    // With --json, everything the helpers print goes to stderr until the object is written.
    let redirect = options.json.then(StdoutToStderr::new).flatten();
    let started = clock::wall();
    let report = native_report(options.quick).unwrap_or_else(|e| Report {
        rows: native::FIGURES
            .iter()
            .chain(c::FIGURES)
            .map(|(figure, unit)| Row::skipped(figure, unit, &e))
            .collect(),
        facts: Facts::default(),
    });
    let mut rows = report.rows.clone();
    place_file_rows(&mut rows, browser_rows(root, scale, &report.facts));
    rows.push(wasm_size(root));
    beside(&mut rows, c::COMPILE_WASM, c::COMPILE);
    drop(redirect);
    let seconds = clock::wall() - started;
    if options.json {
        let out = json!({
            "quick": options.quick,
            "seconds": seconds,
            "rows": rows,
        });
        println!("{out}");
    } else {
        println!(
            "\nSelfpage benchmark{} ({seconds:.0} s; every reference measured in this run \
             on this machine unless it says budget or goal)\n",
            if options.quick { " --quick" } else { "" }
        );
        print!("{}", table::render(&rows));
    }
    Ok(())
}

/// Moves the row of `figure` to just after the row of `after` (both kept if either is missing).
fn beside(rows: &mut Vec<Row>, figure: &str, after: &str) {
    let Some(from) = rows.iter().position(|r| r.figure == figure) else {
        return;
    };
    let row = rows.remove(from);
    let to = rows
        .iter()
        .position(|r| r.figure == after)
        .map_or(from, |i| i + 1);
    rows.insert(to, row);
}

/// Builds xtask in release mode and runs `bench --native-only` there (the emulator must be
/// optimised for its figures to mean anything); parses the report it prints.
fn native_report(quick: bool) -> Result<Report, String> {
    progress("building xtask in release mode for the native figures");
    cmd::run(cmd::cargo().args(["build", "--release", "-p", "xtask"]))?;
    let mut c = cmd::cargo();
    c.args(["run", "--quiet", "--release", "-p", "xtask", "--", "bench"])
        .arg("--native-only");
    if quick {
        c.arg("--quick");
    }
    let out = c
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run the release xtask: {e}"))?;
    if !out.status.success() {
        return Err(format!("the native benchmark failed ({})", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    serde_json::from_str(last).map_err(|e| format!("cannot read the native report: {e}"))
}

/// The gzip -9 size of www/pkg/selfpage_web_bg.wasm, against its raw size.
fn wasm_size(root: &Path) -> Row {
    let figure = "wasm size, gzip -9";
    let file = root.join("www/pkg/selfpage_web_bg.wasm");
    let raw = match std::fs::metadata(&file) {
        Ok(m) => m.len() as f64,
        Err(e) => return Row::skipped(figure, "KiB", &format!("{}: {e}", file.display())),
    };
    if cmd::which("gzip").is_none() {
        return Row::skipped(figure, "KiB", "gzip is not installed");
    }
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(&file)
        .stderr(Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => Row::new(figure, o.stdout.len() as f64 / 1024.0, "KiB")
            .vs(Some(raw / 1024.0), "raw")
            .note("www/pkg/selfpage_web_bg.wasm as it is now; gzip -9 -c FILE | wc -c"),
        _ => Row::skipped(figure, "KiB", "gzip failed"),
    }
}

/// While alive, file descriptor 1 points at stderr, so the `$ command` lines of the build
/// helpers do not mix with the JSON on stdout; dropping it restores stdout.
struct StdoutToStderr {
    /// A duplicate of the original stdout.
    saved: i32,
}

impl StdoutToStderr {
    /// Points stdout at stderr; `None` if the descriptors cannot be duplicated.
    fn new() -> Option<StdoutToStderr> {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        // SAFETY: dup/dup2 on the process's standard descriptors; no memory is involved.
        unsafe {
            let saved = libc::dup(1);
            if saved < 0 {
                return None;
            }
            if libc::dup2(2, 1) < 0 {
                libc::close(saved);
                return None;
            }
            Some(StdoutToStderr { saved })
        }
    }
}

impl Drop for StdoutToStderr {
    fn drop(&mut self) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        // SAFETY: restores the descriptor saved in `new` and closes the duplicate.
        unsafe {
            libc::dup2(self.saved, 1);
            libc::close(self.saved);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_parsed() {
        let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert_eq!(
            parse(&args("--json --quick")),
            Ok(Options {
                json: true,
                quick: true,
                native_only: false
            })
        );
        assert!(parse(&args("--fast")).is_err());
    }

    #[test]
    fn the_page_compile_row_stands_beside_the_native_one() {
        let mut rows: Vec<Row> = [c::COMPILE, "wasm size, gzip -9", c::COMPILE_WASM]
            .iter()
            .map(|f| Row::new(f, 1.0, "ms"))
            .collect();
        beside(&mut rows, c::COMPILE_WASM, c::COMPILE);
        let order: Vec<&str> = rows.iter().map(|r| r.figure.as_str()).collect();
        assert_eq!(order, [c::COMPILE, c::COMPILE_WASM, "wasm size, gzip -9"]);
    }

    #[test]
    fn every_bench_program_assembles_and_runs_on_the_emulator() {
        for source in [programs::alu_loop(10), programs::page_loop(2)] {
            let r = selfpage_core::exec::exec(&source, None, 1_000_000);
            assert_eq!(r.stop, "exit", "{source}");
        }
        for json in [
            programs::touch_scenario(30),
            programs::ui_scenario(),
            programs::pressure_scenario(5, 200_000),
            programs::file_touch_scenario(30),
        ] {
            let scenario = selfpage_core::Scenario::from_json(&json).expect("valid scenario");
            assert!(selfpage_core::Session::new(scenario).is_ok());
        }
    }

    #[test]
    fn the_file_touch_budget_lets_the_toucher_fault_on_every_page_then_spin() {
        for pages in [4, 300] {
            let json = programs::file_touch_scenario(pages);
            let scenario = selfpage_core::Scenario::from_json(&json).expect("valid scenario");
            let mut session = selfpage_core::Session::new(scenario).expect("boots");
            session.run_to_end();
            let summary = session.summary();
            let toucher = summary.tasks.iter().find(|t| t.name == "toucher");
            // Every page of the file, and the page of its path string.
            assert_eq!(toucher.map(|t| t.faults), Some(u64::from(pages) + 1));
            assert_eq!(summary.instructions, 8 * u64::from(pages) + 2_000);
        }
    }
}
