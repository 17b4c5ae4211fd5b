//! Tasks with their containers and capabilities: guaranteed vs. extra vs. held frames.

use yew::prelude::*;

use selfpage_core::views;

use super::app::PaneProps;
use crate::state::Action;

/// The tasks table.
#[component]
pub fn Tasks(props: &PaneProps) -> Html {
    let state = &props.state;
    let rows = state
        .with_kernel(|k| {
            k.tasks()
                .map(|t| (t.guaranteed, t.extra, views::task_summary(k, t)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    html! {
        <div class="card" id="tasks">
            <h2>{"Tasks and their frames"}</h2>
            <table class="tasks">
                <tr><th>{"task"}</th><th title="guaranteed + extra frames">{"frames"}</th><th>{"held"}</th><th>{"faults"}</th><th>{"in/out"}</th><th>{"status"}</th></tr>
                { for rows.into_iter().map(|(g, x, t)| {
                    let id = t.id;
                    let s = state.clone();
                    let onclick = Callback::from(move |_| s.dispatch(Action::SelectTask(id)));
                    let width = |n: u32| format!("width:{}%", 100 * n / (g + x).max(1));
                    html! {
                        <tr class={classes!((id == state.task).then_some("selected"))} {onclick} id={format!("task-{id}")}>
                            <td><span class={format!("swatch owner-{}", id % 8)}></span>{ format!("{id} {}", t.name) }</td>
                            <td>{ format!("{g} + {x}") }</td>
                            <td>
                                <div class="meter" title={format!("{} of {} frames", t.frames_held, g + x)}>
                                    <div class="meter-guaranteed" style={width(g)}></div>
                                    <div class="meter-held" style={width(t.frames_held)}></div>
                                </div>
                                { t.frames_held }
                            </td>
                            <td class="faults">{ t.faults }</td>
                            <td>{ format!("{}/{}", t.page_ins, t.page_outs) }</td>
                            <td class="status">{ t.status }</td>
                        </tr>
                    }
                }) }
            </table>
        </div>
    }
}
