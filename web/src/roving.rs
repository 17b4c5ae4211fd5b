//! Keyboard movement inside a list (a roving focus): one Tab stop reaches the list, arrow
//! keys, Home and End move the focus among its items, Enter and Space activate one.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent, MouseEvent};

/// Which arrow keys move along the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Up and Down (a column of rows).
    Vertical,
    /// Left and Right (a strip).
    Horizontal,
}

/// The item matching `item` that the event came from.
fn origin(e: &web_sys::Event, item: &str) -> Option<Element> {
    e.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest(item)
        .ok()
        .flatten()
}

/// The item matching `item` that a click inside the list landed on.
pub fn clicked(e: &MouseEvent, item: &str) -> Option<Element> {
    origin(e, item)
}

/// Handles a key pressed inside the list the handler is attached to: moves the focus to
/// another item matching `item`, or returns the item Enter or Space activated. Keys it
/// used do not also scroll the page or reach the global shortcuts.
pub fn on_key(e: &KeyboardEvent, axis: Axis, item: &str) -> Option<Element> {
    let current = origin(e, item)?;
    let (back, forth) = match axis {
        Axis::Vertical => ("ArrowUp", "ArrowDown"),
        Axis::Horizontal => ("ArrowLeft", "ArrowRight"),
    };
    let key = e.key();
    if key == "Enter" || key == " " {
        e.prevent_default();
        e.stop_propagation();
        return Some(current);
    }
    let list = e.current_target()?.dyn_into::<Element>().ok()?;
    let items = list.query_selector_all(item).ok()?;
    let n = items.length();
    let at = (0..n).find(|&i| current.is_same_node(items.get(i).as_ref()))?;
    let to = match key.as_str() {
        k if k == back => at.checked_sub(1)?,
        k if k == forth => (at + 1 < n).then_some(at + 1)?,
        "Home" => 0,
        "End" => n.checked_sub(1)?,
        _ => return None,
    };
    e.prevent_default();
    if let Some(el) = items.get(to).and_then(|x| x.dyn_into::<HtmlElement>().ok()) {
        let _ = el.focus();
    }
    None
}
