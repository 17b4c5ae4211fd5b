//! Helpers shared by the browser tests: mount the real app, find, read and click elements.

#![allow(dead_code)] // each test binary uses a part

use std::time::Duration;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Lets Yew render what the last event changed.
pub async fn settle() {
    yew::platform::time::sleep(Duration::ZERO).await;
}

/// The page's document.
pub fn doc() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// The first element under `root` matching `sel`; panics naming `sel` if none.
pub fn find(root: &Element, sel: &str) -> Element {
    root.query_selector(sel)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no element {sel}"))
}

/// The text of the element matching `sel`.
pub fn text(root: &Element, sel: &str) -> String {
    find(root, sel).text_content().unwrap_or_default()
}

/// Clicks the element matching `sel` and lets the app render.
pub async fn click(root: &Element, sel: &str) {
    find(root, sel)
        .dyn_into::<HtmlElement>()
        .expect("clickable")
        .click();
    settle().await;
}

/// Fires a bubbling `input` event, as typing does.
pub async fn input(el: &Element) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).expect("event");
    el.dispatch_event(&ev).expect("dispatch");
    settle().await;
}

/// Mounts the app on the built-in scenario.
pub async fn mount() -> Element {
    // Each test starts from the built-in scenario, not one a previous test left in the URL.
    mount_at("#").await
}

/// Mounts the app as opened at URL fragment `hash`.
pub async fn mount_at(hash: &str) -> Element {
    if let Some(w) = web_sys::window() {
        let _ = w
            .history()
            .and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash)));
    }
    let root = doc().create_element("div").expect("div");
    doc()
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    yew::Renderer::<selfpage_web::App>::with_root(root.clone()).render();
    settle().await;
    root
}
