//! The curves pane: miss-ratio curves of the shown task (every policy on one chart, from the
//! references its run made: the oracle's view), computed a slice per animation frame with a
//! progress bar; and its working set W(t, τ) beside the resident set its pager kept.

use std::cell::RefCell;
use std::rc::Rc;

use selfpage_core::pager::curve::{belady_points, knee};
use selfpage_core::pager::PolicyKind;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::curve_plot::{self, CurveLine, Layout, View};
use crate::curves::{working_set, CurvesRun};
use crate::plot::{self, Line};
use crate::series::StatsSeries;
use crate::state::{now_ms, AppState};

/// Height of the curves chart and of the working-set charts, in CSS pixels.
const CHART_H: f64 = 280.0;
const WS_H: f64 = 150.0;
/// Milliseconds of work per animation frame.
const FRAME_BUDGET_MS: f64 = 12.0;
/// Choices of τ, in references.
const TAUS: [usize; 5] = [100, 1_000, 10_000, 100_000, 1_000_000];

/// A policy's colour (Okabe–Ito) and whether its line is dashed (OPT: offline).
fn style(k: PolicyKind) -> (&'static str, bool) {
    match k {
        PolicyKind::Fifo => ("#e69f00", false),
        PolicyKind::Clock => ("#56b4e9", false),
        PolicyKind::Lru => ("#009e73", false),
        PolicyKind::Mru => ("#cc79a7", false),
        PolicyKind::Random => ("#0072b2", false),
        _ => ("#1f2430", true),
    }
}

/// Props of the curves pane.
#[derive(Properties, PartialEq, Clone)]
pub struct CurvesProps {
    /// The app state and its dispatcher.
    pub state: UseReducerHandle<AppState>,
}

