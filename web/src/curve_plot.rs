//! The miss-ratio chart: faults against frames for every policy on one canvas, linear or
//! logarithmic axes, the task's frame count marked, each curve's knee (a ring) and its
//! Belady points (a triangle: more frames, more faults), and a hover line.

use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::plot::{compact, nice_max, prepare, GRID, LABEL};

/// Colour of the task's frame-count marker and of Belady points.
const MARK: &str = "#d55e00";

/// One policy's curve.
pub struct CurveLine<'a> {
    /// Stroke colour.
    pub colour: &'a str,
    /// Dashed (OPT, the offline yardstick).
    pub dashed: bool,
    /// Faults at `first`, `first + 1`, ... frames.
    pub faults: &'a [u64],
    /// The knee's frame count.
    pub knee: Option<u32>,
    /// Frame counts with more faults than one frame fewer.
    pub belady: &'a [u32],
}

/// Where the plot area lies, to turn a pointer position back into a frame count.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Layout {
    left: f64,
    right: f64,
    first: u32,
    last: u32,
    log_x: bool,
}

impl Layout {
    fn x(&self, frames: u32) -> f64 {
        let (a, b, f) = if self.log_x {
            (
                f64::from(self.first).ln(),
                f64::from(self.last).ln(),
                f64::from(frames).ln(),
            )
        } else {
            (
                f64::from(self.first),
                f64::from(self.last),
                f64::from(frames),
            )
        };
        let span = if b > a { b - a } else { 1.0 };
        self.left + (self.right - self.left) * (f - a) / span
    }

    /// The frame count nearest to `x` (CSS pixels from the canvas's left edge).
    pub fn frames_at(&self, x: f64) -> Option<u32> {
        if self.right <= self.left || x < self.left - 6.0 || x > self.right + 6.0 {
            return None;
        }
        let share = ((x - self.left) / (self.right - self.left)).clamp(0.0, 1.0);
        let f = if self.log_x {
            let (a, b) = (f64::from(self.first).ln(), f64::from(self.last).ln());
            (a + (b - a) * share).exp()
        } else {
            f64::from(self.first) + f64::from(self.last - self.first) * share
        };
        Some((f.round() as u32).clamp(self.first, self.last))
    }
}

/// Axis scales and marks of a chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
    /// Logarithmic frame axis.
    pub log_x: bool,
    /// Logarithmic fault axis.
    pub log_y: bool,
    /// The task's frame count, marked with a vertical line.
    pub marker: Option<u32>,
    /// The frame count under the pointer.
    pub hover: Option<u32>,
}

