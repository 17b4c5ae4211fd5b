//! Pacing of a run at full speed: each animation frame runs the emulator for as long as the
//! frame has left after redrawing, so the slice and the redraw together keep 60 frames per
//! second, on a fast machine and a slow one alike.

/// One frame at 60 Hz, in milliseconds.
const FRAME_MS: f64 = 1000.0 / 60.0;
/// What the browser needs after our redraw (style, layout, paint, compositing), by kind of
/// redraw: the live views change a canvas and a line of text, a full redraw every pane.
const BROWSER_LIVE_MS: f64 = 3.0;
const BROWSER_FULL_MS: f64 = 5.5;
/// The slice never gets shorter than this, so a slow redraw cannot stop the run.
const MIN_SLICE_MS: f64 = 2.0;
/// Nor longer than this, so the page stays responsive to input.
const MAX_SLICE_MS: f64 = 12.0;
/// Weight of the newest measurement in the running averages.
const NEW_WEIGHT: f64 = 0.2;

/// Which views a frame redraws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redraw {
    /// Only the live views (frame map, status line).
    Live,
    /// Every pane (a few times a second while running).
    Full,
}

/// Measures how long frames take after their slice and sizes the next slice to the rest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pacer {
    /// Running averages of the time from a slice's deadline to the end of the redraw (the
    /// redraw and the slice's overrun past its deadline), by kind of redraw.
    live_ms: f64,
    full_ms: f64,
    /// The last slice's deadline and its redraw, until the redraw is measured.
    pending: Option<(f64, Redraw)>,
}

impl Default for Pacer {
    fn default() -> Pacer {
        Pacer {
            live_ms: 2.0,
            full_ms: 8.0,
            pending: None,
        }
    }
}

impl Pacer {
    /// How long the slice of a frame that redraws `redraw` may run, in milliseconds.
    pub fn slice_ms(&self, redraw: Redraw) -> f64 {
        let after = match redraw {
            Redraw::Live => self.live_ms + BROWSER_LIVE_MS,
            Redraw::Full => self.full_ms + BROWSER_FULL_MS,
        };
        (FRAME_MS - after).clamp(MIN_SLICE_MS, MAX_SLICE_MS)
    }

    /// A slice with deadline `deadline` ended; a redraw of `redraw` follows.
    pub fn slice_ended(&mut self, deadline: f64, redraw: Redraw) {
        self.pending = Some((deadline, redraw));
    }

    /// The views finished redrawing after the last slice at `now`.
    pub fn redrawn(&mut self, now: f64) {
        let Some((deadline, redraw)) = self.pending.take() else {
            return;
        };
        // Longer than two frames counts as two: one stall must not starve the run.
        let ms = (now - deadline).clamp(0.0, 2.0 * FRAME_MS);
        let avg = match redraw {
            Redraw::Live => &mut self.live_ms,
            Redraw::Full => &mut self.full_ms,
        };
        *avg += NEW_WEIGHT * (ms - *avg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn slow_redraws_shorten_the_slice_within_bounds() {
        let mut p = Pacer::default();
        let (live, full) = (p.slice_ms(Redraw::Live), p.slice_ms(Redraw::Full));
        assert!(full < live, "a full redraw leaves less time to run");
        for i in 0..50 {
            let t = f64::from(i) * 100.0;
            p.slice_ended(t, Redraw::Live);
            p.redrawn(t + 9.0);
        }
        assert!(p.slice_ms(Redraw::Live) < live);
        assert!(p.slice_ms(Redraw::Live) >= MIN_SLICE_MS);
        assert_eq!(p.slice_ms(Redraw::Full), full, "measured apart");
        // A redraw without a slice before it (a click while paused) is not measured.
        let before = p;
        p.redrawn(1e6);
        assert_eq!(p, before);
    }
}
