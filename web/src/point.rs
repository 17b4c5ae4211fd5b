//! The element a lesson link points at (a PTE row, a frame, a trace record): found in the
//! live session by core's lesson engine, so the mark follows the session as it moves.

use selfpage_core::lessons::{NotThere, Pointed, Target};
use wasm_bindgen::JsCast;

use crate::state::AppState;

impl AppState {
    /// Points the panes at `target`: the walk shows its page, the timeline its record.
    pub(crate) fn point(&mut self, target: Target) {
        match self.find(&target) {
            Some(Ok(Pointed::Walk { task, vaddr, .. })) => {
                self.task = task;
                self.walk_addr = vaddr;
            }
            Some(Ok(Pointed::Record { seq })) => self.select_event(seq),
            _ => {}
        }
        self.pointed = Some(target);
    }

    /// Finds `target` in the session as it is now (`None` without a session).
    pub fn find(&self, target: &Target) -> Option<Result<Pointed, NotThere>> {
        self.session.as_ref().map(|s| target.resolve(&s.borrow()))
    }

    /// The element the lesson link points at in pane `pane` (a card id), if the link's
    /// target belongs to that pane and the session has it now.
    pub fn pointed_in(&self, pane: &str) -> Option<Pointed> {
        let target = self.pointed.as_ref().filter(|t| t.pane() == pane)?;
        self.find(target)?.ok()
    }
}

/// Scrolls the first element matching `selector` into view, as little as needed (the
/// pointed-at row of a list that scrolls on its own).
pub fn scroll_to(selector: &str) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
        opts.set_inline(web_sys::ScrollLogicalPosition::Nearest);
        el.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}
