//! A step's link: it walks its address, points its pane at the element the step talks
//! about, and scrolls the pane into view; while the element is not in the session, the
//! step says why.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use selfpage_core::lessons::Link;

use super::Ui;
use crate::markdown::inline;
use crate::state::{Action, AppState};

/// A link that walks its address (if any), points the pane at its element (if any),
/// scrolls the pane into view and flashes it.
pub(super) fn link_button(
    state: &UseReducerHandle<AppState>,
    ui: &UseStateHandle<Ui>,
    link: &Link,
    step: usize,
) -> Html {
    let onclick = {
        let (state, ui) = (state.clone(), ui.clone());
        let link = link.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(va) = link.walk {
                state.dispatch(Action::Walk(va));
            }
            if let Some(target) = &link.target {
                state.dispatch(Action::Point(target.clone()));
            }
            let mut next = (*ui).clone();
            next.link_tried = Some(step);
            ui.set(next);
            highlight(&link.pane);
        })
    };
    html! {
        <button class="chip link-chip" id={format!("step-{}-link", step + 1)} data-pane={link.pane.clone()} {onclick}>
            { "Show " }{ inline(&link.label) }
        </button>
    }
}

/// Why the element step `step`'s link points at is not in the session now, once the
/// student has followed that link.
pub(super) fn link_missing(
    state: &AppState,
    ui: &Ui,
    link: Option<&Link>,
    step: usize,
) -> Option<String> {
    let target = link?
        .target
        .as_ref()
        .filter(|_| ui.link_tried == Some(step))?;
    state.find(target)?.err().map(|e| e.to_string())
}

/// Scrolls the element with id `id` into view and flashes its outline.
fn highlight(id: &str) {
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    else {
        return;
    };
    let _ = el.class_list().remove_1("flash");
    if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
        // Reading the layout restarts the animation when the class comes back.
        let _ = h.offset_width();
    }
    let _ = el.class_list().add_1("flash");
    el.scroll_into_view_with_bool(false);
}
