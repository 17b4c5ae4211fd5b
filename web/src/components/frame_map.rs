//! The physical memory map: every frame of RAM as a cell on a canvas, coloured by owner,
//! with marks for kernel, free, mapped, dirty, referenced, shared, COW and extra frames.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use selfpage_core::views::{self, mark, FrameCell};

use super::app::PaneProps;
use crate::format::hex32;

/// Width of the canvas before it is laid out, in CSS pixels.
const DEFAULT_WIDTH: u32 = 720;
/// Owner colours (Okabe–Ito, distinguishable with colour-blindness), by task id mod 8.
pub const OWNER_COLOURS: [&str; 8] = [
    "#999999", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
];

/// The canvas's laid-out width in CSS pixels.
fn width_of(canvas: &HtmlCanvasElement) -> u32 {
    match canvas.client_width() {
        w if w > 0 => w as u32,
        _ => DEFAULT_WIDTH,
    }
}

/// Cell size and columns for `n` frames in a canvas `width` pixels wide: the largest
/// square cells that fit the frames in a block about half as high as it is wide.
fn layout(n: u32, width: u32) -> (u32, u32) {
    let mut cell = 48;
    while cell > 2 && (width / cell) * (width / cell).max(1) / 2 < n {
        cell -= 1;
    }
    (cell, (width / cell).max(1))
}

fn draw(canvas: &HtmlCanvasElement, cells: &[FrameCell]) {
    let n = cells.len() as u32;
    let width = width_of(canvas);
    let (cell, cols) = layout(n, width);
    let rows = n.div_ceil(cols);
    canvas.set_width(width);
    canvas.set_height(rows * cell);
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, f64::from(width), f64::from(rows * cell));
    let gap = if cell >= 6 { 1.0 } else { 0.0 };
    let size = f64::from(cell) - gap;
    for (i, c) in cells.iter().enumerate() {
        let i = i as u32;
        let x = f64::from((i % cols) * cell);
        let y = f64::from((i / cols) * cell);
        let (fill, alpha) = if c.marks & mark::KERNEL != 0 && c.marks & mark::FREE != 0 {
            ("#d5d9e0", 1.0)
        } else if c.marks & mark::KERNEL != 0 {
            ("#3b4252", 1.0)
        } else if c.marks & mark::FREE != 0 {
            ("#eef0f3", 1.0)
        } else {
            (
                OWNER_COLOURS[(c.owner % 8) as usize],
                if c.marks & mark::MAPPED != 0 {
                    1.0
                } else {
                    0.45
                },
            )
        };
        ctx.set_global_alpha(alpha);
        ctx.set_fill_style_str(fill);
        ctx.fill_rect(x, y, size, size);
        ctx.set_global_alpha(1.0);
        if cell < 8 {
            continue;
        }
        let s = size;
        if c.marks & mark::KERNEL != 0 && c.marks & mark::FREE == 0 {
            // Page tables: a diagonal stroke, so they read without colour.
            ctx.set_stroke_style_str("#eceff4");
            ctx.begin_path();
            ctx.move_to(x + 2.0, y + s - 2.0);
            ctx.line_to(x + s - 2.0, y + 2.0);
            ctx.stroke();
        }
        if c.marks & mark::DIRTY != 0 {
            ctx.set_fill_style_str("#1f2430");
            ctx.begin_path();
            ctx.move_to(x + s * 0.55, y);
            ctx.line_to(x + s, y);
            ctx.line_to(x + s, y + s * 0.45);
            ctx.close_path();
            ctx.fill();
        }
        if c.marks & mark::REFERENCED != 0 {
            ctx.set_fill_style_str("#1f2430");
            ctx.begin_path();
            let _ = ctx.arc(
                x + s * 0.25,
                y + s * 0.75,
                (s * 0.12).max(1.5),
                0.0,
                std::f64::consts::TAU,
            );
            ctx.fill();
        }
        if c.marks & (mark::COW | mark::SHARED) != 0 {
            ctx.set_stroke_style_str("#1f2430");
            ctx.set_line_width(if c.marks & mark::COW != 0 { 2.0 } else { 1.0 });
            ctx.stroke_rect(x + 1.5, y + 1.5, s - 3.0, s - 3.0);
            ctx.set_line_width(1.0);
        }
        if c.marks & mark::EXTRA != 0 {
            ctx.set_fill_style_str("#ffffff");
            ctx.fill_rect(x + s * 0.4, y + s - 3.0, s * 0.2, 2.0);
        }
    }
}

