//! The controls: step, step a source line, step to the next fault or IPC, run/pause, speed, step back, reset.

use yew::prelude::*;

use super::app::LiveProps;
use crate::state::{Action, Speed};

/// The control bar.
#[component]
pub fn Toolbar(props: &LiveProps) -> Html {
    let state = &props.state;
    let act = |a: Action| {
        let s = state.clone();
        Callback::from(move |_: MouseEvent| s.dispatch(a.clone()))
    };
    let on_speed = {
        let s = state.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
                return;
            };
            if let Some(speed) = sel
                .value()
                .parse::<usize>()
                .ok()
                .and_then(|i| Speed::CHOICES.get(i))
            {
                s.dispatch(Action::SetSpeed(*speed));
            }
        })
    };
    let disabled = state.session.is_none();
    let (retired, time, events) = state
        .with_kernel(|k| (k.retired(), k.time(), k.trace().len()))
        .unwrap_or_default();
    html! {
        <nav class="toolbar" aria-label="Controls">
            <button id="btn-step" aria-keyshortcuts="s" title="Execute one instruction (s)" onclick={act(Action::Step)} {disabled}>{"Step"}</button>
            <button id="btn-line" aria-keyshortcuts="n" title="Run the shown task to its next source line: a C line, stepping over library calls (n)" onclick={act(Action::StepLine)} {disabled}>{"Step line"}</button>
            <button id="btn-fault" aria-keyshortcuts="f" title="Run to the next page fault (f)" onclick={act(Action::StepTo("fault"))} {disabled}>{"Next fault"}</button>
            <button id="btn-ipc" aria-keyshortcuts="i" title="Run to the next IPC message (i)" onclick={act(Action::StepTo("ipc"))} {disabled}>{"Next IPC"}</button>
            if state.running {
                <button id="btn-run" class="primary" aria-keyshortcuts="Space" title="Pause (space)" onclick={act(Action::Pause)}>{"Pause"}</button>
            } else {
                <button id="btn-run" class="primary" aria-keyshortcuts="Space" title="Run (space)" onclick={act(Action::Run)} {disabled}>{"Run"}</button>
            }
            <label class="speed" title="Instructions per animation frame while running; as fast as possible runs as long as each frame allows">
                {"Speed "}
                <select aria-label="Speed" onchange={on_speed}>
                    { for Speed::CHOICES.iter().enumerate().map(|(i, sp)| html! {
                        <option value={i.to_string()} selected={*sp == state.speed}>{ sp.label() }</option>
                    }) }
                </select>
            </label>
            <button id="btn-back" aria-keyshortcuts="b" title="Undo one instruction (b)" onclick={act(Action::StepBack)} {disabled}>{"Step back"}</button>
            <button id="btn-reset" aria-keyshortcuts="r" title="Back to the start (r)" onclick={act(Action::Reset)} {disabled}>{"Reset"}</button>
            <span class="status" id="status" aria-live="polite">
                <b>{ &state.status }</b>
                { format!(" · {retired} instructions · time {time} · {events} events") }
            </span>
        </nav>
    }
}
