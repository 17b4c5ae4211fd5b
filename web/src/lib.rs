//! selfpage-web: the Selfpage playground in the browser. A Yew front end that only talks
//! to selfpage-core's `Session`; heavy views draw on canvases from the session's state.

pub mod bench;
mod compare;
mod components;
mod curve_plot;
mod curves;
mod files;
mod format;
mod highlight;
mod highlight_c;
mod keys;
mod lesson;
mod markdown;
mod pace;
mod plot;
mod point;
mod policy_queue;
mod raster;
mod refstring;
mod roving;
mod series;
mod state;
mod url;

pub use components::app::App;
pub use state::{Action, AppState, Speed, TaskSetting};

use wasm_bindgen::prelude::*;

/// Mounts the app on the page's `#app` element, if the page has one (test pages do not).
#[wasm_bindgen(start)]
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    if let Some(root) = root {
        yew::Renderer::<App>::with_root(root).render();
    }
}
