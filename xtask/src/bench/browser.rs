//! The browser figures: tests/e2e/bench.mjs runs the site's bench entry points
//! (web/src/bench.rs) in headless Chromium, and its measurements become rows.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use super::native::{self, Facts, Loop};
use super::table::{self, Row, Spread};
use super::{c, curves, programs, progress, Scale};
use crate::{cmd, serve, setup, site};

/// Longest the browser script may run before it is stopped.
const BROWSER_LIMIT: Duration = Duration::from_secs(300);

/// The browser figures' names and units, for skipped rows.
const BROWSER_FIGURES: &[(&str, &str)] = &[
    ("emulator speed, register loop (wasm, Chromium)", "MIPS"),
    ("emulator speed, 1,024-page loop (wasm, Chromium)", "MIPS"),
    ("fault round trip (wasm, Chromium)", "ns/fault"),
    (FILE_ROUND_TRIP_WASM, "ns/fault"),
    (
        "physmem: allocate + map + deallocate a page (wasm, Chromium)",
        "ns/page",
    ),
    (
        "physmem: COW copy + write break of a page (wasm, Chromium)",
        "ns/page",
    ),
    ("time to interactive", "ms"),
    ("frame time while running, 4,096 frames: median", "ms"),
    ("frame time while running, 4,096 frames: p95", "ms"),
    ("emulation speed in the page while running", "MIPS"),
    (c::COMPILE_WASM, "ms"),
];

/// The file-page round trip in the page (printed beside the native figure).
const FILE_ROUND_TRIP_WASM: &str = "file page round trip (wasm, Chromium)";

/// Every browser row, skipped with `why`.
fn browser_skipped(why: &str) -> Vec<Row> {
    let curves = curves::figures("wasm, Chromium");
    BROWSER_FIGURES
        .iter()
        .map(|(f, u)| Row::skipped(f, u, why))
        .chain(curves.iter().map(|f| Row::skipped(f, "ms", why)))
        .collect()
}

/// Builds the site, serves it, runs tests/e2e/bench.mjs in headless Chromium and turns
/// its measurements into rows.
pub(super) fn browser_rows(root: &Path, scale: Scale, facts: &Facts) -> Vec<Row> {
    match browser_measure(root, scale) {
        Ok(m) => rows_from_browser(&m, facts, scale),
        Err(e) => browser_skipped(&e),
    }
}

