//! The editor: task tabs, the task's settings, its workload with syntax highlighting (a
//! transparent textarea over a highlighted layer), line numbers with breakpoints, and the
//! assembler's (or the C compiler's) error marked at its line and column; the language of
//! the program is chosen per task.

use yew::prelude::*;

use selfpage_core::pager::PolicyKind;
use selfpage_core::Lang;

use super::app::PaneProps;
use crate::state::{Action, TaskSetting};
use crate::{highlight, highlight_c};

/// Pixel height of one source line (as in app.css).
const LINE_PX: usize = 18;

/// The highlighted layer of one line; on the error line, the character at `col` (1-based)
/// is marked and the message follows the line's end.
fn line_html(text: &str, c: bool, err: Option<(u32, &str)>) -> Html {
    let tokens = if c {
        highlight_c::line(text)
    } else {
        highlight::line(text)
    };
    let Some((col, msg)) = err else {
        return tokens
            .into_iter()
            .map(|(t, s)| html! { <span class={t.class()}>{ s }</span> })
            .collect();
    };
    let at = (col as usize).saturating_sub(1);
    let mut pos = 0;
    let mut parts: Vec<Html> = Vec::new();
    let mut marked = false;
    for (t, s) in tokens {
        let len = s.chars().count();
        if !marked && at >= pos && at < pos + len {
            let before: String = s.chars().take(at - pos).collect();
            let mark: String = s.chars().skip(at - pos).take(1).collect();
            let after: String = s.chars().skip(at - pos + 1).collect();
            parts.push(html! { <span class={t.class()}>{ before }</span> });
            parts.push(html! { <span class={classes!(t.class(), "err-mark")} id="asm-error-mark">{ mark }</span> });
            parts.push(html! { <span class={t.class()}>{ after }</span> });
            marked = true;
        } else {
            parts.push(html! { <span class={t.class()}>{ s }</span> });
        }
        pos += len;
    }
    if !marked {
        parts.push(html! { <span class="err-mark eol" id="asm-error-mark">{" "}</span> });
    }
    parts.push(html! { <span class="err-inline">{ format!("  ◀ {msg}") }</span> });
    parts.into_iter().collect()
}

/// Scrolls the code box so the caret is not hidden under the sticky line numbers: the
/// browser reveals the caret in the box, but does not know the gutter covers its left edge.
fn reveal_caret(area: &web_sys::HtmlTextAreaElement) {
    let Some(code) = area.closest(".code").ok().flatten() else {
        return;
    };
    let caret = area.selection_end().ok().flatten().unwrap_or(0) as usize;
    let value = area.value();
    let (mut units, mut col) = (0, 0usize);
    for c in value.chars() {
        if units >= caret {
            break;
        }
        units += c.len_utf16();
        col = if c == '\n' { 0 } else { col + 1 };
    }
    // One column of the 12.5px monospace font is about 7.5px: close enough for scrolling.
    let x = 8.0 + col as f64 * 7.5;
    let left = f64::from(code.scroll_left());
    if x < left + 16.0 {
        code.set_scroll_left((x - 32.0).max(0.0) as i32);
    }
}

