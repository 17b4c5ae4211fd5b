//! The event log: the newest trace records in words. A listbox: Tab reaches it, arrow keys
//! move between records, Enter, Space or a click selects one, and the other views (timeline,
//! CPU, page-table walk) jump to it; "Rewind to" (g) takes the machine back to that moment.

use yew::prelude::*;

use selfpage_core::lessons::Pointed;

use super::app::PaneProps;
use crate::format;
use crate::roving::{self, Axis};
use crate::state::{Action, AppState};

/// Records shown.
const SHOWN: usize = 200;
/// Records shown on each side of a record a lesson link points at, when it is older than
/// the newest [`SHOWN`].
const AROUND: u64 = 3;
/// What the arrow keys move between.
const ROW: &str = "[role=option]";

/// The sequence number of the trace record an element (a row here, a chip in the timeline)
/// stands for, from its `data-seq`.
pub fn seq_of(el: &web_sys::Element) -> Option<u64> {
    el.get_attribute("data-seq")?.parse().ok()
}

/// Selects the record `row` shows, if any.
fn select(state: &UseReducerHandle<AppState>, row: Option<web_sys::Element>) {
    if let Some(seq) = row.as_ref().and_then(seq_of) {
        state.dispatch(Action::SelectEvent(seq));
    }
}

/// The event log.
#[component]
pub fn EventLog(props: &PaneProps) -> Html {
    let state = &props.state;
    // The record a lesson link points at: marked and scrolled into view.
    let pointed = match state.pointed_in("events") {
        Some(Pointed::Record { seq }) => Some(seq),
        _ => None,
    };
    // The newest records; then, after a gap, the pointed one and its neighbours if it is
    // older than those.
    let (rows, gap) = state
        .with_kernel(|k| {
            let row = |r: &selfpage_core::Record| {
                let mut text = format::event(&r.event);
                if let selfpage_core::Event::Fault { task, ip, .. } = r.event {
                    text.push_str(&format::line_suffix(k, task, ip));
                }
                (r.seq, r.time, r.event.kind(), text)
            };
            let trace = k.trace();
            let mut rows: Vec<_> = trace.records().iter().rev().take(SHOWN).map(row).collect();
            let oldest = rows.last().map_or(0, |r| r.0);
            let mut gap = None;
            if let Some(p) = pointed.filter(|&p| p < oldest) {
                let near: Vec<_> = trace
                    .since(p.saturating_sub(AROUND))
                    .iter()
                    .take_while(|r| r.seq <= p + AROUND && r.seq < oldest)
                    .map(row)
                    .collect();
                let newest_near = near.last().map_or(p, |r| r.0);
                gap = Some((rows.len(), oldest - newest_near - 1));
                rows.extend(near.into_iter().rev());
            }
            (rows, gap)
        })
        .unwrap_or_default();
    let onclick = {
        let s = state.clone();
        Callback::from(move |e: MouseEvent| select(&s, roving::clicked(&e, ROW)))
    };
    let onkeydown = {
        let s = state.clone();
        Callback::from(move |e: KeyboardEvent| select(&s, roving::on_key(&e, Axis::Vertical, ROW)))
    };
    let on_go = state.selected_event.map(|seq| {
        let s = state.clone();
        Callback::from(move |_: MouseEvent| s.dispatch(Action::GoToEvent(seq)))
    });
    use_effect_with(pointed, |p| {
        if p.is_some() {
            crate::point::scroll_to("#events .ev.pointed");
        }
    });
    // One Tab stop: the selected record, or else the newest.
    let tab_stop = state
        .selected_event
        .filter(|sel| rows.iter().any(|r| r.0 == *sel))
        .or_else(|| rows.first().map(|r| r.0));
    html! {
        <div class="card" id="events">
            <h2>
                <span id="events-title">{"Trace"}</span>
                <super::explain::Explain pane="events" />
                <span class="badge">{"newest first · ↑↓ move, Enter shows a record"}</span>
                if let (Some(seq), Some(onclick)) = (state.selected_event, on_go) {
                    <span class="card-actions">
                        <button id="btn-goto" aria-keyshortcuts="g" {onclick}
                            title={format!("Rewind the machine to just after record #{seq}: CPU, frames, page tables and TLB as they were then (g)")}>
                            { format!("Rewind to #{seq}") }
                        </button>
                    </span>
                }
            </h2>
            <ol class="events" role="listbox" aria-labelledby="events-title" {onclick} {onkeydown}>
                { for rows.into_iter().enumerate().flat_map(|(i, (seq, time, kind, text))| {
                    let selected = state.selected_event == Some(seq);
                    let gap_row = gap.filter(|g| g.0 == i).map(|(_, skipped)| html! {
                        <li key="gap" class="ev-gap" aria-hidden="true">{ format!("… {skipped} records …") }</li>
                    });
                    gap_row.into_iter().chain(std::iter::once(html! {
                        <li key={seq} role="option" data-seq={seq.to_string()} aria-selected={selected.to_string()}
                            tabindex={if tab_stop == Some(seq) { "0" } else { "-1" }}
                            class={classes!("ev", format!("ev-{kind}"), selected.then_some("selected"), (pointed == Some(seq)).then_some("pointed"))}>
                            <span class="seq">{ format!("#{seq}") }</span>
                            <span class="time">{ format!("t={time}") }</span>
                            <span class="text">{ text }</span>
                        </li>
                    }))
                }) }
            </ol>
        </div>
    }
}