fn describe(pfn: usize, c: &FrameCell) -> String {
    let mut words = Vec::new();
    if c.marks & mark::KERNEL != 0 {
        words.push(if c.marks & mark::FREE != 0 {
            "kernel pool, free".to_string()
        } else {
            format!("page table of task {}", c.owner)
        });
    } else if c.marks & mark::FREE != 0 {
        words.push("free (physmem)".into());
    } else {
        words.push(format!("task {}", c.owner));
        words.push(if c.marks & mark::MAPPED != 0 {
            "mapped".into()
        } else {
            "bound, not mapped".into()
        });
    }
    if let Some(va) = c.vaddr {
        words.push(format!("at {}", hex32(va)));
    }
    for (m, w) in [
        (mark::DIRTY, "dirty"),
        (mark::REFERENCED, "referenced"),
        (mark::WRITABLE, "writable"),
        (mark::SHARED, "shared"),
        (mark::COW, "copy-on-write"),
        (mark::EXTRA, "extra (beyond guarantee)"),
    ] {
        if c.marks & m != 0 {
            words.push(w.into());
        }
    }
    format!(
        "frame {pfn} ({}): {}",
        hex32(pfn as u32 * 4096),
        words.join(", ")
    )
}

/// The frame map with its legend and a details line for the frame under the pointer.
#[component]
pub fn FrameMap(props: &PaneProps) -> Html {
    let state = &props.state;
    let canvas = use_node_ref();
    let hover = use_state(|| None::<usize>);
    let cells = use_memo(state.tick, {
        let state = state.clone();
        move |_| state.with_kernel(views::frame_map).unwrap_or_default()
    });
    {
        let canvas = canvas.clone();
        let cells = cells.clone();
        use_effect_with(state.tick, move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                draw(&c, &cells);
            }
        });
    }
    let onmousemove = {
        let hover = hover.clone();
        let canvas = canvas.clone();
        let n = cells.len() as u32;
        Callback::from(move |e: MouseEvent| {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let (cell, cols) = layout(n, width_of(&c));
            let (x, y) = (e.offset_x().max(0) as u32, e.offset_y().max(0) as u32);
            let col = x / cell;
            let i = (y / cell) * cols + col;
            hover.set((col < cols && i < n).then_some(i as usize));
        })
    };
    let used = cells.iter().filter(|c| c.marks & mark::FREE == 0).count();
    let detail = hover
        .and_then(|i| cells.get(i).map(|c| describe(i, c)))
        .unwrap_or_else(|| "hover a frame for details".into());
    html! {
        <div class="card" id="frames">
            <h2>{"Physical memory"}<span class="badge" id="frames-used">{ format!("{used} of {} frames in use", cells.len()) }</span></h2>
            <canvas ref={canvas} class="frame-map" {onmousemove} role="img" aria-label="Physical frame map" />
            <p class="frame-detail" id="frame-detail">{ detail }</p>
            <ul class="legend">
                <li><span class="sw sw-free"></span>{"free"}</li>
                <li><span class="sw sw-kernel"></span>{"page table (kernel)"}</li>
                <li><span class="sw sw-pool"></span>{"kernel pool, free"}</li>
                <li><span class="sw owner-1"></span><span class="sw owner-2"></span><span class="sw owner-3"></span>{"owner task"}</li>
                <li><span class="sw sw-bound"></span>{"bound, not mapped"}</li>
                <li><span class="mk mk-dirty"></span>{"dirty"}</li>
                <li><span class="mk mk-ref"></span>{"referenced"}</li>
                <li><span class="mk mk-cow"></span>{"shared / COW"}</li>
            </ul>
        </div>
    }
}
