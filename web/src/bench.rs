//! Entry points for `cargo xtask bench` (tests/e2e/bench.mjs): run core's own code paths in
//! the wasm build so the page's JavaScript can time them with `performance.now()`.
//! Nothing here is used by the app itself.

use crate::state::now_ms;
use selfpage_core::{exec, Scenario, Session};
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