/// The curves pane.
#[component]
pub fn Curves(props: &CurvesProps) -> Html {
    let state = &props.state;
    let run = use_mut_ref(|| None::<CurvesRun>);
    let generation = use_state(|| 0u64);
    let log_x = use_state(|| false);
    let log_y = use_state(|| false);
    let hover = use_state(|| None::<u32>);
    let tau = use_state(|| 1_000usize);
    let layout = use_mut_ref(Layout::default);
    let chart = use_node_ref();
    let ws_chart = use_node_ref();
    let rs_chart = use_node_ref();

    use_work_loop(run.clone(), generation.clone());

    // A new boot makes the curves stale.
    {
        let (run, generation) = (run.clone(), generation.clone());
        use_effect_with(state.boot_id, move |_| {
            if run.borrow_mut().take().is_some() {
                generation.set(*generation + 1);
            }
        });
    }

    let marker = run
        .borrow()
        .as_ref()
        .map(|r| r.task_frames)
        .filter(|&f| f > 0);
    {
        let (run, chart, layout) = (run.clone(), chart.clone(), layout.clone());
        let view = View {
            log_x: *log_x,
            log_y: *log_y,
            marker,
            hover: *hover,
        };
        use_effect_with((*generation, view), move |(_, view)| {
            let run = run.borrow();
            let (Some(r), Some(canvas)) = (run.as_ref(), chart.cast::<HtmlCanvasElement>()) else {
                return;
            };
            let Some(range) = r.range else { return };
            let curves = r.curves();
            let marks: Vec<(Option<u32>, Vec<u32>)> = curves
                .iter()
                .map(|(_, c)| (knee(range.first(), c), belady_points(range.first(), c)))
                .collect();
            let lines: Vec<CurveLine<'_>> = curves
                .iter()
                .zip(&marks)
                .map(|((k, c), (kn, b))| CurveLine {
                    colour: style(*k).0,
                    dashed: style(*k).1,
                    faults: c,
                    knee: *kn,
                    belady: b,
                })
                .collect();
            *layout.borrow_mut() = curve_plot::draw(&canvas, CHART_H, range.first(), &lines, *view);
        });
    }
    {
        let (run, canvases) = (run.clone(), (ws_chart.clone(), rs_chart.clone()));
        let session = state.session.clone();
        let task = run.borrow().as_ref().map_or(0, |r| r.task);
        let boot = state.boot_id;
        let recorded = run.borrow().as_ref().is_some_and(|r| !r.refs.is_empty());
        use_effect_with(
            (recorded, *tau, task, boot),
            move |&(recorded, tau, task, boot)| {
                if !recorded {
                    return;
                }
                let run = run.borrow();
                let Some(r) = run.as_ref() else { return };
                if let Some(canvas) = canvases.0.cast::<HtmlCanvasElement>() {
                    let points = working_set(&r.refs, tau, 1024);
                    let x_max = r.refs.len() as u64;
                    plot::line_chart_over(
                        &canvas,
                        WS_H,
                        x_max,
                        "references",
                        &[Line {
                            colour: "#009e73",
                            dashed: false,
                            points: &points,
                        }],
                    );
                }
                if let (Some(canvas), Some(session)) =
                    (canvases.1.cast::<HtmlCanvasElement>(), session)
                {
                    let mut series = StatsSeries::default();
                    series.update(boot, session.borrow().kernel().trace());
                    let mapped = series
                        .tasks
                        .get(&task)
                        .map(|t| t.mapped.points.clone())
                        .unwrap_or_default();
                    plot::line_chart(
                        &canvas,
                        WS_H,
                        series.end_time,
                        &[Line {
                            colour: "#0072b2",
                            dashed: false,
                            points: &mapped,
                        }],
                    );
                }
            },
        );
    }

    let on_start = {
        let (state, run, generation) = (state.clone(), run.clone(), generation.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(session) = state.session.as_ref() else {
                return;
            };
            *run.borrow_mut() = Some(CurvesRun::new(&session.borrow(), state.task));
            generation.set(*generation + 1);
        })
    };
    let typed = use_state(String::new);
    let typed_error = use_state(|| None::<String>);
    let on_typed = super::keep_value(&typed);
    let on_typed_draw = {
        let (typed, typed_error, run, generation) = (
            typed.clone(),
            typed_error.clone(),
            run.clone(),
            generation.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match CurvesRun::from_text(&typed) {
                Ok(r) => {
                    *run.borrow_mut() = Some(r);
                    typed_error.set(None);
                    generation.set(*generation + 1);
                }
                Err(err) => typed_error.set(Some(err.to_string())),
            }
        })
    };
    let on_move = {
        let (layout, hover) = (layout.clone(), hover.clone());
        Callback::from(move |e: MouseEvent| {
            let f = layout.borrow().frames_at(f64::from(e.offset_x()));
            if f != *hover {
                hover.set(f);
            }
        })
    };
    let on_leave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let toggle = |flag: &UseStateHandle<bool>| {
        let flag = flag.clone();
        Callback::from(move |_: Event| flag.set(!*flag))
    };
    let on_tau = {
        let tau = tau.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Ok(v) = sel.value().parse() {
                    tau.set(v);
                }
            }
        })
    };
    let on_csv = {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(r) = run.borrow().as_ref() {
                let name = format!("miss-ratio-task-{}.csv", r.task);
                let _ = crate::files::download(&name, "text/csv", &[r.csv()]);
            }
        })
    };
    let on_png = {
        let (run, chart) = (run.clone(), chart.clone());
        Callback::from(move |_: MouseEvent| {
            let task = run.borrow().as_ref().map_or(0, |r| r.task);
            if let Some(canvas) = chart.cast::<HtmlCanvasElement>() {
                save_png(&canvas, &format!("miss-ratio-task-{task}.png"));
            }
        })
    };

    let body = body(&run.borrow(), state, *hover);
    let ready = run.borrow().as_ref().is_some_and(|r| r.range.is_some());
    let done = run.borrow().as_ref().is_some_and(CurvesRun::done);
    let busy = run.borrow().as_ref().is_some_and(|r| !r.done());
    let from_task = run.borrow().as_ref().is_some_and(|r| r.task != 0);
    html! {
        <div class="card curves" id="curves">
            <h2>
                {"Miss-ratio curves"}
                <span class="oracle" title="Drawn from every page the task's instructions fetched, read or wrote — accesses that hit in the TLB included, which no live pager can see.">{"oracle's view"}</span>
                <span class="card-actions">
                    if done && ready {
                        <button id="btn-curves-csv" onclick={on_csv} title="Faults at every frame count, one column per policy">{"CSV"}</button>
                        <button id="btn-curves-png" onclick={on_png} title="The chart as a picture">{"PNG"}</button>
                    }
                    <button id="btn-curves" class="primary" onclick={on_start} disabled={state.session.is_none() || busy} title="Record the shown task's page references in the run so far, then every policy's faults at every frame count">{"Draw curves"}</button>
                </span>
            </h2>
            <form class="curves-typed" onsubmit={on_typed_draw}>
                <label for="curves-refs">{"…or a reference string "}</label>
                <input id="curves-refs" type="text" placeholder="1,2,3,4,1,2,5,1,2,3,4,5" value={(*typed).clone()} oninput={on_typed} />
                <button type="submit" id="btn-curves-refs" disabled={busy}>{"Draw"}</button>
                if let Some(e) = &*typed_error {
                    <span class="error-text" id="curves-refs-error">{ e }</span>
                }
            </form>
            { body }
            if ready {
                <figure class="curves-chart">
                    <canvas ref={chart} id="curves-canvas" role="img" aria-label="Page faults against frames for each policy" onmousemove={on_move} onmouseleave={on_leave} />
                </figure>
                <div class="curves-controls">
                    <label><input type="checkbox" id="curves-log-x" checked={*log_x} onchange={toggle(&log_x)} />{" log frames"}</label>
                    <label><input type="checkbox" id="curves-log-y" checked={*log_y} onchange={toggle(&log_y)} />{" log faults"}</label>
                    <span class="muted small">{ if from_task { "○ knee · ▲ Belady's anomaly · dashed line: the task's frames" } else { "○ knee · ▲ Belady's anomaly" } }</span>
                </div>
                <h3 class="ws-title">{"Working set"}</h3>
                <div class="charts two ws">
                    <figure>
                        <figcaption>
                            {"W(t, τ): distinct pages in the last "}
                            <select id="curves-tau" aria-label="Window τ in references" onchange={on_tau}>
                                { for TAUS.iter().map(|t| html! {
                                    <option value={t.to_string()} selected={*t == *tau}>{ plot::compact(*t as u64) }</option>
                                }) }
                            </select>
                            {" references, over the references"}
                        </figcaption>
                        <canvas ref={ws_chart} id="curves-ws" role="img" aria-label="Working set over the run" />
                    </figure>
                    if from_task {
                        <figure>
                            <figcaption>{"Pages the pager kept mapped, over logical time"}</figcaption>
                            <canvas ref={rs_chart} id="curves-resident" role="img" aria-label="Resident pages over the run" />
                        </figure>
                    }
                </div>
            }
        </div>
    }
}

