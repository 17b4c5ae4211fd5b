//! Small canvas charts (line charts of step series, bar charts) without a plotting crate.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Colour of axes and grid lines.
pub(crate) const GRID: &str = "#e5e7eb";
/// Colour of axis labels.
pub(crate) const LABEL: &str = "#6b7280";
/// Font of axis labels.
const FONT: &str = "11px system-ui, sans-serif";

/// One line of a line chart.
pub struct Line<'a> {
    /// Stroke colour.
    pub colour: &'a str,
    /// Dashed (for a second quantity of the same task).
    pub dashed: bool,
    /// (x, y) points; the line holds its value until the next point (a step line).
    pub points: &'a [(u64, u64)],
}

/// One bar of a bar chart.
pub struct Bar<'a> {
    /// Label under the bar.
    pub label: &'a str,
    /// Its value; `None` draws an empty slot (not measured yet).
    pub value: Option<u64>,
    /// Fill colour.
    pub colour: &'a str,
}

/// `n` in a few characters: 950, 12.3k, 4.5M.
pub fn compact(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{:.1}k", n as f64 / 1e3),
        1_000_000..=999_999_999 => format!("{:.1}M", n as f64 / 1e6),
        _ => format!("{:.1}G", n as f64 / 1e9),
    }
}

/// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `max`.
pub fn nice_max(max: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            if let Some(v) = step.checked_mul(m) {
                if v >= max {
                    return v.max(1);
                }
            }
        }
        match step.checked_mul(10) {
            Some(s) => step = s,
            None => return u64::MAX,
        }
    }
}

/// Sizes the canvas to its laid-out width (and `height` CSS pixels) at the device's
/// pixel ratio, and returns its context scaled to CSS pixels with the width.
pub(crate) fn prepare(
    canvas: &HtmlCanvasElement,
    height: f64,
) -> Option<(CanvasRenderingContext2d, f64)> {
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .clamp(1.0, 3.0);
    let width = match canvas.client_width() {
        w if w > 0 => f64::from(w),
        _ => 320.0,
    };
    canvas.set_width((width * dpr) as u32);
    canvas.set_height((height * dpr) as u32);
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())?;
    let _ = ctx.scale(dpr, dpr);
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, width, height);
    ctx.set_font(FONT);
    Some((ctx, width))
}

/// Draws step lines over logical time in `0..=x_max`, with a y axis from 0 to a nice maximum.
pub fn line_chart(canvas: &HtmlCanvasElement, height: f64, x_max: u64, lines: &[Line<'_>]) {
    line_chart_over(canvas, height, x_max, "time", lines);
}

/// [`line_chart`] over another quantity, named `x_name` at the end of the x axis.
pub fn line_chart_over(
    canvas: &HtmlCanvasElement,
    height: f64,
    x_max: u64,
    x_name: &str,
    lines: &[Line<'_>],
) {
    let Some((ctx, width)) = prepare(canvas, height) else {
        return;
    };
    let y_top = nice_max(
        lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .max()
            .unwrap_or(0),
    );
    let x_max = x_max.max(1);
    let (left, right, top, bottom) = (40.0, width - 8.0, 8.0, height - 18.0);
    let sx = |x: u64| left + (right - left) * (x as f64 / x_max as f64);
    let sy = |y: u64| bottom - (bottom - top) * (y as f64 / y_top as f64);

    ctx.set_stroke_style_str(GRID);
    ctx.set_line_width(1.0);
    ctx.set_fill_style_str(LABEL);
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    let divisions = [4, 5, 2].into_iter().find(|d| y_top % d == 0).unwrap_or(1);
    for i in 0..=divisions {
        let v = y_top / divisions * i;
        let y = sy(v).round() + 0.5;
        ctx.begin_path();
        ctx.move_to(left, y);
        ctx.line_to(right, y);
        ctx.stroke();
        let _ = ctx.fill_text(&compact(v), left - 4.0, y);
    }
    ctx.set_text_baseline("alphabetic");
    ctx.set_text_align("left");
    let _ = ctx.fill_text("0", left, height - 4.0);
    ctx.set_text_align("right");
    let _ = ctx.fill_text(&format!("{x_name} {}", compact(x_max)), right, height - 4.0);

    ctx.set_line_width(1.6);
    for l in lines {
        if l.points.is_empty() {
            continue;
        }
        ctx.set_stroke_style_str(l.colour);
        let dash = js_sys::Array::new();
        if l.dashed {
            dash.push(&4.into());
            dash.push(&3.into());
        }
        let _ = ctx.set_line_dash(&dash);
        ctx.begin_path();
        ctx.move_to(sx(0), sy(0));
        let mut prev = 0;
        for &(x, y) in l.points {
            ctx.line_to(sx(x), sy(prev));
            ctx.line_to(sx(x), sy(y));
            prev = y;
        }
        ctx.line_to(sx(x_max), sy(prev));
        ctx.stroke();
    }
    let _ = ctx.set_line_dash(&js_sys::Array::new());
}

/// Draws vertical bars with their values above and labels below.
pub fn bar_chart(canvas: &HtmlCanvasElement, height: f64, bars: &[Bar<'_>]) {
    let Some((ctx, width)) = prepare(canvas, height) else {
        return;
    };
    let y_top = nice_max(bars.iter().filter_map(|b| b.value).max().unwrap_or(0));
    let (left, right, top, bottom) = (8.0, width - 8.0, 18.0, height - 20.0);
    let slot = (right - left) / bars.len().max(1) as f64;
    let bar_w = (slot * 0.62).min(56.0);
    ctx.set_stroke_style_str(GRID);
    ctx.begin_path();
    ctx.move_to(left, bottom + 0.5);
    ctx.line_to(right, bottom + 0.5);
    ctx.stroke();
    ctx.set_text_align("center");
    for (i, b) in bars.iter().enumerate() {
        let cx = left + slot * (i as f64 + 0.5);
        ctx.set_fill_style_str(LABEL);
        let _ = ctx.fill_text(b.label, cx, height - 5.0);
        let Some(v) = b.value else {
            ctx.set_stroke_style_str(GRID);
            ctx.stroke_rect(cx - bar_w / 2.0, top, bar_w, bottom - top);
            continue;
        };
        let h = (bottom - top) * (v as f64 / y_top as f64);
        ctx.set_fill_style_str(b.colour);
        ctx.fill_rect(cx - bar_w / 2.0, bottom - h, bar_w, h);
        ctx.set_fill_style_str("#1f2430");
        let _ = ctx.fill_text(&compact(v), cx, bottom - h - 4.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(15), 20);
        assert_eq!(nice_max(41), 50);
        assert_eq!(nice_max(u64::MAX), u64::MAX);
        assert_eq!(compact(12_345), "12.3k");
    }
}
