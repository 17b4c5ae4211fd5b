//! The editor: the shown task's workload, line numbers with breakpoints, the assembler's
//! error marked at its line and column, and the task's settings.

use yew::prelude::*;

use super::app::PaneProps;
use crate::state::Action;

/// The editor pane.
#[component]
pub fn Editor(props: &PaneProps) -> Html {
    let state = &props.state;
    let index = (state.task as usize).saturating_sub(1);
    let Some(spec) = state.scenario.tasks.get(index) else {
        return html! { <div class="card"><h2>{"Program"}</h2><p class="muted">{"no task"}</p></div> };
    };
    let source = state
        .scenario
        .source_of(index)
        .unwrap_or_default()
        .to_string();
    let lines = source.lines().count().max(1) + 1;
    let breakpoints: Vec<u32> = state
        .with_kernel(|k| {
            let t = k.task(state.task);
            k.breakpoints()
                .iter()
                .filter_map(|a| t.and_then(|t| t.program.line_of(*a)))
                .collect()
        })
        .unwrap_or_default();
    let current_line = state
        .with_kernel(|k| {
            k.task(state.task)
                .and_then(|t| t.program.line_of(t.cpu.eip))
        })
        .flatten();
    let error = state.error_at.filter(|(t, _, _)| *t == index);
    let on_input = {
        let s = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                s.dispatch(Action::EditSource(index, area.value()));
            }
        })
    };
    let on_apply = {
        let s = state.clone();
        Callback::from(move |_: MouseEvent| s.dispatch(Action::Apply))
    };
    html! {
        <div class="card editor" id="editor">
            <h2>
                { format!("Program · {}", spec.name) }
                <span class="badge">{ format!("{} guaranteed + {} extra · {}{}", spec.guaranteed, spec.extra, spec.policy, if spec.ignore_pressure { " · ignores pressure" } else { "" }) }</span>
            </h2>
            <div class="code" style={format!("--lines:{lines}")}>
                <ol class="gutter" aria-label="Line numbers; click to toggle a breakpoint">
                    { for (1..=lines as u32).map(|n| {
                        let s = state.clone();
                        let onclick = Callback::from(move |_| s.dispatch(Action::ToggleBreakpoint(n)));
                        html! {
                            <li {onclick} class={classes!(
                                breakpoints.contains(&n).then_some("bp"),
                                (current_line == Some(n)).then_some("current"),
                                error.is_some_and(|(_, l, _)| l == n).then_some("err"),
                            )}>{ n }</li>
                        }
                    }) }
                </ol>
                <textarea aria-label="Assembly source" spellcheck="false" rows={lines.to_string()} value={source} oninput={on_input} />
            </div>
            if let Some((_, line, col)) = error {
                <p class="asm-error" id="asm-error">{ format!("line {line}, column {col}: see the message above") }</p>
            }
            <div class="editor-actions">
                <button id="btn-apply" onclick={on_apply} title="Assemble every task and boot the scenario again">{"Assemble & load"}</button>
            </div>
        </div>
    }
}
