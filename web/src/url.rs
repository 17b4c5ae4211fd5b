//! The scenario in the page's URL: `#scenario=<JSON, URI-encoded>`. Opening such a link
//! boots the same scenario and seed, so the run is the same.

use selfpage_core::Scenario;

/// Longest URL fragment accepted, in characters.
pub const MAX_FRAGMENT: usize = 200_000;

const KEY: &str = "#scenario=";

/// Parses a URL fragment (with its `#`). `Ok(None)` when it carries no scenario.
///
/// # Errors
/// The fragment is too long, not valid URI encoding, or not a valid scenario; the message
/// says which (callers add what they show instead).
pub fn parse_fragment(hash: &str) -> Result<Option<Scenario>, String> {
    let Some(encoded) = hash.strip_prefix(KEY) else {
        return Ok(None);
    };
    if hash.len() > MAX_FRAGMENT {
        return Err(format!(
            "the link is too long ({} characters; at most {MAX_FRAGMENT})",
            hash.len()
        ));
    }
    let json = js_sys::decode_uri_component(encoded)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or("the link's scenario is not valid URI encoding")?;
    Scenario::from_json(&json)
        .map(Some)
        .map_err(|e| format!("the link's scenario was refused: {e}"))
}

/// The fragment that carries `scenario`.
pub fn fragment(scenario: &Scenario) -> String {
    let json = scenario.to_json();
    format!("{KEY}{}", String::from(js_sys::encode_uri_component(&json)))
}

/// The scenario in the current page's URL. `Err("")` when there is none.
pub fn scenario_from_location() -> Result<Scenario, String> {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    parse_fragment(&hash)?.ok_or_else(String::new)
}

/// Writes the scenario into the URL without reloading, so the address bar is a share link.
pub fn store_in_location(scenario: &Scenario) {
    let Some(w) = web_sys::window() else { return };
    let frag = fragment(scenario);
    if frag.len() > MAX_FRAGMENT {
        return;
    }
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&frag));
    }
}
