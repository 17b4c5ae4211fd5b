//! `cargo xtask test`: every check in order, a progress line per stage and a summary table.

use crate::{cmd, e2e, fuzz, setup};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Names of the stages, in the order they run.
pub const STAGES: &[&str] = &[
    "setup",
    "fmt",
    "clippy",
    "clippy-wasm",
    "native",
    "fuzz",
    "wasm-node",
    "browser",
    "e2e",
];

/// How long the `fuzz` stage fuzzes: a short pass; `cargo xtask fuzz` runs longer ones.
const CI_FUZZ_SECONDS: u64 = 60;

/// Stages that need the tools `setup` installs.
const NEEDS_SETUP: &[&str] = &["clippy-wasm", "native", "wasm-node", "browser", "e2e"];

/// Library crates whose `#[wasm_bindgen_test]` tests run on wasm32 in Node: (package, folder).
const WASM_LIB_CRATES: &[(&str, &str)] = &[
    ("x86-emu", "x86-emu"),
    ("physmem", "physmem"),
    ("libhurd-mm", "libhurd-mm"),
    ("selfpage-core", "core"),
];

/// Which stages to run (`--only` / `--skip`).
#[derive(Debug, Default, PartialEq)]
pub struct Selection {
    /// If not empty, run just these stages.
    pub only: Vec<String>,
    /// Never run these stages.
    pub skip: Vec<String>,
}

impl Selection {
    /// Whether `stage` is selected.
    fn wants(&self, stage: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|s| s == stage))
            && !self.skip.iter().any(|s| s == stage)
    }
}

/// How a stage ended.
enum Outcome {
    /// It ran and succeeded; an optional note (e.g. what was skipped inside it).
    Passed(Option<String>),
    /// It ran and failed, with the reason.
    Failed(String),
    /// It did not run, with the reason.
    Skipped(String),
}

/// One row of the summary table.
struct Row {
    /// Stage name.
    stage: &'static str,
    /// How it ended.
    outcome: Outcome,
    /// Wall time in seconds.
    seconds: f64,
}

/// Runs the selected stages, continuing after failures, and prints the summary.
pub fn run(root: &Path, selection: &Selection) -> Result<(), String> {
    let selected: Vec<&'static str> = STAGES
        .iter()
        .copied()
        .filter(|s| selection.wants(s))
        .collect();
    let needs_setup = selected.iter().any(|s| NEEDS_SETUP.contains(s))
        || selection.only.iter().any(|s| s == "setup");
    let mut rows: Vec<Row> = Vec::new();
    let mut setup_failed = false;
    let total = Instant::now();
    for (i, &stage) in selected.iter().enumerate() {
        println!(
            "\n==> [{}/{}] {stage}: {}",
            i + 1,
            selected.len(),
            describe(stage)
        );
        let start = Instant::now();
        let outcome = if setup_failed && NEEDS_SETUP.contains(&stage) {
            Outcome::Skipped("setup failed".into())
        } else if stage == "setup" && !needs_setup {
            Outcome::Skipped("no selected stage needs it".into())
        } else {
            run_stage(root, stage)
        };
        if stage == "setup" && matches!(outcome, Outcome::Failed(_)) {
            setup_failed = true;
        }
        let seconds = start.elapsed().as_secs_f64();
        match &outcome {
            Outcome::Passed(_) => println!("==> {stage} passed ({seconds:.1} s)"),
            Outcome::Failed(why) => println!("==> {stage} FAILED ({seconds:.1} s): {why}"),
            Outcome::Skipped(why) => println!("==> {stage} skipped: {why}"),
        }
        rows.push(Row {
            stage,
            outcome,
            seconds,
        });
    }
    let failed = rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .count();
    let passed = rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Passed(_)))
        .count();
    println!("\n{passed} passed, {failed} failed");
    print!("{}", table(&rows));
    println!("total {:.1} s", total.elapsed().as_secs_f64());
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} stage(s) failed"))
    }
}

/// The one-line description printed when a stage starts.
fn describe(stage: &str) -> &'static str {
    match stage {
        "setup" => "install missing tools (rustfmt, clippy, wasm32 target, wasm-bindgen-cli, chromium, chromedriver, nasm, npm packages)",
        "fmt" => "cargo fmt --all -- --check",
        "clippy" => "cargo clippy --workspace --all-targets -- -D warnings",
        "clippy-wasm" => "cargo clippy -p selfpage-web --target wasm32-unknown-unknown --all-targets -- -D warnings",
        "native" => "cargo test --workspace --exclude selfpage-web",
        "fuzz" => "cargo xtask fuzz --seconds 60 (every fuzz target with fresh seeds)",
        "wasm-node" => "cargo test --target wasm32-unknown-unknown --test wasm -p <library crates with tests/wasm.rs> (Node)",
        "browser" => "CHROMEDRIVER=.. WASM_BINDGEN_USE_BROWSER=1 cargo test --tests -p selfpage-web --target wasm32-unknown-unknown (headless Chromium)",
        "e2e" => "build the site, serve it, run tests/e2e/run.mjs in headless Chromium",
        _ => "",
    }
}

