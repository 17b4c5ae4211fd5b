//! Component tests of the playground in headless Chromium: the real app, clicked.

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::*;

#[wasm_bindgen_test]
async fn next_fault_shows_the_fault_the_frame_and_the_pte() {
    let root = mount().await;
    assert_eq!(
        find(&root, "#selfpage")
            .get_attribute("data-ready")
            .as_deref(),
        Some("true")
    );
    assert_eq!(text(&root, "#fault-count"), "0 faults");
    let used_before = text(&root, "#frames-used");

    click(&root, "#btn-fault").await;

    assert_eq!(text(&root, "#fault-count"), "1 faults");
    let timeline = text(&root, "#timeline");
    assert!(timeline.contains("#PF read"), "timeline: {timeline}");
    assert!(
        timeline.contains("0xffe4"),
        "the fault IPC carries label 0xFFE4: {timeline}"
    );
    // Before the pager runs, the walk of the fault address ends at a non-present PTE.
    assert!(text(&root, "#walk-verdict").contains("not present"));

    // The pager's first IPC (to physmem) comes after it served the fault and replied.
    click(&root, "#btn-ipc").await;
    let timeline = text(&root, "#timeline");
    assert!(
        timeline.contains("restarts the instruction"),
        "timeline: {timeline}"
    );
    assert!(
        timeline.contains("container_map"),
        "the pager mapped through physmem: {timeline}"
    );
    let verdict = text(&root, "#walk-verdict");
    assert!(
        verdict.contains("succeed"),
        "the PTE is present now: {verdict}"
    );
    assert_ne!(text(&root, "#walk-phys"), "—");
    assert_ne!(text(&root, "#frames-used"), used_before);
    root.remove();
}

#[wasm_bindgen_test]
async fn step_and_step_back_move_eip() {
    let root = mount().await;
    click(&root, "#btn-fault").await;
    click(&root, "#btn-step").await;
    let after_step = text(&root, "#reg-eip");
    click(&root, "#btn-back").await;
    let after_back = text(&root, "#reg-eip");
    assert_ne!(after_step, after_back, "step back undoes the instruction");
    click(&root, "#btn-step").await;
    assert_eq!(text(&root, "#reg-eip"), after_step);
    root.remove();
}
