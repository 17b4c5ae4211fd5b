//! Tasks with their containers and capabilities: guaranteed vs. extra vs. held frames, and
//! each task's eviction order (its policy's queue of resident pages).

use yew::prelude::*;

use selfpage_core::views;

use super::app::PaneProps;
use super::policy_queue::PolicyQueue;
use crate::policy_queue::PolicyQueueView;
use crate::state::Action;

/// Pages of each task's eviction order shown.
const QUEUE_SHOWN: usize = 8;

/// The tasks table and the eviction orders.
#[component]
pub fn Tasks(props: &PaneProps) -> Html {
    let state = &props.state;
    let rows = state
        .with_kernel(|k| {
            k.tasks()
                .map(|t| {
                    let queue = k
                        .manager(t.id)
                        .map(|mm| PolicyQueueView::of(mm, QUEUE_SHOWN));
                    (t.guaranteed, t.extra, views::task_summary(k, t), queue)
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let servers = state.with_kernel(views::servers).unwrap_or_default();
    html! {
        <div class="card" id="tasks">
            <h2>{"Tasks and their frames"}<super::explain::Explain pane="tasks" /></h2>
            <table class="tasks">
                <tr><th>{"task"}</th><th title="guaranteed + extra frames">{"frames"}</th><th>{"held"}</th><th>{"faults"}</th><th>{"in/out"}</th><th>{"status"}</th></tr>
                { for rows.iter().map(|(g, x, t, _)| {
                    let (g, x, id) = (*g, *x, t.id);
                    let s = state.clone();
                    let onclick = Callback::from(move |_: MouseEvent| s.dispatch(Action::SelectTask(id)));
                    let shown = id == state.task;
                    html! {
                        <tr class={classes!(shown.then_some("selected"))} id={format!("task-{id}")}>
                            <td>
                                <button class="task-pick" aria-pressed={shown.to_string()} title="Show this task in the CPU, editor and walk views" {onclick}>
                                    <span class={format!("swatch owner-{}", id % 8)}></span>{ format!("{id} {}", t.name) }
                                </button>
                            </td>
                            <td>{ format!("{g} + {x}") }</td>
                            <td>
                                { meter(g, x, t.frames_held) }
                            </td>
                            <td class="faults">{ t.faults }</td>
                            <td>{ format!("{}/{}", t.page_ins, t.page_outs) }</td>
                            <td class="status">{ &t.status }</td>
                        </tr>
                    }
                }) }
                { for servers.iter().map(|s| {
                    let (g, x) = (s.guaranteed, s.extra);
                    html! {
                        <tr class="server" id={format!("server-{}", s.name.replace(' ', "-"))}>
                            <td><span class="swatch sw-cache"></span>{ &s.name }</td>
                            <td>{ if g + x > 0 { format!("{g} + {x}") } else { "—".into() } }</td>
                            <td>
                                if g + x > 0 {
                                    { meter(g, x, s.held) }
                                }
                            </td>
                            <td colspan="3" class="status">{ &s.activity }</td>
                        </tr>
                    }
                }) }
            </table>
            <div class="queues">
                { for rows.into_iter().filter_map(|(_, _, t, q)| q.map(|q| (t.id, q))).map(|(task, queue)| html! {
                    <PolicyQueue {task} {queue} />
                }) }
            </div>
        </div>
    }
}

/// The frames bar of a task or server (`held` frames against `guaranteed` + `extra`), then
/// `held`.
fn meter(guaranteed: u32, extra: u32, held: u32) -> Html {
    let total = guaranteed + extra;
    let width = |n: u32| format!("width:{}%", 100 * n / total.max(1));
    html! {
        <>
            <div class="meter" title={format!("{held} of {total} frames")}>
                <div class="meter-guaranteed" style={width(guaranteed)}></div>
                <div class="meter-held" style={width(held)}></div>
            </div>
            { held }
        </>
    }
}
