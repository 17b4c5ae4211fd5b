//! Browser glue for files: downloads through a Blob URL, reading a chosen file, the clipboard.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Largest scenario file read, in bytes.
pub const MAX_SCENARIO_FILE: f64 = 1_048_576.0;

/// Offers `chunks` (joined) as a download named `name` of type `mime`.
///
/// # Errors
/// The browser refused to create the Blob, its URL or the link (the message says which).
pub fn download(name: &str, mime: &str, chunks: &[String]) -> Result<(), String> {
    let parts = js_sys::Array::new();
    for c in chunks {
        parts.push(&JsValue::from_str(c));
    }
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "the browser could not create the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not create a download link".to_string())?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or("the browser could not create a download link")?;
    a.set_href(&url);
    a.set_download(name);
    a.set_attribute("hidden", "").ok();
    if let Some(body) = document.body() {
        let _ = body.append_child(&a);
        a.click();
        a.remove();
    }
    // Revoke the URL once the download has surely started.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    }
    Ok(())
}

/// The text of a file the user chose.
///
/// # Errors
/// The file is larger than [`MAX_SCENARIO_FILE`] or cannot be read as text.
pub async fn read_text(file: &web_sys::File) -> Result<String, String> {
    if file.size() > MAX_SCENARIO_FILE {
        return Err(format!(
            "{} is {:.0} KiB; a scenario file has at most 1024 KiB",
            file.name(),
            file.size() / 1024.0
        ));
    }
    JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| format!("{} could not be read as text", file.name()))
}

/// Puts `text` on the clipboard. `false` when the browser refused (no permission, not a
/// secure context).
pub async fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = window.navigator().clipboard();
    // Without the Clipboard API (plain http on another host) the getter yields undefined.
    if JsValue::from(clipboard.clone()).is_undefined() {
        return false;
    }
    JsFuture::from(clipboard.write_text(text)).await.is_ok()
}
