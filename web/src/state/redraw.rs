//! Which panes redraw on a change: all of them when stopped, one in turn while running.

use super::{now_ms, AppState, Pane, PANES, VIEW_PERIOD_MS};
use crate::pace::Redraw;

impl AppState {
    /// The count a pane redraws on.
    pub fn view(&self, pane: Pane) -> u64 {
        self.views[pane as usize]
    }

    /// Which views this change redraws: every pane when stopped; while running the live
    /// views, and one pane when its turn (counted from the frame's start) has come.
    pub(super) fn redraw(&self) -> Redraw {
        let turn = VIEW_PERIOD_MS / PANES as f64;
        if !self.running || self.frame_at - self.view_at >= turn {
            Redraw::Full
        } else {
            Redraw::Live
        }
    }

    /// Marks a change: the live views redraw now, the panes as [`AppState::redraw`] says.
    pub(super) fn changed(&mut self) {
        self.tick += 1;
        if self.redraw() == Redraw::Live {
            return;
        }
        if self.running {
            self.views[self.next_pane] += 1;
            self.next_pane = (self.next_pane + 1) % PANES;
        } else {
            self.views.iter_mut().for_each(|v| *v += 1);
        }
        self.view_at = now_ms();
    }
}
