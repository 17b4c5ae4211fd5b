//! The fault timeline: one fault as a sequence diagram — faulting thread → pager → physmem
//! → kernel → resume, and for a file page the file server and the ramdisk too — and the strip of faults to choose from (one Tab stop; the arrow keys
//! move along it, Enter or Space shows a fault).

use wasm_bindgen::JsCast;
use yew::prelude::*;

use selfpage_core::lessons::Pointed;
use selfpage_core::pager::PagerEvent;
use selfpage_core::{Endpoint, Event, Kernel, Records};

use super::app::PaneProps;
use super::events::seq_of;
use crate::format::{self, hex32};
use crate::roving::{self, Axis};
use crate::state::Action;

/// Faults listed in the strip, newest first.
const STRIP_LEN: usize = 64;
/// Newest records searched for them (and records searched back from a selected record for
/// the fault it belongs to).
const STRIP_SCAN: usize = 50_000;
/// What the arrow keys move between.
const CHIP: &str = "button[data-seq]";

/// Lanes of the diagram; the last two only when the fault reaches them (a file page).
const LANES: [&str; 6] = [
    "thread",
    "pager (libhurd-mm)",
    "physmem",
    "kernel",
    "file server",
    "ramdisk",
];
/// Lanes every diagram shows.
const BASE_LANES: usize = 4;
/// Distance between lanes; closer when the file server's and the ramdisk's lanes are drawn,
/// so the diagram's text is not scaled down to an unreadable size in the pane.
const LANE_W: f64 = 200.0;
const FILE_LANE_W: f64 = 140.0;
/// Left and right margin of the outer lanes.
const MARGIN: f64 = 70.0;
/// Width of a character of the diagram's 12 px monospace text, in SVG units (0.6 em).
const CHAR_W: f64 = 7.2;
const ROW_H: f64 = 26.0;
const TOP: f64 = 34.0;

/// One row of the diagram: an arrow between lanes or a note on one lane.
struct Row {
    from: usize,
    to: usize,
    text: String,
    class: &'static str,
}

fn lane(e: &Endpoint) -> usize {
    match e {
        Endpoint::Thread(_) => 0,
        Endpoint::Pager(_) => 1,
        Endpoint::Physmem => 2,
        Endpoint::Kernel => 3,
        Endpoint::FileServer => 4,
        Endpoint::Ramdisk => 5,
    }
}

fn note(l: usize, text: String, class: &'static str) -> Row {
    Row {
        from: l,
        to: l,
        text,
        class,
    }
}

