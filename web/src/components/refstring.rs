//! The reference-string exercise: type page numbers and a frame count, see every policy's
//! hits and misses step by step, Belady's OPT included (it knows the whole string).

use yew::prelude::*;

use crate::refstring::{self, POLICIES, TEXTBOOK};

/// The reference-string pane.
#[component]
pub fn RefString() -> Html {
    let text = use_state(|| TEXTBOOK.to_string());
    let frames = use_state(|| "3".to_string());
    let result = use_memo(((*text).clone(), (*frames).clone()), |(t, f)| {
        let refs = refstring::parse(t)?;
        let n = refstring::parse_frames(f)?;
        Ok::<_, String>((refs.clone(), refstring::run_all(&refs, n)))
    });
    let on_text = super::keep_value(&text);
    let on_frames = super::keep_value(&frames);
    let body = match &*result {
        Err(msg) => html! { <p class="field-error" id="refs-error" role="alert">{ msg }</p> },
        Ok((refs, reports)) if refs.is_empty() => {
            let _ = reports;
            html! { <p class="muted">{"Type page numbers, e.g. 1 2 3 4 1 2 5 1 2 3 4 5."}</p> }
        }
        Ok((refs, reports)) => {
            let best = reports.iter().map(|r| r.misses).min().unwrap_or(0);
            html! {
                <div class="refs-scroll">
                    <table class="refs" id="refs-table">
                        <tr>
                            <th>{"policy"}</th>
                            <th class="num" title="page faults">{"misses"}</th>
                            { for refs.iter().map(|p| html! { <th class="ref">{ p }</th> }) }
                        </tr>
                        { for reports.iter().zip(POLICIES).map(|(r, kind)| html! {
                            <tr id={format!("refs-{kind}")} class={classes!((r.misses == best).then_some("best"))}>
                                <th title={r.policy.clone()}>{ kind.as_str() }</th>
                                <td class="num misses">{ r.misses }</td>
                                { for r.steps.iter().map(|s| {
                                    let title = match (&s.evicted, &s.reason) {
                                        (Some(v), Some(why)) => format!("page {} misses; evicts {v}: {why}", s.page),
                                        (Some(v), None) => format!("page {} misses; evicts {v}", s.page),
                                        _ if s.hit => format!("page {} hits", s.page),
                                        _ => format!("page {} misses; a free frame takes it", s.page),
                                    };
                                    html! {
                                        <td class={if s.hit { "hit" } else { "miss" }} {title}>
                                            { if s.hit { "·".to_string() } else { s.evicted.map_or("✕".into(), |v| format!("↑{v}")) } }
                                        </td>
                                    }
                                }) }
                            </tr>
                        }) }
                    </table>
                </div>
            }
        }
    };
    html! {
        <div class="card" id="refstring">
            <h2>{"Reference string"}<span class="badge">{"simulate() · the pager's policy code, OPT included"}</span></h2>
            <div class="refs-inputs">
                <label class="grow">{"pages "}
                    <input id="refs-input" type="text" spellcheck="false" value={(*text).clone()} oninput={on_text} aria-label="Page reference string" />
                </label>
                <label>{"frames "}
                    <input id="refs-frames" type="number" min="1" max={refstring::MAX_FRAMES.to_string()} value={(*frames).clone()} oninput={on_frames} aria-label="Frames" />
                </label>
            </div>
            { body }
            <p class="muted small">{"· hit   ✕ miss into a free frame   ↑n miss that evicts page n (hover for the policy's reason). OPT evicts the page used furthest in the future: no policy misses less on this string."}</p>
        </div>
    }
}
