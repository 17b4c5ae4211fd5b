//! The file menu: save and load the scenario as TOML, export the trace as JSON lines, and
//! copy the share link (the URL holds the scenario).

use yew::prelude::*;

use selfpage_core::Scenario;

use super::app::PaneProps;
use crate::files;
use crate::state::Action;

/// A file name made from a scenario name: lower case, dashes, no odd characters.
fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem
        .split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "scenario".into()
    } else {
        stem
    }
}

/// Reads a scenario file's text: JSON if it looks like JSON, TOML otherwise.
fn parse(name: &str, text: &str) -> Result<Scenario, String> {
    let parsed = if name.ends_with(".json") || text.trim_start().starts_with('{') {
        Scenario::from_json(text)
    } else {
        Scenario::from_toml(text)
    };
    parsed.map_err(|e| format!("{name} was not loaded (the scenario shown is unchanged): {e}"))
}

/// The file buttons in the header.
#[component]
pub fn Files(props: &PaneProps) -> Html {
    let state = &props.state;
    let file_input = use_node_ref();
    // Some(url) when the clipboard refused: the link is shown in a field to copy by hand.
    let fallback = use_state(|| None::<String>);
    let copied = use_state(|| false);

    let on_save = {
        let s = state.clone();
        Callback::from(move |_: MouseEvent| {
            let name = format!("{}.toml", file_stem(&s.scenario.name));
            if let Err(e) = files::download(&name, "application/toml", &[s.scenario.to_toml()]) {
                s.dispatch(Action::Fail(format!("could not save: {e}")));
            }
        })
    };
    let on_open = {
        let input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = input.cast::<web_sys::HtmlInputElement>() {
                i.click();
            }
        })
    };
    let on_file = {
        let s = state.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // Choosing the same file again must fire `change` again.
            input.set_value("");
            let s = s.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let action = match files::read_text(&file).await.and_then(|t| parse(&name, &t)) {
                    Ok(scenario) => Action::Load(Box::new(scenario)),
                    Err(e) => Action::Fail(e),
                };
                s.dispatch(action);
            });
        })
    };
    let on_export = {
        let s = state.clone();
        Callback::from(move |_: MouseEvent| {
            let chunks = s.with_kernel(|k| {
                k.trace()
                    .records()
                    .slices()
                    .map(|c| c.iter().map(|r| k.trace_json(r) + "\n").collect::<String>())
                    .collect::<Vec<_>>()
            });
            let Some(chunks) = chunks else {
                s.dispatch(Action::Fail(
                    "no trace to export: the scenario is not loaded".into(),
                ));
                return;
            };
            let name = format!("{}-trace.jsonl", file_stem(&s.scenario.name));
            if let Err(e) = files::download(&name, "application/x-ndjson", &chunks) {
                s.dispatch(Action::Fail(format!("could not export the trace: {e}")));
            }
        })
    };
    let on_copy = {
        let fallback = fallback.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let href = web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default();
            let fallback = fallback.clone();
            let copied = copied.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if files::copy(&href).await {
                    fallback.set(None);
                    copied.set(true);
                } else {
                    copied.set(false);
                    fallback.set(Some(href));
                }
            });
        })
    };
    let link_ref = use_node_ref();
    {
        // Select the fallback link's text, so Ctrl+C copies it.
        let link_ref = link_ref.clone();
        use_effect_with((*fallback).clone(), move |f| {
            if f.is_some() {
                if let Some(i) = link_ref.cast::<web_sys::HtmlInputElement>() {
                    let _ = i.focus();
                    i.select();
                }
            }
        });
    }
    {
        // After another boot the URL differs from the copied one.
        let copied = copied.clone();
        use_effect_with(state.boot_id, move |_| copied.set(false));
    }
    let on_link_key = {
        let fallback = fallback.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                fallback.set(None);
            }
        })
    };
    let close_fallback = {
        let fallback = fallback.clone();
        Callback::from(move |_: MouseEvent| fallback.set(None))
    };
    html! {
        <div class="files" role="group" aria-label="Files">
            <button id="btn-save" onclick={on_save} title="Download the scenario as a TOML file">{"Save"}</button>
            <button id="btn-load" onclick={on_open} title="Load a scenario from a TOML or JSON file">{"Load…"}</button>
            <input id="file-input" ref={file_input} type="file" accept=".toml,.json,text/plain,application/json" hidden=true onchange={on_file} tabindex="-1" />
            <button id="btn-export" onclick={on_export} title="Download the kept trace records as JSON lines">{"Export trace"}</button>
            <button id="btn-copy-link" onclick={on_copy} title="Copy a link that opens this scenario">{ if *copied { "Link copied ✓" } else { "Copy link" } }</button>
            if let Some(url) = &*fallback {
                <div class="link-fallback" role="dialog" aria-label="Share link">
                    <span>{"The clipboard is not available here; copy the link with Ctrl+C:"}</span>
                    <input id="share-link" ref={link_ref} type="text" readonly=true value={url.clone()} onkeydown={on_link_key} />
                    <button onclick={close_fallback}>{"Close"}</button>
                </div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn file_names_are_tidy() {
        assert_eq!(
            file_stem("The life of one page fault"),
            "the-life-of-one-page-fault"
        );
        assert_eq!(file_stem("??"), "scenario");
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_bad_file_names_the_field() {
        let e = parse(
            "x.toml",
            "ram_frames = 3\n[[task]]\nname='a'\npreset='first-fault'\nguaranteed=1\n",
        )
        .unwrap_err();
        assert!(e.contains("ram_frames"), "{e}");
        assert!(parse("x.toml", "this is not toml").is_err());
    }
}