/// Parses a frame count typed in a settings field (`None` if it is not a number).
fn frames_of(e: &Event) -> Option<u32> {
    e.target_dyn_into::<web_sys::HtmlInputElement>()
        .and_then(|i| i.value().trim().parse::<u32>().ok())
}

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
    let is_c = state.scenario.lang_of(index) == Lang::C;
    let lines = source.lines().count().max(1) + 1;
    let widest = source.lines().map(|l| l.chars().count()).max().unwrap_or(0);
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
    let message = state.asm_message.clone().unwrap_or_default();
    let edited = state
        .session
        .as_ref()
        .is_none_or(|s| s.borrow().scenario() != &state.scenario);

    let on_input = {
        let s = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                s.dispatch(Action::EditSource(index, area.value()));
            }
        })
    };
    // F9 toggles a breakpoint at the caret's line, so breakpoints need no mouse.
    let on_keydown = {
        let s = state.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "F9" {
                return;
            }
            let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() else {
                return;
            };
            e.prevent_default();
            // selectionStart counts UTF-16 code units.
            let caret = area.selection_start().ok().flatten().unwrap_or(0) as usize;
            let mut units = 0;
            let mut line = 1;
            for c in area.value().chars() {
                if units >= caret {
                    break;
                }
                units += c.len_utf16();
                if c == '\n' {
                    line += 1;
                }
            }
            s.dispatch(Action::ToggleBreakpoint(line));
        })
    };
    let on_caret = Callback::from(|e: KeyboardEvent| {
        if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
            reveal_caret(&area);
        }
    });
    let on_apply = {
        let s = state.clone();
        Callback::from(move |_: MouseEvent| s.dispatch(Action::Apply))
    };
    let set = |f: fn(&Event) -> Option<TaskSetting>| {
        let s = state.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = f(&e) {
                s.dispatch(Action::SetTask(index, v));
            }
        })
    };
    let on_policy = set(|e| {
        e.target_dyn_into::<web_sys::HtmlSelectElement>()
            .map(|s| TaskSetting::Policy(s.value()))
    });
    let on_guaranteed = set(|e| frames_of(e).map(TaskSetting::Guaranteed));
    let on_extra = set(|e| frames_of(e).map(TaskSetting::Extra));
    let on_lang = set(|e| {
        e.target_dyn_into::<web_sys::HtmlSelectElement>()
            .map(|s| TaskSetting::Lang(if s.value() == "c" { Lang::C } else { Lang::Asm }))
    });
    let on_ignore = set(|e| {
        e.target_dyn_into::<web_sys::HtmlInputElement>()
            .map(|i| TaskSetting::IgnorePressure(i.checked()))
    });

    let source_lines: Vec<&str> = source.split('\n').collect();
    let apply_label = if is_c {
        "Compile & load"
    } else {
        "Assemble & load"
    };
    html! {
        <div class="card editor" id="editor">
            <h2>
                { format!("Program · {}", spec.name) }
                <super::explain::Explain pane="editor" />
                if edited {
                    <span class="badge edited" id="edited" title="The scenario differs from the one running: Assemble & load applies it">{"edited"}</span>
                }
            </h2>
            if state.scenario.tasks.len() > 1 {
                <div class="tabs" role="tablist" aria-label="Tasks">
                    { for state.scenario.tasks.iter().enumerate().map(|(i, t)| {
                        let s = state.clone();
                        let id = i as u32 + 1;
                        let onclick = Callback::from(move |_: MouseEvent| s.dispatch(Action::SelectTask(id)));
                        let selected = i == index;
                        html! {
                            <button role="tab" id={format!("tab-{id}")} aria-selected={selected.to_string()} class={classes!("tab", selected.then_some("selected"), state.error_at.is_some_and(|(e, _, _)| e == i).then_some("has-error"))} {onclick}>
                                <span class={format!("swatch owner-{}", id % 8)}></span>{ format!("{id} {}", t.name) }
                            </button>
                        }
                    }) }
                </div>
            }
            <div class="task-settings" aria-label="Task settings">
                <label title="The program's language: assembly, or C (compiled in the page; #include <selfpage.h> for the library)">{"language "}
                    <select id="set-lang" onchange={on_lang}>
                        <option value="asm" selected={!is_c}>{"assembly"}</option>
                        <option value="c" selected={is_c}>{"C"}</option>
                    </select>
                </label>
                <label title="Eviction policy of this task's pager">{"policy "}
                    <select id="set-policy" onchange={on_policy}>
                        { for PolicyKind::ALL.iter().filter(|k| k.is_live()).map(|k| html! {
                            <option value={k.as_str()} selected={PolicyKind::parse(&spec.policy) == Some(*k)}>{ k.as_str() }</option>
                        }) }
                    </select>
                </label>
                <label title="Frames physmem guarantees to this task">{"guaranteed "}
                    <input id="set-guaranteed" type="number" min="1" value={spec.guaranteed.to_string()} onchange={on_guaranteed} />
                </label>
                <label title="Frames it may hold beyond the guarantee while memory is free">{"extra "}
                    <input id="set-extra" type="number" min="0" value={spec.extra.to_string()} onchange={on_extra} />
                </label>
                <label class="check" title="Ignore physmem's requests to return frames">
                    <input id="set-ignore" type="checkbox" checked={spec.ignore_pressure} onchange={on_ignore} />
                    {"ignores pressure"}
                </label>
            </div>
            <div class="code">
                <ol class="gutter" aria-label="Line numbers; click (or press F9 in the source) to toggle a breakpoint" title="Click a line number, or press F9 in the source, to toggle a breakpoint">
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
                <div class="code-stack" style={format!("min-height:{}px;min-width:{}ch", lines * LINE_PX + 16, widest + 4)}>
                    <pre class="highlight" aria-hidden="true">
                        { for source_lines.iter().enumerate().map(|(i, l)| {
                            let err = error.filter(|(_, line, _)| *line as usize == i + 1).map(|(_, _, c)| (c, message.as_str()));
                            html! { <>{ line_html(l, is_c, err) }{"\n"}</> }
                        }) }
                        {" "}
                    </pre>
                    <textarea aria-label={if is_c { "C source" } else { "Assembly source" }} spellcheck="false" wrap="off" autocapitalize="off" autocomplete="off" value={source} oninput={on_input} onkeydown={on_keydown} onkeyup={on_caret} title="F9 toggles a breakpoint at the caret's line" />
                </div>
            </div>
            if let Some((_, line, col)) = error {
                <p class="asm-error" id="asm-error" role="alert">
                    <b>{ format!("line {line}, column {col}: ") }</b>{ message.clone() }
                </p>
            }
            <div class="editor-actions">
                <button id="btn-apply" class="primary" onclick={on_apply} title="Assemble (or compile) every task and boot the scenario again">{ apply_label }</button>
            </div>
        </div>
    }
}
