//! The C pane: for a task written in C, the C source around the current line and, under
//! it, the assembly the compiler generated for it, with the current instruction marked and the
//! instructions of the current C line shaded. It follows EIP as the program runs.

use yew::prelude::*;

use selfpage_core::build::compile_c;
use selfpage_core::Lang;

use super::app::PaneProps;
use crate::highlight::{self, Tok};
use crate::highlight_c;

/// Lines of C shown around the current one.
const C_WINDOW: usize = 9;
/// Lines of assembly shown around the current instruction.
const ASM_WINDOW: usize = 14;

/// The first line (1-based) of a window of `size` lines around `at` in `total` lines.
fn window_start(at: usize, size: usize, total: usize) -> usize {
    at.saturating_sub(size / 3)
        .min(total.saturating_sub(size - 1))
        .max(1)
}

fn tokens_html(tokens: Vec<(Tok, String)>) -> Html {
    tokens
        .into_iter()
        .map(|(t, s)| html! { <span class={t.class()}>{ s }</span> })
        .collect()
}

/// C source and generated assembly, side by side.
#[component]
pub fn CSource(props: &PaneProps) -> Html {
    let state = &props.state;
    let index = (state.task as usize).saturating_sub(1);
    // What is running (not what the editor holds since).
    let running = state.session.as_ref().and_then(|s| {
        let s = s.borrow();
        let sc = s.scenario();
        (sc.lang_of(index) == Lang::C).then(|| sc.source_of(index).unwrap_or_default().to_string())
    });
    let compiled = use_memo(running.clone(), |src| {
        src.as_deref().and_then(|s| compile_c(s).ok())
    });
    let (Some(source), Some(compiled)) = (running, compiled.as_ref().as_ref()) else {
        return html! {};
    };
    let eip = state
        .with_kernel(|k| k.task(state.task).map(|t| t.cpu.eip))
        .flatten();
    let asm_line = eip.and_then(|e| compiled.asm_line_of(e));
    let c_line = eip.and_then(|e| compiled.c_line_of(e));
    let c_lines: Vec<&str> = source.lines().collect();
    let asm_lines: Vec<&str> = compiled.asm.lines().collect();
    let c_at = c_line.unwrap_or(1) as usize;
    let c_start = window_start(c_at, C_WINDOW, c_lines.len());
    let asm_at = asm_line.unwrap_or(1) as usize;
    let asm_start = window_start(asm_at, ASM_WINDOW, asm_lines.len());
    let where_ = match c_line {
        Some(l) => format!("line {l}"),
        None => "start-up code or library".to_string(),
    };
    html! {
        <div class="card c-source" id="c-source">
            <h2>{ format!("C and its assembly · task {}", state.task) }<span class="badge" id="c-where">{ where_ }</span></h2>
            <div class="c-split">
                <div class="c-caption">{"C source"}</div>
                <ol class="c-lines" aria-label="C source around the current line">
                    { for c_lines.iter().enumerate().skip(c_start - 1).take(C_WINDOW).map(|(i, l)| {
                        let n = i as u32 + 1;
                        html! {
                            <li class={classes!((c_line == Some(n)).then_some("current"))} title={l.trim().to_string()}>
                                <span class="num">{ n }</span>
                                <code>{ tokens_html(highlight_c::line(l)) }</code>
                            </li>
                        }
                    }) }
                </ol>
                <div class="c-caption">{"generated assembly (shaded: the instructions of the current C line)"}</div>
                <ol class="asm-lines" aria-label="Generated assembly around the current instruction">
                    { for asm_lines.iter().enumerate().skip(asm_start - 1).take(ASM_WINDOW).map(|(i, l)| {
                        let n = i as u32 + 1;
                        let of_line = c_line.is_some() && compiled.asm_c_lines.get(i).copied().flatten() == c_line;
                        html! {
                            <li class={classes!((asm_line == Some(n)).then_some("current"), of_line.then_some("of-line"))}>
                                <code>{ tokens_html(highlight::line(l)) }</code>
                            </li>
                        }
                    }) }
                </ol>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_stay_inside_the_text() {
        assert_eq!(window_start(1, 13, 100), 1);
        assert_eq!(window_start(50, 13, 100), 46);
        assert_eq!(window_start(100, 13, 100), 88);
        assert_eq!(window_start(50, 9, 100), 47);
        assert_eq!(window_start(3, 13, 5), 1);
    }
}
