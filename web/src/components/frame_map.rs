//! The physical memory map: every frame of RAM as a cell on a canvas, coloured by owner,
//! with marks for kernel, free, mapped, dirty, referenced, shared, COW and extra frames.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

use selfpage_core::lessons::Pointed;
use selfpage_core::views::{self, mark, FrameCell};

use super::app::LiveProps;
use crate::format::hex32;
use crate::raster::Raster;

/// Width of the canvas before it is laid out, in CSS pixels.
const DEFAULT_WIDTH: u32 = 720;

/// The canvas's laid-out width in CSS pixels.
fn width_of(canvas: &HtmlCanvasElement) -> u32 {
    match canvas.client_width() {
        w if w > 0 => w as u32,
        _ => DEFAULT_WIDTH,
    }
}

/// Brings the canvas up to date with `cells`: a new raster when the canvas width or the
/// number of frames changed, then only the rows of pixels whose cells changed.
fn draw(canvas: &HtmlCanvasElement, raster: &mut Option<Raster>, cells: &[FrameCell]) {
    let width = width_of(canvas);
    let r = match raster {
        Some(r) if r.fits(cells.len(), width) => r,
        _ => {
            let r = raster.insert(Raster::new(cells.len() as u32, width));
            canvas.set_width(r.width);
            canvas.set_height(r.height);
            r
        }
    };
    let Some(rows) = r.update(cells) else {
        return;
    };
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    let image = ImageData::new_with_u8_clamped_array_and_sh(
        Clamped(r.rows(&rows)),
        r.width,
        rows.end - rows.start,
    );
    if let (Some(ctx), Ok(image)) = (ctx, image) {
        let _ = ctx.put_image_data(&image, 0.0, f64::from(rows.start));
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
    } else if c.marks & mark::PAGE_CACHE != 0 {
        words.push("file server's page cache".into());
        words.push(if c.marks & mark::MAPPED != 0 {
            "mapped by a task".into()
        } else {
            "not mapped by any task".into()
        });
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
        (mark::PRIVATE_COPY, "private copy of a file page"),
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
pub fn FrameMap(props: &LiveProps) -> Html {
    let state = &props.state;
    let canvas = use_node_ref();
    let raster = use_mut_ref(|| None::<Raster>);
    let hover = use_state(|| None::<usize>);
    let cells = use_memo(props.tick, {
        let state = state.clone();
        move |_| state.with_kernel(views::frame_map).unwrap_or_default()
    });
    {
        let (canvas, raster, cells) = (canvas.clone(), raster.clone(), cells.clone());
        use_effect_with(props.tick, move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                draw(&c, &mut raster.borrow_mut(), &cells);
            }
        });
    }
    let onmousemove = {
        let hover = hover.clone();
        let raster = raster.clone();
        Callback::from(move |e: MouseEvent| {
            let (x, y) = (e.offset_x().max(0) as u32, e.offset_y().max(0) as u32);
            hover.set(raster.borrow().as_ref().and_then(|r| r.cell_at(x, y)));
        })
    };
    // The keyboard moves the same cursor as the pointer: arrows, Home, End.
    let onkeydown = {
        let hover = hover.clone();
        let raster = raster.clone();
        Callback::from(move |e: KeyboardEvent| {
            let to = raster
                .borrow()
                .as_ref()
                .and_then(|r| r.step(hover.unwrap_or(0), &e.key()));
            if let Some(to) = to {
                e.prevent_default();
                hover.set(Some(to));
            }
        })
    };
    let box_at = |i: usize| {
        let (x, y, size) = raster.borrow().as_ref()?.cell_rect(i);
        Some(format!(
            "left:{x}px;top:{y}px;width:{size}px;height:{size}px"
        ))
    };
    let cursor = hover.and_then(box_at);
    // The frame a lesson link points at: outlined, and described while nothing is hovered.
    let pointed = match state.pointed_in("frames") {
        Some(Pointed::Frame { pfn }) => Some(pfn as usize).filter(|&i| i < cells.len()),
        _ => None,
    };
    let outline = pointed.and_then(box_at);
    let used = cells.iter().filter(|c| c.marks & mark::FREE == 0).count();
    let detail = hover
        .or(pointed)
        .and_then(|i| cells.get(i).map(|c| describe(i, c)))
        .unwrap_or_else(|| {
            "hover a frame (or focus the map and use the arrow keys) for details".into()
        });
    html! {
        <div class="card" id="frames">
            <h2>{"Physical memory"}<super::explain::Explain pane="frames" /><span class="badge" id="frames-used">{ format!("{used} of {} frames in use", cells.len()) }</span></h2>
            <div class="frame-map-wrap">
                <canvas ref={canvas} class="frame-map" tabindex="0" {onmousemove} {onkeydown}
                    data-outlined={pointed.map(|p| p.to_string())}
                    aria-label="Physical frame map: arrow keys move between frames" aria-describedby="frame-detail" />
                if let Some(style) = outline {
                    <div class="frame-target" id="frame-target" aria-hidden="true" {style}></div>
                }
                if let Some(style) = cursor {
                    <div class="frame-cursor" aria-hidden="true" {style}></div>
                }
            </div>
            <p class="frame-detail" id="frame-detail" aria-live="polite">{ detail }</p>
            <ul class="legend">
                <li><span class="sw sw-free"></span>{"free"}</li>
                <li><span class="sw sw-kernel"></span>{"page table (kernel)"}</li>
                <li><span class="sw sw-pool"></span>{"kernel pool, free"}</li>
                <li><span class="sw owner-1"></span><span class="sw owner-2"></span><span class="sw owner-3"></span>{"owner task"}</li>
                <li><span class="sw sw-bound"></span>{"bound, not mapped"}</li>
                <li><span class="mk mk-dirty"></span>{"dirty"}</li>
                <li><span class="mk mk-ref"></span>{"referenced"}</li>
                <li><span class="mk mk-cow"></span>{"shared / COW"}</li>
                <li><span class="sw sw-cache"></span>{"file page cache"}</li>
                <li><span class="mk mk-private"></span>{"private copy of a file page"}</li>
                <li><span class="mk mk-extra"></span>{"extra (beyond the guarantee)"}</li>
            </ul>
        </div>
    }
}
