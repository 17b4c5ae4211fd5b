//! The same scenario and seed give the same trace, natively and in wasm: both builds must
//! produce this one hash. (`cargo xtask test` runs this file on both.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use selfpage_core::{presets, Session};

/// Trace hash of the `own-policy` preset (x86 callback, swap, evictions). Change it only
/// when the trace changes on purpose, and say so in the commit.
const GOLDEN: &str = "c4e7158f0a6af838";

#[test]
fn the_trace_hash_is_the_same_on_every_platform() {
    let scenario = presets::scenario("own-policy").expect("preset");
    let mut session = Session::new(scenario).expect("boots");
    session.run_to_end();
    assert_eq!(session.summary().trace_hash, GOLDEN);
}
