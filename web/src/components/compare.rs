//! The policy comparison pane: the scenario run once per live policy for the shown task,
//! faults and logical time per policy as bars, with progress while the runs go on.

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::plot::{self, Bar};
use crate::state::{Action, AppState};

/// Height of each bar chart, in CSS pixels.
const CHART_H: f64 = 150.0;
/// Bar colour of the policy the scenario uses, and of the others.
const ORIGINAL: &str = "#0072B2";
const OTHER: &str = "#9fb3c8";

/// Props of the comparison pane: the state, and the comparison's progress counter (which
/// the state's equality ignores, so other panes do not render again for it).
#[derive(Properties, PartialEq, Clone)]
pub struct CompareProps {
    /// The app state and its dispatcher.
    pub state: UseReducerHandle<AppState>,
    /// `AppState::compare_gen`.
    pub generation: u64,
}

/// The policy comparison pane.
#[component]
pub fn Compare(props: &CompareProps) -> Html {
    let state = &props.state;
    let faults_canvas = use_node_ref();
    let time_canvas = use_node_ref();
    {
        let compare = state.compare.clone();
        let canvases = (faults_canvas.clone(), time_canvas.clone());
        use_effect_with(state.compare_gen, move |_| {
            let Some(c) = compare else { return };
            let c = c.borrow();
            let bars = |value: &dyn Fn(&crate::compare::Run) -> u64| -> Vec<Bar<'_>> {
                c.runs
                    .iter()
                    .map(|r| Bar {
                        label: r.policy,
                        value: (r.done || r.retired > 0)
                            .then(|| value(r))
                            .filter(|_| r.error.is_none()),
                        colour: if r.policy == c.original {
                            ORIGINAL
                        } else {
                            OTHER
                        },
                    })
                    .collect()
            };
            if let Some(canvas) = canvases.0.cast::<HtmlCanvasElement>() {
                plot::bar_chart(&canvas, CHART_H, &bars(&|r| r.faults));
            }
            if let Some(canvas) = canvases.1.cast::<HtmlCanvasElement>() {
                plot::bar_chart(&canvas, CHART_H, &bars(&|r| r.time));
            }
        });
    }
    let on_start = {
        let s = state.clone();
        Callback::from(move |_: MouseEvent| s.dispatch(Action::Compare))
    };
    let on_close = {
        let s = state.clone();
        Callback::from(move |_: MouseEvent| s.dispatch(Action::CompareClose))
    };
    let task_name = state
        .scenario
        .tasks
        .get((state.task as usize).saturating_sub(1))
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let body = match &state.compare {
        None => html! {
            <p class="muted">
                { format!("Boots this scenario once per live policy — only task {} '{task_name}' changes its policy — and runs each to the end (at most max_steps instructions). The bars show that task's page faults and the logical time of the whole run.", state.task) }
            </p>
        },
        Some(c) => {
            let c = c.borrow();
            let pct = (c.progress() * 100.0).round();
            html! {
                <>
                    <p class="compare-head">
                        { format!("'{}' · task {} '{}' · its own policy: ", c.scenario, c.task, c.task_name) }
                        <b>{ &c.original }</b>
                        if !c.done() {
                            <progress id="compare-progress" max="100" value={pct.to_string()} aria-label="Comparison progress"></progress>
                            <span class="muted">{ format!("{pct}%") }</span>
                        }
                    </p>
                    <div class="charts two">
                        <figure>
                            <figcaption>{"Page faults of the task"}</figcaption>
                            <canvas ref={faults_canvas.clone()} role="img" aria-label="Page faults per policy" />
                        </figure>
                        <figure>
                            <figcaption>{"Logical time of the run"}</figcaption>
                            <canvas ref={time_canvas.clone()} role="img" aria-label="Logical time per policy" />
                        </figure>
                    </div>
                    <table class="compare-table" id="compare-table">
                        <tr><th>{"policy"}</th><th>{"faults"}</th><th>{"page-ins"}</th><th>{"time"}</th><th>{"instructions"}</th><th>{"ended"}</th></tr>
                        { for c.runs.iter().map(|r| html! {
                            <tr id={format!("compare-{}", r.policy)} class={classes!((r.policy == c.original).then_some("original"))}>
                                <td>{ r.policy }</td>
                                <td class="num">{ r.faults }</td>
                                <td class="num">{ r.page_ins }</td>
                                <td class="num">{ r.time }</td>
                                <td class="num">{ r.retired }</td>
                                <td>{ match (&r.error, r.done, r.finished) {
                                    (Some(e), _, _) => e.clone(),
                                    (None, false, _) if r.retired == 0 => "queued".into(),
                                    (None, false, _) => "running…".into(),
                                    (None, true, true) => "all tasks finished".into(),
                                    (None, true, false) => "at max_steps".into(),
                                } }</td>
                            </tr>
                        }) }
                    </table>
                    <p class="muted small">{"OPT needs the future references, which a live pager cannot know: compare it in the reference-string pane."}</p>
                </>
            }
        }
    };
    html! {
        <div class="card" id="compare">
            <h2>
                {"Policy comparison"}
                <super::explain::Explain pane="compare" />
                <span class="card-actions">
                    if state.compare.is_some() {
                        <button id="btn-compare-close" onclick={on_close} title="Stop and clear the comparison">{"Clear"}</button>
                    }
                    <button id="btn-compare" class="primary" onclick={on_start} disabled={state.session.is_none() || state.comparing()} title="Run the scenario once per policy (fifo, clock, lru, mru, random, app)">{"Compare policies"}</button>
                </span>
            </h2>
            { body }
        </div>
    }
}