/// The browser script's raw measurements (see tests/e2e/bench.mjs).
fn browser_measure(root: &Path, scale: Scale) -> Result<Value, String> {
    progress("building the site (wasm, release)");
    site::build(root).map_err(|e| format!("the site did not build: {e}"))?;
    let chromium = setup::chromium().map_err(|e| format!("no Chromium: {e}"))?;
    setup::npm_deps(root).map_err(|e| format!("no playwright-core: {e}"))?;
    let addr = serve::spawn(root.join("www"))?;
    let loops = |kind: Loop| {
        let (small, large) = kind.iters(scale, false);
        json!({ "small": kind.source(small), "large": kind.source(large) })
    };
    let (small, large) = scale.touch_pages();
    let config = json!({
        "alu": loops(Loop::Alu),
        "pages": loops(Loop::Pages),
        "faults": {
            "small": programs::touch_scenario(small),
            "large": programs::touch_scenario(large),
        },
        "files": {
            "small": programs::file_touch_scenario(native::file_touch_pages(scale).0),
            "large": programs::file_touch_scenario(native::file_touch_pages(scale).1),
        },
        "ui_scenario": programs::ui_scenario(),
        "frame_ms": if scale.quick { 2000 } else { 3000 },
        "repetitions": scale.repetitions(),
        "fault_runs": native::FAULT_RUNS * scale.repetitions(),
        "physmem_rounds": native::physmem_rounds(scale),
        "c_compile": c::browser_config(scale),
        "curves": {
            "refs": curves::references(scale),
            "pages": curves::PAGES,
            "frames": curves::SINGLE_FRAMES,
            "seed": curves::SEED,
            "reps": scale.repetitions(),
        },
    });
    let dir = site::target_dir(root).join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let config_file = dir.join("browser-config.json");
    let out_file = dir.join("browser.json");
    let _ = std::fs::remove_file(&out_file);
    std::fs::write(&config_file, config.to_string()).map_err(|e| e.to_string())?;
    progress("measuring in headless Chromium (tests/e2e/bench.mjs)");
    let mut node = Command::new("node");
    node.arg("tests/e2e/bench.mjs")
        .arg(format!("http://{addr}/"))
        .arg(&config_file)
        .arg(&out_file)
        .env("CHROMIUM_PATH", chromium);
    cmd::run_with_timeout(&mut node, Some(BROWSER_LIMIT))?;
    let text = std::fs::read_to_string(&out_file)
        .map_err(|e| format!("the browser script wrote no results: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("cannot read the browser results: {e}"))
}

/// A number at a JSON pointer.
fn at(v: &Value, pointer: &str) -> Option<f64> {
    v.pointer(pointer).and_then(Value::as_f64)
}

/// MIPS from a {small, large} pair of {steps, ms} runs (the difference removes set-up).
fn pair_mips(pair: &Value) -> Option<f64> {
    let steps = at(pair, "/large/steps")? - at(pair, "/small/steps")?;
    let ms = at(pair, "/large/ms")? - at(pair, "/small/ms")?;
    (ms > 0.0).then(|| steps / ms / 1e3)
}

/// The numbers of the JSON array at `pointer` (empty if there is none).
fn numbers(v: &Value, pointer: &str) -> Vec<f64> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// What times the browser figures.
pub(super) const PAGE_CLOCK: &str = "wall clock in the page";

/// A round trip in the page, from the browser script's `part` ("faults" or "files"): ns per
/// fault, the faults counted, and the spread: the best (and the median) run of the large
/// size minus that of the small size.
fn page_faults(m: &Value, part: &str) -> Option<(f64, f64, Option<Spread>)> {
    let get = |what: &str| at(m, &format!("/{part}/{what}"));
    let n = get("large/faults")? - get("small/faults")?;
    let ms = get("large/ms")? - get("small/ms")?;
    if n <= 0.0 || ms <= 0.0 {
        return None;
    }
    let per_fault = |large: f64, small: f64| (large - small) * 1e6 / n;
    let ns = per_fault(get("large/ms")?, get("small/ms")?);
    let small = Spread::of(&numbers(m, &format!("/{part}/small_ms")), false);
    let large = Spread::of(&numbers(m, &format!("/{part}/large_ms")), false);
    let spread = small.zip(large).map(|(s, l)| Spread {
        best: ns,
        median: per_fault(l.median, s.median),
        runs: s.runs.min(l.runs),
    });
    Some((ns, n, spread))
}

/// Turns the browser measurements into rows.
fn rows_from_browser(m: &Value, facts: &Facts, scale: Scale) -> Vec<Row> {
    let mut rows = Vec::new();
    let wall = format!(
        "wall time (performance.now(), {})",
        match (at(m, "/clock/resolution_us"), m.pointer("/clock/isolated")) {
            (Some(us), Some(Value::Bool(isolated))) => format!(
                "{} µs resolution{}",
                table::num(us),
                if *isolated {
                    " in a cross-origin isolated page"
                } else {
                    ""
                }
            ),
            _ => "resolution not measured".into(),
        }
    );
    for (kind, name, native, cpu, goal) in [
        (
            Loop::Alu,
            "alu",
            facts.emu_alu_mips,
            facts.cpu_alu_mips,
            200,
        ),
        (
            Loop::Pages,
            "pages",
            facts.emu_pages_mips,
            facts.cpu_pages_mips,
            120,
        ),
    ] {
        let figure = format!("emulator speed, {} (wasm, Chromium)", kind.name());
        let runs: Vec<f64> = m
            .pointer(&format!("/{name}/pairs"))
            .and_then(Value::as_array)
            .map(|pairs| pairs.iter().filter_map(pair_mips).collect())
            .unwrap_or_default();
        let best = m.get(name).and_then(pair_mips);
        rows.push(match best {
            Some(mips) => Row::new(&figure, mips, "MIPS")
                .vs(native, "native emulator, CPU time")
                .timed(PAGE_CLOCK)
                .spread(Spread::of(&runs, true))
                .note(format!(
                    "{wall}, large minus small run, the fastest of {} pairs; {} of the real CPU; \
                     goal ≥{goal} MIPS",
                    runs.len(),
                    cpu.map(|c| format!("{:.3}", mips / c))
                        .unwrap_or_else(|| "no ratio".into())
                )),
            None => Row::skipped(&figure, "MIPS", &browser_error(m, name)),
        });
    }
    rows.push(c::wasm_row(m, facts, &wall));
    rows.push(match page_faults(m, "faults") {
        Some((ns, n, spread)) => Row::new("fault round trip (wasm, Chromium)", ns, "ns/fault")
            .vs(facts.fault_ns, "native, CPU time")
            .timed(PAGE_CLOCK)
            .spread(spread)
            .note(format!(
                "{wall} of {n} faults (difference of the best of {} runs of each size; the \
                 median: difference of the median runs), {}; vs. Linux first touch: {}",
                at(m, "/faults/runs").unwrap_or_default(),
                warmed(m, "/faults/warmup"),
                facts
                    .linux_fault_ns
                    .map(|l| format!("{}×", table::num(ns / l)))
                    .unwrap_or_else(|| "no reference".into())
            )),
        None => Row::skipped(
            "fault round trip (wasm, Chromium)",
            "ns/fault",
            &browser_error(m, "faults"),
        ),
    });
    rows.push(file_row(m, facts, &wall));
    for (name, figure, native) in [
        ("churn", native::PHYSMEM_CHURN, facts.physmem_churn_ns),
        ("cow", native::PHYSMEM_COW, facts.physmem_cow_ns),
    ] {
        let figure = figure.replace("(native)", "(wasm, Chromium)");
        rows.push(match at(m, &format!("/physmem/{name}")) {
            Some(ns) => Row::new(&figure, ns, "ns/page")
                .vs(native, "native, CPU time")
                .timed(PAGE_CLOCK)
                .spread(Spread::of(
                    &numbers(m, &format!("/physmem/{name}_ns")),
                    false,
                ))
                .note(format!(
                    "{wall}, best of {} runs of {} rounds, {}; vs. Linux first touch: {}",
                    at(m, "/physmem/reps").unwrap_or_default(),
                    at(m, "/physmem/rounds").unwrap_or_default(),
                    warmed(m, &format!("/physmem/{name}_warmup")),
                    facts
                        .linux_fault_ns
                        .map(|l| format!("{}×", table::num(ns / l)))
                        .unwrap_or_else(|| "no reference".into())
                )),
            None => Row::skipped(&figure, "ns/page", &browser_error(m, "physmem")),
        });
    }
    rows.push(match at(m, "/tti/ms") {
        Some(ms) => Row::new("time to interactive", ms, "ms")
            .vs(Some(1000.0), "budget")
            .timed(PAGE_CLOCK)
            .note(format!(
                "navigation start → #selfpage[data-ready=\"true\"], median of {} fresh loads \
                 from 127.0.0.1; of which wasm compile alone ≈ {} ms",
                at(m, "/tti/loads").unwrap_or_default(),
                at(m, "/tti/compile_ms")
                    .map(table::num)
                    .unwrap_or_else(|| "?".into())
            )),
        None => Row::skipped("time to interactive", "ms", &browser_error(m, "tti")),
    });
    let frames_note = format!(
        "requestAnimationFrame intervals over {} ms while running at \"as fast as possible\" \
         ({} frames), scenario with ram_frames = 4096 in #scenario=; headless Chromium, no GPU",
        at(m, "/frames/window_ms").unwrap_or_default(),
        at(m, "/frames/count").unwrap_or_default()
    );
    for (what, pointer) in [("median", "/frames/median_ms"), ("p95", "/frames/p95_ms")] {
        let figure = format!("frame time while running, 4,096 frames: {what}");
        rows.push(match at(m, pointer) {
            Some(ms) => Row::new(&figure, ms, "ms")
                .vs(Some(1000.0 / 60.0), "60 Hz budget")
                .timed(PAGE_CLOCK)
                .note(frames_note.clone()),
            None => Row::skipped(&figure, "ms", &browser_error(m, "frames")),
        });
    }
    rows.push(match at(m, "/frames/ips") {
        Some(ips) => Row::new(
            "emulation speed in the page while running",
            ips / 1e6,
            "MIPS",
        )
        .vs(
            facts.ui_session_ips.map(|i| i / 1e6),
            "native Session, CPU time",
        )
        .timed(PAGE_CLOCK)
        .note(
            "instructions in the toolbar's status before and after the frame window (from 1.5 s \
             after Run: the steady speed, once V8 has optimised the hot wasm code), per wall \
             second; Speed::Max runs what each frame leaves after the redraw and the \
             browser's rendering (both measured)",
        ),
        None => Row::skipped(
            "emulation speed in the page while running",
            "MIPS",
            &browser_error(m, "frames"),
        ),
    });
    let times = m
        .get("curves")
        .and_then(|c| serde_json::from_value::<curves::Times>(c.clone()).ok())
        .ok_or_else(|| browser_error(m, "curves"));
    rows.extend(curves::rows(
        times,
        "wasm, Chromium",
        scale,
        "performance.now() in the page, after untimed runs until the fastest had not \
         improved by 5% for 1 s",
    ));
    rows
}

/// The file-page round trip in the page, against the native figure and Linux's first touch
/// of a `MAP_SHARED` page of a `/dev/shm` file (both measured in this run).
fn file_row(m: &Value, facts: &Facts, wall: &str) -> Row {
    let Some((ns, n, spread)) = page_faults(m, "files") else {
        return Row::skipped(FILE_ROUND_TRIP_WASM, "ns/fault", &browser_error(m, "files"));
    };
    Row::new(FILE_ROUND_TRIP_WASM, ns, "ns/fault")
        .vs(facts.file_ns, "native, CPU time")
        .timed(PAGE_CLOCK)
        .spread(spread)
        .note(format!(
            "{wall} of {n} first touches of cached file pages through a shared mapping, from \
             the toucher's arrival (difference of the best of {} runs of each size; the median: \
             difference of the median runs), {}; vs. Linux MAP_SHARED /dev/shm first touch: {}",
            at(m, "/files/runs").unwrap_or_default(),
            warmed(m, "/files/warmup"),
            facts
                .linux_shm_ns
                .map(|l| format!("{}×", table::num(ns / l)))
                .unwrap_or_else(|| "no reference".into())
        ))
}

/// How the page warmed up before timing: the `{runs, ms}` at pointer `warmup`, from
/// `untilSteady` in tests/e2e/bench.mjs.
fn warmed(m: &Value, warmup: &str) -> String {
    match (
        at(m, &format!("{warmup}/runs")),
        at(m, &format!("{warmup}/ms")),
    ) {
        (Some(runs), Some(ms)) => format!(
            "after {runs} warm-up runs in {} s (until the fastest had not improved by 5% for \
             1 s: V8 switches to its optimised code only once its background compile is done)",
            table::num(ms / 1000.0)
        ),
        _ => "after a warm-up".into(),
    }
}

/// Puts the browser's file-page row right after the native one, so the two are read
/// together; the other browser rows follow the native rows.
pub(super) fn place_file_rows(rows: &mut Vec<Row>, browser: Vec<Row>) {
    let (file, rest): (Vec<Row>, Vec<Row>) = browser
        .into_iter()
        .partition(|r| r.figure == FILE_ROUND_TRIP_WASM);
    let at = rows
        .iter()
        .position(|r| r.figure == native::FILE_ROUND_TRIP)
        .map_or(rows.len(), |i| i + 1);
    rows.splice(at..at, file);
    rows.extend(rest);
}

/// The error the browser script recorded for `part`, or a generic message.
pub(super) fn browser_error(m: &Value, part: &str) -> String {
    m.pointer(&format!("/errors/{part}"))
        .and_then(Value::as_str)
        .map(String::from)
        .unwrap_or_else(|| format!("the browser script measured no `{part}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wasm_file_row_stands_after_the_native_one_and_divides_by_the_faults() {
        let m = json!({
            "files": {
                "runs": 2,
                "small": { "faults": 301, "ms": 1.0 },
                "large": { "faults": 2001, "ms": 2.7 },
                "small_ms": [1.0, 1.2],
                "large_ms": [2.7, 3.1],
            },
        });
        let (ns, n, spread) = page_faults(&m, "files").expect("measured");
        assert_eq!(n, 1700.0);
        assert!((ns - 1000.0).abs() < 1e-6, "{ns}");
        assert!(spread.is_some_and(|s| s.median > ns));
        let facts = Facts {
            file_ns: Some(500.0),
            linux_shm_ns: Some(1250.0),
            ..Facts::default()
        };
        let mut rows = vec![
            Row::new("fault round trip (native)", 1.0, "ns/fault"),
            Row::new(native::FILE_ROUND_TRIP, 500.0, "ns/fault"),
            Row::new("userfaultfd round trip (Linux)", 1.0, "ns/fault"),
        ];
        let browser = vec![
            Row::new("time to interactive", 1.0, "ms"),
            file_row(&m, &facts, "wall"),
        ];
        place_file_rows(&mut rows, browser);
        let figures: Vec<&str> = rows.iter().map(|r| r.figure.as_str()).collect();
        assert_eq!(
            figures,
            [
                "fault round trip (native)",
                native::FILE_ROUND_TRIP,
                FILE_ROUND_TRIP_WASM,
                "userfaultfd round trip (Linux)",
                "time to interactive",
            ]
        );
        assert!(
            rows[2].note.contains("first touch: 0.800×"),
            "{}",
            rows[2].note
        );
    }
}
