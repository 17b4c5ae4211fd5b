//! Keyboard shortcuts on the whole document: one listener per hook, removed with the hook.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

/// Calls `handler` on every keydown of the document that is a shortcut: not typed into a
/// text field, not already handled, and without Ctrl, Meta or Alt. Returns what removes
/// the listener (a `use_effect` destructor).
pub fn on_shortcut(handler: impl Fn(&KeyboardEvent) + 'static) -> impl FnOnce() {
    let document = web_sys::window().and_then(|w| w.document());
    let cb = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
        let in_field = target(&e)
            .is_some_and(|el| matches!(el.tag_name().as_str(), "TEXTAREA" | "INPUT" | "SELECT"));
        if !in_field && !e.default_prevented() && !e.ctrl_key() && !e.meta_key() && !e.alt_key() {
            handler(&e);
        }
    });
    if let Some(d) = &document {
        let _ = d.add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
    }
    move || {
        if let Some(d) = document {
            let _ = d.remove_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
        }
    }
}

/// The element a key event went to.
pub fn target(e: &KeyboardEvent) -> Option<Element> {
    e.target().and_then(|t| t.dyn_into::<Element>().ok())
}