/// Runs one stage.
fn run_stage(root: &Path, stage: &str) -> Outcome {
    let result = match stage {
        "setup" => setup::all(root),
        "fmt" => cmd::run(cmd::cargo().args(["fmt", "--all", "--", "--check"])),
        "clippy" => cmd::run(cmd::cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
        "clippy-wasm" => cmd::run(cmd::cargo().args([
            "clippy",
            "-p",
            "selfpage-web",
            "--target",
            setup::WASM_TARGET,
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
        "native" => {
            cmd::run(cmd::cargo().args(["test", "--workspace", "--exclude", "selfpage-web"]))
        }
        "fuzz" => fuzz::run(fuzz::Options {
            seconds: CI_FUZZ_SECONDS,
            seed: None,
        }),
        "wasm-node" => return wasm_node(root),
        "browser" => return browser(root),
        "e2e" => e2e::run(root, true, None),
        _ => Err(format!("unknown stage {stage}")),
    };
    match result {
        Ok(()) => Outcome::Passed(None),
        Err(e) => Outcome::Failed(e),
    }
}

/// Runs each library crate's `tests/wasm.rs` (its `#[wasm_bindgen_test]`s; plain `#[test]`s
/// do not run on wasm) compiled to wasm32, in Node. Only that file: the crates' other tests
/// use proptest, which does not build for wasm32. Crates without one are noted as skipped.
fn wasm_node(root: &Path) -> Outcome {
    let (with, without): (Vec<_>, Vec<_>) = WASM_LIB_CRATES
        .iter()
        .partition(|(_, dir)| root.join(dir).join("tests/wasm.rs").is_file());
    let without: Vec<&str> = without.iter().map(|(name, _)| *name).collect();
    let note = (!without.is_empty()).then(|| format!("no tests/wasm.rs in {}", without.join(", ")));
    if with.is_empty() {
        return Outcome::Skipped(note.unwrap_or_default());
    }
    let mut c = cmd::cargo();
    c.args(["test", "--target", setup::WASM_TARGET, "--test", "wasm"]);
    for (name, _) in &with {
        c.args(["-p", name]);
    }
    if let Some(driver) = cmd::which("chromedriver") {
        // For any crate that asks for run_in_browser.
        c.env("CHROMEDRIVER", driver);
    }
    match cmd::run(&mut c) {
        Ok(()) => Outcome::Passed(note),
        Err(e) => Outcome::Failed(e),
    }
}

/// Runs the web crate's `#[wasm_bindgen_test]` tests in headless Chromium through chromedriver.
fn browser(root: &Path) -> Outcome {
    if !has_wasm_tests(&root.join("web")) {
        return Outcome::Skipped("no wasm_bindgen_test in web/ yet".into());
    }
    let Some(driver) = cmd::which("chromedriver") else {
        return Outcome::Failed(
            "chromedriver is not on PATH; run: apt-get install -y chromium-driver".into(),
        );
    };
    let result = cmd::run(
        cmd::cargo()
            .args([
                "test",
                "--tests",
                "-p",
                "selfpage-web",
                "--target",
                setup::WASM_TARGET,
            ])
            .env("CHROMEDRIVER", driver)
            // Run in the browser even in test files without wasm_bindgen_test_configure!(run_in_browser).
            .env("WASM_BINDGEN_USE_BROWSER", "1"),
    );
    match result {
        Ok(()) => Outcome::Passed(None),
        Err(e) => Outcome::Failed(e),
    }
}

/// Whether any `.rs` file under `crate_dir/src` or `crate_dir/tests` mentions `wasm_bindgen_test`.
fn has_wasm_tests(crate_dir: &Path) -> bool {
    let mut stack: Vec<PathBuf> = vec![crate_dir.join("src"), crate_dir.join("tests")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && std::fs::read_to_string(&path).is_ok_and(|s| s.contains("wasm_bindgen_test"))
            {
                return true;
            }
        }
    }
    false
}

/// The summary table: stage, result, seconds, note.
fn table(rows: &[Row]) -> String {
    let mut out = format!("{:<12} {:<8} {:>8}  note\n", "stage", "result", "seconds");
    out.push_str(&format!("{:-<12} {:-<8} {:->8}  {:-<4}\n", "", "", "", ""));
    for row in rows {
        let (result, note) = match &row.outcome {
            Outcome::Passed(note) => ("passed", note.clone().unwrap_or_default()),
            Outcome::Failed(why) => ("FAILED", why.clone()),
            Outcome::Skipped(why) => ("skipped", why.clone()),
        };
        let note: String = note.chars().take(100).collect();
        out.push_str(&format!(
            "{:<12} {:<8} {:>8.1}  {note}\n",
            row.stage, result, row.seconds
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_and_skip_select_stages() {
        let s = Selection {
            only: vec!["fmt".into(), "e2e".into()],
            skip: vec!["e2e".into()],
        };
        assert!(s.wants("fmt"));
        assert!(!s.wants("e2e"));
        assert!(!s.wants("clippy"));
        assert!(Selection::default().wants("browser"));
    }

    #[test]
    fn table_lists_every_stage_with_its_result() {
        let rows = [
            Row {
                stage: "fmt",
                outcome: Outcome::Passed(None),
                seconds: 1.26,
            },
            Row {
                stage: "browser",
                outcome: Outcome::Skipped("no tests".into()),
                seconds: 0.0,
            },
            Row {
                stage: "e2e",
                outcome: Outcome::Failed("boom".into()),
                seconds: 3.0,
            },
        ];
        let text = table(&rows);
        assert!(text.contains("fmt          passed        1.3"), "{text}");
        assert!(
            text.contains("browser      skipped       0.0  no tests"),
            "{text}"
        );
        assert!(
            text.contains("e2e          FAILED        3.0  boom"),
            "{text}"
        );
    }

    #[test]
    fn finds_wasm_tests_only_where_they_are() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        // This very file mentions the marker; a folder without sources has none.
        assert!(has_wasm_tests(root));
        assert!(!has_wasm_tests(&root.join("no-such-folder")));
    }
}