/// Draws the curves, which start at `first` frames; returns the layout for hovering.
pub fn draw(
    canvas: &HtmlCanvasElement,
    height: f64,
    first: u32,
    lines: &[CurveLine<'_>],
    view: View,
) -> Layout {
    let Some((ctx, width)) = prepare(canvas, height) else {
        return Layout::default();
    };
    let count = lines.iter().map(|l| l.faults.len()).max().unwrap_or(0) as u32;
    let last = first + count.saturating_sub(1).max(1);
    let layout = Layout {
        left: 52.0,
        right: width - 12.0,
        first,
        last,
        log_x: view.log_x && last > first,
    };
    let (top, bottom) = (16.0, height - 34.0);
    let y_max = lines
        .iter()
        .flat_map(|l| l.faults.iter().copied())
        .max()
        .unwrap_or(1);
    let y_top = if view.log_y {
        10f64.powi((y_max.max(1) as f64).log10().ceil().max(1.0) as i32)
    } else {
        nice_max(y_max) as f64
    };
    let sy = |v: u64| {
        let share = if view.log_y {
            (v.max(1) as f64).log10() / y_top.log10()
        } else {
            v as f64 / y_top
        };
        bottom - (bottom - top) * share
    };

    // Grid and fault labels.
    ctx.set_line_width(1.0);
    ctx.set_stroke_style_str(GRID);
    ctx.set_fill_style_str(LABEL);
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    let ticks: Vec<u64> = if view.log_y {
        (0..=y_top.log10() as u32).map(|e| 10u64.pow(e)).collect()
    } else {
        (0..=4).map(|i| (y_top as u64) / 4 * i).collect()
    };
    for v in ticks {
        let y = sy(v).round() + 0.5;
        ctx.begin_path();
        ctx.move_to(layout.left, y);
        ctx.line_to(layout.right, y);
        ctx.stroke();
        let _ = ctx.fill_text(&compact(v), layout.left - 6.0, y);
    }
    // Frame labels.
    ctx.set_text_align("center");
    ctx.set_text_baseline("alphabetic");
    for f in frame_ticks(first, last, layout.log_x) {
        let _ = ctx.fill_text(&f.to_string(), layout.x(f), bottom + 14.0);
    }
    let _ = ctx.fill_text("frames", (layout.left + layout.right) / 2.0, height - 4.0);
    ctx.save();
    let _ = ctx.translate(12.0, (top + bottom) / 2.0);
    let _ = ctx.rotate(-std::f64::consts::FRAC_PI_2);
    let _ = ctx.fill_text("page faults", 0.0, 0.0);
    ctx.restore();

    if let Some(m) = view.marker.filter(|m| (first..=last).contains(m)) {
        vertical(&ctx, layout.x(m), top, bottom, MARK, true);
        ctx.set_fill_style_str(MARK);
        ctx.set_text_align("left");
        let _ = ctx.fill_text(
            &format!("task's frames: {m}"),
            layout.x(m) + 4.0,
            top + 10.0,
        );
    }

    for l in lines {
        stroke_curve(&ctx, &layout, first, l, &sy);
    }
    for l in lines {
        if let Some(k) = l.knee {
            if let Some(&v) = l.faults.get((k - first) as usize) {
                ctx.set_stroke_style_str(l.colour);
                ctx.set_line_width(2.0);
                ctx.begin_path();
                let _ = ctx.arc(layout.x(k), sy(v), 5.0, 0.0, std::f64::consts::TAU);
                ctx.stroke();
            }
        }
        for &b in l.belady {
            if let Some(&v) = l.faults.get((b - first) as usize) {
                triangle(&ctx, layout.x(b), sy(v) - 7.0);
            }
        }
    }
    if let Some(h) = view.hover.filter(|h| (first..=last).contains(h)) {
        vertical(&ctx, layout.x(h), top, bottom, "#1f2430", false);
    }
    layout
}

/// Round frame counts for the axis: powers of two on a log axis, about five steps otherwise.
fn frame_ticks(first: u32, last: u32, log: bool) -> Vec<u32> {
    if log {
        let mut v: Vec<u32> = (0..17)
            .map(|e| 1u32 << e)
            .filter(|&f| f >= first && f <= last)
            .collect();
        if v.first() != Some(&first) {
            v.insert(0, first);
        }
        return v;
    }
    let step = nice_max(u64::from((last - first) / 5).max(1)) as u32;
    let mut v = vec![first];
    let mut f = (first / step + 1) * step;
    while f <= last {
        if f - v[v.len() - 1] >= step / 2 {
            v.push(f);
        }
        f += step;
    }
    v
}

fn stroke_curve(
    ctx: &CanvasRenderingContext2d,
    layout: &Layout,
    first: u32,
    l: &CurveLine<'_>,
    sy: &dyn Fn(u64) -> f64,
) {
    ctx.set_stroke_style_str(l.colour);
    ctx.set_line_width(if l.dashed { 1.6 } else { 2.0 });
    let dash = js_sys::Array::new();
    if l.dashed {
        dash.push(&5.into());
        dash.push(&3.into());
    }
    let _ = ctx.set_line_dash(&dash);
    ctx.begin_path();
    for (i, &v) in l.faults.iter().enumerate() {
        let (x, y) = (layout.x(first + i as u32), sy(v));
        if i == 0 {
            ctx.move_to(x, y);
        } else {
            ctx.line_to(x, y);
        }
    }
    ctx.stroke();
    let _ = ctx.set_line_dash(&js_sys::Array::new());
}

fn vertical(ctx: &CanvasRenderingContext2d, x: f64, top: f64, bottom: f64, c: &str, dash: bool) {
    ctx.set_stroke_style_str(c);
    ctx.set_line_width(1.0);
    let pattern = js_sys::Array::new();
    if dash {
        pattern.push(&3.into());
        pattern.push(&3.into());
    }
    let _ = ctx.set_line_dash(&pattern);
    ctx.begin_path();
    ctx.move_to(x.round() + 0.5, top);
    ctx.line_to(x.round() + 0.5, bottom);
    ctx.stroke();
    let _ = ctx.set_line_dash(&js_sys::Array::new());
}

/// An upward triangle above a Belady point.
fn triangle(ctx: &CanvasRenderingContext2d, x: f64, y: f64) {
    ctx.set_fill_style_str(MARK);
    ctx.begin_path();
    ctx.move_to(x, y - 5.0);
    ctx.line_to(x - 4.5, y + 3.0);
    ctx.line_to(x + 4.5, y + 3.0);
    ctx.close_path();
    ctx.fill();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn pointer_positions_map_back_to_frame_counts() {
        let lin = Layout {
            left: 50.0,
            right: 150.0,
            first: 1,
            last: 101,
            log_x: false,
        };
        assert_eq!(lin.frames_at(50.0), Some(1));
        assert_eq!(lin.frames_at(100.0), Some(51));
        assert_eq!(lin.frames_at(400.0), None);
        let log = Layout {
            log_x: true,
            last: 100,
            ..lin
        };
        assert_eq!(log.frames_at(100.0), Some(10));
        assert_eq!(log.frames_at(log.x(37)), Some(37));
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn frame_ticks_are_round_and_in_range() {
        assert_eq!(frame_ticks(1, 17, false), [1, 5, 10, 15]);
        assert_eq!(frame_ticks(1, 100, true), [1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(frame_ticks(3, 40, true), [3, 4, 8, 16, 32]);
    }
}
