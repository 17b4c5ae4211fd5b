//! One component per file.

pub mod app;
pub mod c_source;
pub mod challenge;
pub mod compare;
pub mod curves;
pub mod editor;
pub mod events;
pub mod explain;
pub mod files;
pub mod frame_map;
pub mod lessons;
pub mod policy_queue;
pub mod refstring;
pub mod registers;
pub mod stats;
pub mod tasks;
pub mod timeline;
pub mod tlb;
pub mod toolbar;
pub mod walk;

use yew::{Callback, InputEvent, TargetCast, UseStateHandle};

/// An `oninput` handler that keeps `text` equal to the text field's value.
pub(crate) fn keep_value(text: &UseStateHandle<String>) -> Callback<InputEvent> {
    let text = text.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            text.set(input.value());
        }
    })
}
