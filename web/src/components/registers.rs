//! The CPU pane: registers and flags of the shown task, and the disassembly around EIP.

use yew::prelude::*;

use selfpage_core::views;

use super::app::PaneProps;
use crate::format::hex32;

const NAMES: [&str; 8] = ["EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"];

/// Registers, flags and disassembly.
#[component]
pub fn Registers(props: &PaneProps) -> Html {
    let state = &props.state;
    let task = state.task;
    let Some(Some((cpu, name, status, code))) = state.with_kernel(|k| {
        k.task(task).map(|t| {
            (
                t.cpu.clone(),
                t.name.clone(),
                views::status(t),
                views::disassembly(k, task, 6),
            )
        })
    }) else {
        return html! { <div class="card"><h2>{"CPU"}</h2><p class="muted">{"no task"}</p></div> };
    };
    let flags = views::flags(&cpu);
    let any_undefined = flags.iter().any(|f| f.undefined.is_some());
    html! {
        <div class="card" id="cpu">
            <h2>{ format!("CPU · task {task} '{name}'") }<super::explain::Explain pane="cpu" /><span class="badge">{ status }</span></h2>
            <div class="regs">
                { for NAMES.iter().enumerate().map(|(i, n)| html! {
                    <div class="reg"><span class="reg-name">{ *n }</span><code id={format!("reg-{}", n.to_lowercase())}>{ hex32(cpu.regs[i]) }</code></div>
                }) }
                <div class="reg"><span class="reg-name">{"EIP"}</span><code id="reg-eip">{ hex32(cpu.eip) }</code></div>
                <div class="reg"><span class="reg-name">{"EFLAGS"}</span><code>{ hex32(cpu.eflags) }</code></div>
            </div>
            <div class="flags">
                { for flags.into_iter().map(|f| {
                    let class = classes!(
                        "flag",
                        f.on.then_some("on"),
                        f.undefined.is_some().then_some("undefined"),
                    );
                    let id = format!("flag-{}", f.name.to_lowercase());
                    match f.undefined {
                        Some(why) => html! {
                            <span {class} {id} title={why} tabindex="0">{ f.name }<sup aria-label="undefined">{"?"}</sup></span>
                        },
                        None => html! { <span {class} {id}>{ f.name }</span> },
                    }
                }) }
                if any_undefined {
                    <span class="flag-note" id="flag-note">{"hatched: undefined by the architecture (hover for why)"}</span>
                }
            </div>
            <ol class="disasm" aria-label="Disassembly">
                { for code.iter().map(|l| html! {
                    <li class={classes!((l.addr == cpu.eip).then_some("current"))}>
                        <code class="addr">{ hex32(l.addr) }</code>
                        <code class="text">{ &l.text }</code>
                        if let Some(line) = l.line { <span class="line">{ format!("line {line}") }</span> }
                    </li>
                }) }
            </ol>
        </div>
    }
}
