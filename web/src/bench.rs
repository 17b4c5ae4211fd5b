//! Entry points for `cargo xtask bench` (tests/e2e/bench.mjs): run core's own code paths in
//! the wasm build so the page's JavaScript can time them with `performance.now()`.
//! Nothing here is used by the app itself.

use crate::state::now_ms;
use selfpage_core::{exec, Scenario, Session, Stopped, Until};
use wasm_bindgen::prelude::*;

/// Assembles `source` and runs it on the bare emulator (`selfpage exec`'s flat address
/// space) for at most `max_steps` instructions; returns the instructions retired.
///
/// # Errors
/// The program does not assemble or load, or it faulted.
#[wasm_bindgen(js_name = benchExec)]
pub fn bench_exec(source: &str, max_steps: f64) -> Result<f64, JsError> {
    let report = exec::exec(source, None, max_steps as u64);
    match report.stop {
        "exit" | "budget" => Ok(report.steps as f64),
        stop => Err(JsError::new(&format!(
            "bench program stopped with {stop}: {}",
            report.message.unwrap_or_default()
        ))),
    }
}

/// Boots the scenario given as JSON and runs it to the end; returns JSON with its `summary`
/// and `run_ms`, the time of the run alone (`performance.now()`, boot left out as the
/// native figure does).
///
/// # Errors
/// The scenario is invalid or does not boot.
#[wasm_bindgen(js_name = benchScenario)]
pub fn bench_scenario(json: &str) -> Result<String, JsError> {
    let scenario = Scenario::from_json(json).map_err(|e| JsError::new(&e.to_string()))?;
    let mut session = Session::new(scenario).map_err(|e| JsError::new(&e.to_string()))?;
    let start = now_ms();
    session.run_to_end();
    let run_ms = now_ms() - start;
    let out = serde_json::json!({ "summary": session.summary(), "run_ms": run_ms });
    Ok(out.to_string())
}

/// Boots a file-touch scenario given as JSON (xtask's `file_touch_scenario`: a warm-up task
/// fills the file server's cache, then a toucher first-touches the cached pages through a
/// shared mapping), runs it until the warm-up task exits, then to the end; returns JSON with
/// the toucher's `faults` and `run_ms`, the time from the toucher's arrival to the end (as the
/// native figure times it).
///
/// # Errors
/// The scenario is invalid, does not boot, or no task exits.
#[wasm_bindgen(js_name = benchFileTouch)]
pub fn bench_file_touch(json: &str) -> Result<String, JsError> {
    let scenario = Scenario::from_json(json).map_err(|e| JsError::new(&e.to_string()))?;
    let mut session = Session::new(scenario).map_err(|e| JsError::new(&e.to_string()))?;
    match session.run(u64::MAX, Until::Event("task_exited")) {
        Stopped::Event { .. } => {}
        other => {
            return Err(JsError::new(&format!(
                "the warm-up task did not exit: {other:?}"
            )))
        }
    }
    let start = now_ms();
    session.run_to_end();
    let run_ms = now_ms() - start;
    let faults = session
        .summary()
        .tasks
        .iter()
        .find(|t| t.name == "toucher")
        .map_or(0, |t| t.faults);
    let out = serde_json::json!({ "faults": faults, "run_ms": run_ms });
    Ok(out.to_string())
}

/// Runs physmem's benchmark workload `name` ("churn": allocate + map + deallocate, or
/// "cow": COW copy + write break) for `rounds` rounds.
///
/// # Errors
/// An unknown name, or physmem refused a request.
#[wasm_bindgen(js_name = benchPhysmem)]
pub fn bench_physmem(name: &str, rounds: u32) -> Result<(), JsError> {
    let work = match name {
        "churn" => selfpage_core::rpc::allocate_map_deallocate,
        "cow" => selfpage_core::rpc::cow_copy_and_break,
        _ => return Err(JsError::new(&format!("no physmem workload named {name:?}"))),
    };
    work(rounds).map_err(|e| JsError::new(&e.to_string()))
}

