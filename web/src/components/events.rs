//! The event log: the newest trace records in words; click one to show it in the timeline.

use yew::prelude::*;

use super::app::PaneProps;
use crate::format;
use crate::state::Action;

/// Records shown.
const SHOWN: usize = 200;

/// The event log.
#[component]
pub fn EventLog(props: &PaneProps) -> Html {
    let state = &props.state;
    let rows = state
        .with_kernel(|k| {
            let recs = k.trace().records();
            recs[recs.len().saturating_sub(SHOWN)..]
                .iter()
                .rev()
                .map(|r| (r.seq, r.time, r.event.kind(), format::event(&r.event)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    html! {
        <div class="card" id="events">
            <h2>{"Trace"}<span class="badge">{"newest first"}</span></h2>
            <ol class="events">
                { for rows.into_iter().map(|(seq, time, kind, text)| {
                    let s = state.clone();
                    let onclick = Callback::from(move |_| s.dispatch(Action::SelectEvent(seq)));
                    html! {
                        <li class={classes!("ev", format!("ev-{kind}"), (state.selected_event == Some(seq)).then_some("selected"))} {onclick}>
                            <span class="seq">{ format!("#{seq}") }</span>
                            <span class="time">{ format!("t={time}") }</span>
                            <span class="text">{ text }</span>
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}
