//! The statistics pane: faults, mapped pages and page-ins/outs per task over logical time,
//! drawn on canvases from series that read only the trace records new since the last draw.

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::app::PaneProps;
use crate::plot::{self, Line};
use crate::raster::OWNER_COLOURS;
use crate::series::{Series, StatsSeries, TaskSeries};

/// Height of each chart, in CSS pixels.
const CHART_H: f64 = 130.0;

fn colour(task: u32) -> &'static str {
    OWNER_COLOURS[(task % 8) as usize]
}

fn lines<'a>(
    s: &'a StatsSeries,
    pick: impl Fn(&'a TaskSeries) -> Vec<(&'a Series, bool)>,
) -> Vec<Line<'a>> {
    s.tasks
        .iter()
        .flat_map(|(id, t)| {
            pick(t).into_iter().map(move |(series, dashed)| Line {
                colour: colour(*id),
                dashed,
                points: &series.points,
            })
        })
        .collect()
}

/// Page-ins (solid) and page-outs (dashed) of a task.
fn io(t: &TaskSeries) -> Vec<(&Series, bool)> {
    vec![(&t.page_ins, false), (&t.page_outs, true)]
}

/// The statistics pane.
#[component]
pub fn Stats(props: &PaneProps) -> Html {
    let state = &props.state;
    let cache = use_mut_ref(StatsSeries::default);
    let faults_canvas = use_node_ref();
    let mapped_canvas = use_node_ref();
    let io_canvas = use_node_ref();

    let now = state
        .with_kernel(|k| {
            cache.borrow_mut().update(state.boot_id, k.trace());
            k.time()
        })
        .unwrap_or_else(|| {
            // Nothing loaded: forget the last session's series.
            *cache.borrow_mut() = StatsSeries::default();
            0
        });
    {
        let cache = cache.clone();
        let canvases = (
            faults_canvas.clone(),
            mapped_canvas.clone(),
            io_canvas.clone(),
        );
        use_effect_with((props.view, state.boot_id), move |_| {
            let s = cache.borrow();
            let x_max = now.max(s.end_time);
            if let Some(c) = canvases.0.cast::<HtmlCanvasElement>() {
                plot::line_chart(&c, CHART_H, x_max, &lines(&s, |t| vec![(&t.faults, false)]));
            }
            if let Some(c) = canvases.1.cast::<HtmlCanvasElement>() {
                plot::line_chart(&c, CHART_H, x_max, &lines(&s, |t| vec![(&t.mapped, false)]));
            }
            if let Some(c) = canvases.2.cast::<HtmlCanvasElement>() {
                plot::line_chart(&c, CHART_H, x_max, &lines(&s, io));
            }
        });
    }

    let s = cache.borrow();
    html! {
        <div class="card" id="stats">
            <h2>{"Statistics"}<super::explain::Explain pane="stats" /><span class="badge">{ format!("{} records read · time {}", s.read_up_to(), plot::compact(now)) }</span></h2>
            <div class="charts">
                <figure>
                    <figcaption>{"Page faults (cumulative)"}</figcaption>
                    <canvas ref={faults_canvas} role="img" aria-label="Cumulative page faults per task over logical time" />
                </figure>
                <figure>
                    <figcaption title="On long runs, nearby points are merged and keep their peak">{"Mapped pages"}</figcaption>
                    <canvas ref={mapped_canvas} role="img" aria-label="Pages mapped per task over logical time" />
                </figure>
                <figure>
                    <figcaption>{"Page-ins "}<span class="key-solid"></span>{" / page-outs "}<span class="key-dashed"></span></figcaption>
                    <canvas ref={io_canvas} role="img" aria-label="Pages read from and written to swap per task over logical time" />
                </figure>
            </div>
            <table class="stats-table">
                <tr><th>{"task"}</th><th>{"faults"}</th><th>{"mapped"}</th><th title="highest number of pages mapped at once">{"peak"}</th><th>{"page-ins"}</th><th>{"page-outs"}</th><th>{"evictions"}</th></tr>
                { for s.tasks.iter().map(|(id, t)| html! {
                    <tr id={format!("stats-task-{id}")}>
                        <td><span class={format!("swatch owner-{}", id % 8)}></span>{ format!("{id} {}", t.name) }</td>
                        <td class="num" id={format!("stats-faults-{id}")}>{ t.faults.last() }</td>
                        <td class="num">{ t.mapped.last() }</td>
                        <td class="num">{ t.mapped.max() }</td>
                        <td class="num">{ t.page_ins.last() }</td>
                        <td class="num">{ t.page_outs.last() }</td>
                        <td class="num">{ t.evictions }</td>
                    </tr>
                }) }
            </table>
        </div>
    }
}