/// Runs `f` untimed until its time has not improved by 5% for a second (at most 20 s), and
/// returns its last result. V8 runs a wasm function first in quickly compiled code, compiles
/// it better in the background once it is hot and switches at its next call; timing before
/// that times the first code (2.5-4 times slower on the fault path, tests/e2e/bench.mjs).
fn warm_up(f: &dyn Fn() -> u64) -> u64 {
    let start = now_ms();
    let (mut fastest, mut since, mut last) = (f64::INFINITY, start, 0);
    while now_ms() - since < 1000.0 && now_ms() - start < 20_000.0 {
        let t = now_ms();
        last = f();
        let ms = now_ms() - t;
        if ms < fastest * 0.95 {
            since = now_ms();
        }
        fastest = fastest.min(ms);
    }
    last
}

/// Times LRU's and OPT's whole miss-ratio curves (1 to `pages` frames, one pass each) and one
/// plain simulation of each at `frames` frames, on `refs` uniformly random references over
/// `pages` pages; the best of `reps` runs after [`warm_up`]. Returns JSON:
/// `lru_curve_ms`, `lru_single_ms`, `opt_curve_ms`, `opt_single_ms`.
///
/// # Errors
/// A frame count outside 1..=65,536, or a curve that disagrees with the simulation.
#[wasm_bindgen(js_name = benchCurves)]
pub fn bench_curves(
    refs: u32,
    pages: u32,
    frames: u32,
    seed: f64,
    reps: u32,
) -> Result<String, JsError> {
    use selfpage_core::pager::curve::{lru_curve, opt_curve, FrameRange};
    use selfpage_core::pager::single::{lru_misses, opt_misses, uniform_refs};
    let stream = uniform_refs(refs as usize, pages, seed as u64);
    let all = FrameRange::new(1, u64::from(pages)).map_err(|e| JsError::new(&e.to_string()))?;
    let at = (frames.clamp(1, pages.max(1)) - 1) as usize;
    let best = |f: &dyn Fn() -> u64| {
        let last = warm_up(f);
        let mut best = f64::INFINITY;
        for _ in 0..reps.max(1) {
            let start = now_ms();
            std::hint::black_box(f());
            best = best.min(now_ms() - start);
        }
        (best, last)
    };
    let (lru_curve_ms, lru_at) = best(&|| lru_curve(&stream, all).get(at).copied().unwrap_or(0));
    let (lru_single_ms, lru_one) = best(&|| lru_misses(&stream, frames));
    let (opt_curve_ms, opt_at) = best(&|| opt_curve(&stream, all).get(at).copied().unwrap_or(0));
    let (opt_single_ms, opt_one) = best(&|| opt_misses(&stream, frames));
    if (lru_at, opt_at) != (lru_one, opt_one) {
        return Err(JsError::new("a curve disagrees with the single simulation"));
    }
    let out = serde_json::json!({
        "lru_curve_ms": lru_curve_ms,
        "lru_single_ms": lru_single_ms,
        "opt_curve_ms": opt_curve_ms,
        "opt_single_ms": opt_single_ms,
    });
    Ok(out.to_string())
}

/// Compiles C `source` to assembly text (selfpage-cc's lexer to code generator) and assembles
/// that text (x86-emu's assembler), each `reps` times. Returns JSON: `compile_ms` and
/// `assemble_ms` (every run, `performance.now()`), `c_lines` and `asm_lines`.
///
/// # Errors
/// The source does not compile, or its assembly does not assemble.
#[wasm_bindgen(js_name = benchCompileC)]
pub fn bench_compile_c(source: &str, reps: u32) -> Result<String, JsError> {
    use selfpage_core::build::{assemble, compile_to_asm};
    let mut compile_ms = Vec::new();
    let mut assemble_ms = Vec::new();
    let mut asm = String::new();
    for _ in 0..reps.max(1) {
        let start = now_ms();
        asm = compile_to_asm(source)
            .map_err(|e| JsError::new(&e.to_string()))?
            .asm;
        compile_ms.push(now_ms() - start);
    }
    for _ in 0..reps.max(1) {
        let start = now_ms();
        assemble(&asm).map_err(|e| JsError::new(&e.to_string()))?;
        assemble_ms.push(now_ms() - start);
    }
    let out = serde_json::json!({
        "compile_ms": compile_ms,
        "assemble_ms": assemble_ms,
        "c_lines": source.lines().count(),
        "asm_lines": asm.lines().count(),
    });
    Ok(out.to_string())
}
