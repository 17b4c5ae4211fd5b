//! Pacing of a run at full speed: each animation frame runs the emulator for as long as the
//! frame has left after our redraw and the browser's rendering, both measured, so the slice
//! and the redraw together keep 60 frames per second, on a fast machine and a slow one alike.

/// One frame at 60 Hz, in milliseconds.
const FRAME_MS: f64 = 1000.0 / 60.0;
/// The slice never gets shorter than this, so a slow redraw cannot stop the run.
const MIN_SLICE_MS: f64 = 2.0;
/// Nor longer than this, so the page stays responsive to input.
const MAX_SLICE_MS: f64 = 14.0;
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

/// Running averages of the two costs that share a frame with the slice, for one kind of
/// redraw, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Costs {
    /// From the slice's deadline to the end of our redraw (the redraw and the slice's
    /// overrun past its deadline).
    redraw: f64,
    /// From the end of our redraw until the main thread is free again: the browser's style,
    /// layout, paint and commit of the frame, and any other task in between.
    browser: f64,
}

impl Costs {
    fn total(&self) -> f64 {
        self.redraw + self.browser
    }
}

/// Adds `ms` to the running average `avg`; longer than two frames counts as two, so one
/// stall does not starve the run.
fn average_in(avg: &mut f64, ms: f64) {
    *avg += NEW_WEIGHT * (ms.clamp(0.0, 2.0 * FRAME_MS) - *avg);
}

/// Measures how long frames take after their slice and sizes the next slice to the rest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pacer {
    /// By kind of redraw, indexed by [`Redraw`].
    costs: [Costs; 2],
    /// The last slice's deadline and its redraw, until the redraw is measured.
    pending: Option<(f64, Redraw)>,
    /// The end of the last measured redraw, until the browser has rendered it.
    rendering: Option<(f64, Redraw)>,
}

impl Default for Pacer {
    fn default() -> Pacer {
        Pacer {
            costs: [
                Costs {
                    redraw: 2.0,
                    browser: 3.0,
                },
                Costs {
                    redraw: 8.0,
                    browser: 5.5,
                },
            ],
            pending: None,
            rendering: None,
        }
    }
}

impl Pacer {
    /// How long the slice of a frame that redraws `redraw` may run, in milliseconds.
    pub fn slice_ms(&self, redraw: Redraw) -> f64 {
        (FRAME_MS - self.costs[redraw as usize].total()).clamp(MIN_SLICE_MS, MAX_SLICE_MS)
    }

    /// A slice with deadline `deadline` ended; a redraw of `redraw` follows.
    pub fn slice_ended(&mut self, deadline: f64, redraw: Redraw) {
        self.pending = Some((deadline, redraw));
    }

    /// The views finished redrawing after the last slice at `now`; the browser renders
    /// next. Returns whether [`Pacer::rendered`] should be called when it has.
    pub fn redrawn(&mut self, now: f64) -> bool {
        let Some((deadline, redraw)) = self.pending.take() else {
            return false;
        };
        average_in(&mut self.costs[redraw as usize].redraw, now - deadline);
        self.rendering = Some((now, redraw));
        true
    }

    /// The main thread got back to us at `now` after the browser rendered the last redraw.
    pub fn rendered(&mut self, now: f64) {
        if let Some((redrawn, redraw)) = self.rendering.take() {
            average_in(&mut self.costs[redraw as usize].browser, now - redrawn);
        }
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
            assert!(p.redrawn(t + 9.0));
            p.rendered(t + 10.0);
        }
        assert!(p.slice_ms(Redraw::Live) < live);
        assert!(p.slice_ms(Redraw::Live) >= MIN_SLICE_MS);
        assert_eq!(p.slice_ms(Redraw::Full), full, "measured apart");
        // A redraw without a slice before it (a click while paused) is not measured.
        let before = p;
        assert!(!p.redrawn(1e6));
        p.rendered(1e6 + 50.0);
        assert_eq!(p, before);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_slice_gets_what_the_browser_leaves() {
        let frame = |p: &mut Pacer, t: f64, browser: f64| {
            p.slice_ended(t, Redraw::Live);
            assert!(p.redrawn(t + 1.0));
            p.rendered(t + 1.0 + browser);
        };
        let mut cheap = Pacer::default();
        let mut dear = Pacer::default();
        for i in 0..50 {
            let t = f64::from(i) * 100.0;
            frame(&mut cheap, t, 0.5);
            frame(&mut dear, t, 6.0);
        }
        let (fast, slow) = (cheap.slice_ms(Redraw::Live), dear.slice_ms(Redraw::Live));
        assert!(fast > slow + 4.0, "{fast} vs {slow}");
        assert!(
            fast <= MAX_SLICE_MS && fast + 1.5 <= FRAME_MS,
            "the frame still fits: {fast}"
        );
        assert!(
            (slow - (FRAME_MS - 7.0)).abs() < 0.1,
            "1 ms redraw + 6 ms browser: {slow}"
        );
    }
}