/// The text of the pane: what to do, progress, or the legend with knees, the hover readout
/// and the Belady points.
fn body(run: &Option<CurvesRun>, state: &AppState, hover: Option<u32>) -> Html {
    let Some(r) = run else {
        return html! {
            <p class="muted">
                { format!("How many frames does task {} need, and under which policy? Draws its page faults at every frame count — FIFO, Clock, LRU, MRU, random and OPT — from the pages its run so far touched. LRU and OPT come from one pass of stack distances; the others are simulated at each count.", state.task) }
            </p>
        };
    };
    if let Some(e) = &r.error {
        return html! { <p class="error-text" id="curves-error">{ e }</p> };
    }
    let what = if r.task == 0 {
        format!(
            "typed string · {} references to {} pages",
            r.refs.len(),
            r.pages
        )
    } else {
        format!(
            "task {} '{}' · {} page references to {} pages · its pager holds {} frames",
            r.task,
            r.task_name,
            r.refs.len(),
            r.pages,
            r.task_frames
        )
    };
    let head = html! { <p class="curves-head">{ what }</p> };
    if !r.done() {
        let pct = (r.progress() * 100.0).round();
        return html! {
            <>
                if !r.refs.is_empty() { { head } }
                <p class="curves-progress">
                    <progress id="curves-progress" max="100" value={pct.to_string()} aria-label="Curves progress"></progress>
                    <span class="muted">{ format!("{pct}% · {}", r.stage()) }</span>
                </p>
            </>
        };
    }
    let Some(range) = r.range else {
        return head;
    };
    let curves = r.curves();
    let readout = hover.map(|h| {
        let i = (h - range.first()) as usize;
        let parts: Vec<String> = curves
            .iter()
            .filter_map(|(k, c)| c.get(i).map(|v| format!("{} {v}", k.as_str())))
            .collect();
        format!("{h} frames: {}", parts.join(" · "))
    });
    let anomalies: Vec<String> = curves
        .iter()
        .flat_map(|(k, c)| {
            belady_points(range.first(), c).into_iter().map(move |at| {
                let i = (at - range.first()) as usize;
                format!(
                    "{} faults more with {at} frames ({}) than with {} ({})",
                    k.as_str(),
                    c[i],
                    at - 1,
                    c[i - 1]
                )
            })
        })
        .collect();
    html! {
        <>
            { head }
            <ul class="curves-legend" id="curves-legend">
                { for curves.iter().map(|(k, c)| {
                    let (colour, dashed) = style(*k);
                    let knee = knee(range.first(), c).map_or("no knee".to_string(), |f| format!("knee at {f}"));
                    html! {
                        <li>
                            <span class={classes!("swatch", dashed.then_some("dashed"))} style={format!("--c: {colour}")}></span>
                            <b>{ k.as_str() }</b>
                            <span class="muted">{ format!(" {knee}") }</span>
                        </li>
                    }
                }) }
            </ul>
            <p class="curves-readout" id="curves-readout">
                { readout.unwrap_or_else(|| "Point at the chart to read every policy's faults at that frame count.".into()) }
            </p>
            if !anomalies.is_empty() {
                <p class="belady" id="curves-belady">
                    <b>{"Belady's anomaly: "}</b>{ anomalies.join("; ") }
                    {". LRU and OPT never show it: they are stack algorithms, whose pages with k frames are always among those kept with k + 1."}
                </p>
            }
        </>
    }
}

