//! The page-table walk: CR3 → PDE → PTE → frame for one virtual address, every bit shown.

use yew::prelude::*;

use selfpage_core::lessons::Pointed;
use selfpage_core::views;

use super::app::PaneProps;
use crate::format::hex32;
use crate::state::Action;

const BITS: [&str; 9] = ["P", "RW", "US", "PWT", "PCD", "A", "D", "PS", "G"];

/// The walk view.
#[component]
pub fn Walk(props: &PaneProps) -> Html {
    let state = &props.state;
    let on_input = {
        let s = state.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let text = input.value();
            let t = text
                .trim()
                .trim_start_matches("0x")
                .trim_start_matches("0X");
            match u32::from_str_radix(t, 16) {
                Ok(va) => s.dispatch(Action::Walk(va)),
                Err(_) => s.dispatch(Action::Fail(format!(
                    "'{text}' is not a hexadecimal address"
                ))),
            }
        })
    };
    let walk = state
        .with_kernel(|k| views::walk(k, state.task, state.walk_addr))
        .flatten();
    // The row a lesson link points at, while the walk shows its page.
    let pointed = match state.pointed_in("walk") {
        Some(Pointed::Walk { task, vaddr, level })
            if task == state.task && vaddr == state.walk_addr & !0xFFF =>
        {
            Some(level)
        }
        _ => None,
    };
    html! {
        <div class="card" id="walk">
            <h2>{"Page-table walk"}<super::explain::Explain pane="walk" /></h2>
            <label class="walk-input">
                {"virtual address "}
                <input type="text" aria-label="Virtual address to walk" value={hex32(state.walk_addr)} onchange={on_input} spellcheck="false" />
            </label>
            if let Some(w) = walk {
                <div class="split">
                    <code class="bits-dir">{ format!("{:010b}", w.vaddr >> 22) }</code>
                    <code class="bits-tab">{ format!("{:010b}", (w.vaddr >> 12) & 0x3ff) }</code>
                    <code class="bits-off">{ format!("{:012b}", w.offset) }</code>
                </div>
                <table class="walk">
                    <tr><th>{"CR3"}</th><td colspan="2"><code>{ hex32(w.cr3) }</code></td></tr>
                    { for w.levels.iter().map(|l| html! {
                        <tr class={classes!("level", (pointed == Some(l.name.as_str())).then_some("pointed"))} data-level={l.name.clone()}>
                            <th>{ format!("{}[{}]", l.name, l.index) }</th>
                            <td><code>{ hex32(l.raw) }</code><span class="muted">{ format!(" @ {}", hex32(l.addr)) }</span></td>
                            <td class="bitrow">
                                { for BITS.iter().filter(|b| l.name == "PTE" || **b != "D").map(|b| html! {
                                    <span class={classes!("bit", l.bits.iter().any(|x| x == b).then_some("on"))}>{ *b }</span>
                                }) }
                            </td>
                        </tr>
                    }) }
                    <tr><th>{"frame"}</th><td colspan="2"><code id="walk-phys">{ w.phys.map(hex32).unwrap_or_else(|| "—".into()) }</code></td></tr>
                </table>
                <p class="verdict" id="walk-verdict">{ w.verdict }</p>
                if let Some(file) = w.file {
                    <p class="walk-file" id="walk-file">{ format!("maps {file}") }</p>
                }
            } else if state.session.is_none() {
                <p class="muted">{"no scenario is loaded"}</p>
            } else {
                <p class="muted">{"the task has no address space (it has ended)"}</p>
            }
        </div>
    }
}
