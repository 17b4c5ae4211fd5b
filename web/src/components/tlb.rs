//! The TLB: the translations the CPU has cached, and its hit/miss counters.

use yew::prelude::*;

use selfpage_core::views;

use super::app::PaneProps;
use crate::format::hex32;

/// The TLB view.
#[component]
pub fn TlbView(props: &PaneProps) -> Html {
    let Some(tlb) = props.state.with_kernel(views::tlb) else {
        return html! {};
    };
    let total = (tlb.hits + tlb.misses).max(1);
    html! {
        <div class="card" id="tlb">
            <h2>{"TLB"}<super::explain::Explain pane="tlb" /><span class="badge">{ format!("{} hits · {} misses · {:.1}% hit rate", tlb.hits, tlb.misses, 100.0 * tlb.hits as f64 / total as f64) }</span></h2>
            if tlb.entries.is_empty() {
                <p class="muted">{"empty (flushed by the last CR3 load)"}</p>
            } else {
                <table class="tlb">
                    <tr><th>{"page"}</th><th>{"frame"}</th><th>{"W"}</th></tr>
                    { for tlb.entries.iter().take(16).map(|e| html! {
                        <tr><td><code>{ hex32(e.vaddr) }</code></td><td><code>{ hex32(e.paddr) }</code></td><td>{ if e.writable { "✓" } else { "–" } }</td></tr>
                    }) }
                </table>
            }
        </div>
    }
}