/// While a computation is unfinished, works for a few milliseconds per animation frame and
/// bumps `generation` so the pane shows the progress.
#[hook]
fn use_work_loop(run: Rc<RefCell<Option<CurvesRun>>>, generation: UseStateHandle<u64>) {
    let busy = run.borrow().as_ref().is_some_and(|r| !r.done());
    use_effect_with((*generation, busy), move |&(_, busy)| {
        let mut pending = None;
        if busy {
            if let Some(window) = web_sys::window() {
                let cb = Closure::once(move || {
                    let end = now_ms() + FRAME_BUDGET_MS;
                    if let Some(r) = run.borrow_mut().as_mut() {
                        r.advance(|| now_ms() >= end);
                    }
                    generation.set(*generation + 1);
                });
                if let Ok(id) = window.request_animation_frame(cb.as_ref().unchecked_ref()) {
                    pending = Some((window, id, cb));
                }
            }
        }
        move || {
            if let Some((window, id, _cb)) = pending {
                let _ = window.cancel_animation_frame(id);
            }
        }
    });
}

/// Saves the canvas as a PNG file.
fn save_png(canvas: &HtmlCanvasElement, name: &str) {
    let (Ok(url), Some(document)) = (
        canvas.to_data_url_with_type("image/png"),
        web_sys::window().and_then(|w| w.document()),
    ) else {
        return;
    };
    let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    a.set_href(&url);
    a.set_download(name);
    a.click();
}