/// The rows of the fault at `records[0]`, up to its thread's resumption or death.
fn rows(k: &Kernel, records: Records<'_>) -> Vec<Row> {
    let mut out: Vec<Row> = Vec::new();
    let Some(Event::Fault { task, .. }) = records.first().map(|r| &r.event) else {
        return out;
    };
    let task = *task;
    let mut reply: Option<String> = None;
    for r in records {
        match &r.event {
            Event::Fault {
                addr,
                access,
                ip,
                error_code,
                ..
            } => out.push(note(
                0,
                format!(
                    "#PF {} {} at eip {}{} (err {error_code:#x})",
                    format::access(*access),
                    hex32(*addr),
                    hex32(*ip),
                    format::line_suffix(k, task, *ip)
                ),
                "fault",
            )),
            Event::Ipc {
                from,
                to,
                label,
                words,
            } => {
                let text = match (reply.take(), *label) {
                    (Some(r), _) => r,
                    (None, 0) => "reply".into(),
                    (None, l) if l & 0xFFF0 == 0xFFE0 => format!(
                        "fault IPC {l:#06x} (addr, ip = {})",
                        words
                            .iter()
                            .map(|w| hex32(*w))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    (None, l) => format!("label {l}"),
                };
                out.push(Row {
                    from: lane(from),
                    to: lane(to),
                    text,
                    class: "ipc",
                });
            }
            Event::Rpc { request, .. } => {
                if let Some(last) = out.last_mut() {
                    last.text = format::request(request);
                    last.class = "rpc";
                }
            }
            Event::RpcReply { result, .. } => {
                reply = Some(format::reply(result));
            }
            Event::Mapped {
                vaddr, pfn, rights, ..
            } => out.push(note(
                3,
                format!(
                    "PTE {} → frame {pfn} {}",
                    hex32(*vaddr),
                    format::rights_str(rights.0)
                ),
                "map",
            )),
            Event::FrameZeroed { pfn } => out.push(note(3, format!("zero frame {pfn}"), "map")),
            Event::FrameCopied { from, to } => {
                out.push(note(3, format!("copy frame {from} → {to}"), "map"))
            }
            Event::Unmapped {
                vaddr,
                dirty,
                referenced,
                ..
            } => out.push(note(
                3,
                format!(
                    "unmap {} (R={} D={})",
                    hex32(*vaddr),
                    u8::from(*referenced),
                    u8::from(*dirty)
                ),
                "map",
            )),
            Event::Pager {
                event:
                    PagerEvent::FilePage {
                        vaddr,
                        path,
                        offset,
                        shared,
                        writable,
                        ..
                    },
                ..
            } => {
                // The trace's sentence for it is the longest note of a file fault: this one
                // keeps the diagram narrow enough to read.
                let how = match (shared, writable) {
                    (true, true) => "cached frame, writable",
                    (true, false) => "cached frame, write-locked",
                    (false, _) => "a copy-on-write copy",
                };
                let text = format!("maps {path}+{offset:#x} at {vaddr:#x}: {how}");
                out.push(note(1, text, "pager"));
            }
            Event::Pager { event, .. } => out.push(note(1, event.to_string(), "pager")),
            Event::Fs { event } => {
                let l = if event.is_disk_io() { 5 } else { 4 };
                out.push(note(l, event.to_string(), "pager"));
            }
            Event::Resumed { task: t } if *t == task => {
                out.push(note(0, "restarts the instruction".into(), "resume"));
                break;
            }
            Event::TaskKilled { task: t, reason } if *t == task => {
                out.push(note(0, format!("killed: {reason}"), "fault"));
                break;
            }
            _ => {}
        }
    }
    out
}

/// Where a row's text starts and how it is anchored: notes on the right-hand lanes run
/// leftwards, so they stay inside the card; arrow labels start at the arrow's tail, so long
/// ones run along it.
fn text_at(r: &Row, x: impl Fn(usize) -> f64) -> (f64, &'static str) {
    let (x1, x2) = (x(r.from), x(r.to));
    if r.from == r.to {
        if r.from >= 2 {
            (x1 - 9.0, "end")
        } else {
            (x1 + 9.0, "start")
        }
    } else if x2 > x1 {
        (x1 + 6.0, "start")
    } else {
        (x1 - 6.0, "end")
    }
}

/// The horizontal extent of the diagram in SVG units: its lanes, and every row's text
/// (a text running past the outer lanes widens the view rather than being cut off).
fn extent(rows: &[Row], lanes: usize, x: impl Fn(usize) -> f64) -> (f64, f64) {
    let lanes = (0.0, 2.0 * MARGIN + x(lanes - 1) - x(0));
    rows.iter().fold(lanes, |(lo, hi), r| {
        let (tx, anchor) = text_at(r, &x);
        let len = r.text.chars().count() as f64 * CHAR_W;
        match anchor {
            "end" => (lo.min(tx - len - 4.0), hi),
            _ => (lo, hi.max(tx + len + 4.0)),
        }
    })
}

fn diagram(rows: &[Row]) -> Html {
    let height = TOP + ROW_H * rows.len() as f64 + 10.0;
    let lanes = rows
        .iter()
        .map(|r| r.from.max(r.to) + 1)
        .fold(BASE_LANES, usize::max);
    let lane_w = if lanes > BASE_LANES {
        FILE_LANE_W
    } else {
        LANE_W
    };
    let x = |l: usize| MARGIN + lane_w * l as f64;
    let (left, right) = extent(rows, lanes, x);
    html! {
        <svg class="seq" viewBox={format!("{left} 0 {} {height}", right - left)} width="100%" role="img" aria-label="Sequence diagram of the fault">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" fill="#3b4252" />
                </marker>
            </defs>
            { for LANES.iter().take(lanes).enumerate().map(|(i, name)| html! {
                <g>
                    <text x={x(i).to_string()} y="16" text-anchor="middle" class="lane-name">{ *name }</text>
                    <line x1={x(i).to_string()} y1="24" x2={x(i).to_string()} y2={height.to_string()} class="lifeline" />
                </g>
            }) }
            { for rows.iter().enumerate().map(|(i, r)| {
                let y = TOP + ROW_H * i as f64 + ROW_H / 2.0;
                let (tx, anchor) = text_at(r, x);
                if r.from == r.to {
                    html! {
                        <g class={classes!("row", r.class)}>
                            <circle cx={x(r.from).to_string()} cy={y.to_string()} r="4" />
                            <text x={tx.to_string()} y={(y + 4.0).to_string()} text-anchor={anchor}>{ &r.text }</text>
                        </g>
                    }
                } else {
                    let (x1, x2) = (x(r.from), x(r.to));
                    html! {
                        <g class={classes!("row", r.class)}>
                            <line x1={x1.to_string()} y1={y.to_string()} x2={x2.to_string()} y2={y.to_string()} marker-end="url(#arrow)" />
                            <text x={tx.to_string()} y={(y - 4.0).to_string()} text-anchor={anchor}>{ &r.text }</text>
                        </g>
                    }
                }
            }) }
        </svg>
    }
}

/// The timeline pane.
#[component]
pub fn Timeline(props: &PaneProps) -> Html {
    let state = &props.state;
    let data = state.with_kernel(|k| {
        let recs = k.trace().records();
        // Only the newest faults are listed, found from the end: a long run's trace holds
        // up to a million records and this view redraws every frame.
        let mut faults: Vec<(u64, String)> = recs
            .iter()
            .rev()
            .take(STRIP_SCAN)
            .filter_map(|r| match &r.event {
                Event::Fault {
                    task,
                    addr,
                    access,
                    ip,
                    ..
                } => Some((
                    r.seq,
                    format!(
                        "t{task} {} {}{}",
                        format::access(*access),
                        hex32(*addr),
                        format::line_suffix(k, *task, *ip)
                    ),
                )),
                _ => None,
            })
            .take(STRIP_LEN)
            .collect();
        faults.reverse();
        let total: u64 = k.tasks().map(|t| t.counters.faults).sum();
        let first_seq = recs.first().map_or(0, |r| r.seq);
        // A selected record shows the fault it belongs to: the last one at or before it.
        let chosen = state
            .selected_event
            .and_then(|s| {
                let upto = recs.len().min(s.checked_sub(first_seq)? as usize + 1);
                (upto.saturating_sub(STRIP_SCAN)..upto)
                    .rev()
                    .filter_map(|i| recs.get(i))
                    .find(|r| matches!(r.event, Event::Fault { .. }))
                    .map(|r| r.seq)
            })
            .or_else(|| faults.last().map(|(s, _)| *s));
        let rows = chosen
            .map(|s| rows(k, k.trace().since(s)))
            .unwrap_or_default();
        (faults, total, chosen, rows)
    });
    // The fault a lesson link points at: its chip is marked and scrolled into view.
    let pointed = match state.pointed_in("timeline") {
        Some(Pointed::Record { seq }) => Some(seq),
        _ => None,
    };
    use_effect_with(pointed, |p| {
        if p.is_some() {
            crate::point::scroll_to("#timeline .fault-strip .pointed");
        }
    });
    let Some((faults, total, chosen, rows)) = data else {
        return html! {};
    };
    let onclick = {
        let s = state.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(seq) = roving::clicked(&e, CHIP).as_ref().and_then(seq_of) {
                s.dispatch(Action::SelectEvent(seq));
            }
        })
    };
    let onkeydown = Callback::from(|e: KeyboardEvent| {
        // Enter and Space reach the focused button as a click.
        if let Some(chip) = roving::on_key(&e, Axis::Horizontal, CHIP) {
            if let Ok(b) = chip.dyn_into::<web_sys::HtmlElement>() {
                b.click();
            }
        }
    });
    // One Tab stop: the fault shown, or else the newest.
    let tab_stop = chosen
        .filter(|c| faults.iter().any(|(s, _)| s == c))
        .or_else(|| faults.last().map(|(s, _)| *s));
    html! {
        <div class="card" id="timeline">
            <h2>{"Fault timeline"}<super::explain::Explain pane="timeline" /><span class="badge" id="fault-count">{ format!("{total} faults") }</span></h2>
            <ol class="fault-strip" aria-label="Faults, newest first: ←→ move, Enter shows one" {onclick} {onkeydown}>
                { for faults.iter().rev().map(|(seq, label)| {
                    let shown = chosen == Some(*seq);
                    html! {
                        <li key={*seq}>
                            <button data-seq={seq.to_string()} aria-pressed={shown.to_string()} title={format!("show fault #{seq} in the diagram")}
                                tabindex={if tab_stop == Some(*seq) { "0" } else { "-1" }}
                                class={classes!(shown.then_some("selected"), (pointed == Some(*seq)).then_some("pointed"))}>{ label }</button>
                        </li>
                    }
                }) }
            </ol>
            if rows.is_empty() {
                <p class="muted">{"No fault yet. Press “Next fault” (f) to run to the first one."}</p>
            } else {
                { diagram(&rows) }
            }
        </div>
    }
}
