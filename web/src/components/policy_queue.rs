//! One task's eviction order: its policy and its resident pages, next victim first, each
//! with its address, region and marks (D dirty, R referenced, P pinned).

use yew::prelude::*;

use crate::format::hex32;
use crate::policy_queue::PolicyQueueView;

/// Props of the queue: whose it is and what it holds.
#[derive(Properties, PartialEq, Clone)]
pub struct PolicyQueueProps {
    /// The task id.
    pub task: u32,
    /// Its eviction order.
    pub queue: PolicyQueueView,
}

/// A mark as a letter, shown only when set (so it reads without colour).
fn mark(on: bool, letter: &'static str, what: &'static str) -> Html {
    html! {
        if on { <abbr class="qmark" title={what}>{ letter }</abbr> }
    }
}

/// The eviction order of one task.
#[component]
pub fn PolicyQueue(props: &PolicyQueueProps) -> Html {
    let q = &props.queue;
    let more = q.total.saturating_sub(q.pages.len());
    html! {
        <section class="queue" id={format!("queue-{}", props.task)} aria-label={format!("Eviction order of task {}", props.task)}>
            <h3>
                <span class={format!("swatch owner-{}", props.task % 8)}></span>
                { format!("task {} · {}", props.task, q.policy) }
            </h3>
            <p class="queue-sub">{ format!("{} resident · eviction order, next victim first · D dirty, R referenced, P pinned", q.total) }</p>
            if q.pages.is_empty() {
                <p class="muted small">{"no resident pages"}</p>
            } else {
                <ol class="queue-pages">
                    { for q.pages.iter().enumerate().map(|(i, p)| html! {
                        <li class={classes!("qpage", p.hand.then_some("hand"))} data-vaddr={hex32(p.vaddr)}
                            title={format!("{} in {}: {}{}", hex32(p.vaddr), p.region, p.note, if p.hand { " · the clock hand is here" } else { "" })}>
                            <span class="qpos">{ i + 1 }</span>
                            <code class="qaddr">{ hex32(p.vaddr) }</code>
                            <span class="qregion">{ &p.region }</span>
                            <span class="qmarks">
                                { mark(p.dirty, "D", "dirty") }
                                { mark(p.referenced, "R", "referenced") }
                                { mark(p.pinned, "P", "pinned: never evicted") }
                            </span>
                            <span class="qnote">{ &p.note }</span>
                        </li>
                    }) }
                </ol>
                if more > 0 {
                    <p class="muted small qmore">{ format!("… and {more} more") }</p>
                }
            }
        </section>
    }
}
