//! The pager's policies on wasm32 (Node) give the textbook results, as natively.
//! (`cargo xtask test` runs it on both.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use libhurd_mm::{simulate, PolicyKind};

#[test]
fn textbook_reference_string_under_fifo_lru_and_opt() {
    let refs = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1];
    for (kind, misses) in [
        (PolicyKind::Fifo, 15),
        (PolicyKind::Lru, 12),
        (PolicyKind::Opt, 9),
    ] {
        let report = simulate(kind, 3, &refs, 1);
        assert_eq!(report.misses, misses, "{kind:?}");
        assert_eq!(report.hits + report.misses, refs.len() as u32);
    }
}
