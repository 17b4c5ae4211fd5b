//! The frame map's pixels: every frame of RAM as a square cell in an RGBA buffer, coloured
//! by owner, with its marks drawn as shapes (so they read without colour). Only cells that
//! changed since the last paint are painted again, and only their rows go to the canvas.

use std::ops::Range;

use selfpage_core::views::{mark, FrameCell};

/// Owner colours (Okabe–Ito, distinguishable with colour-blindness), by task id mod 8.
pub const OWNER_COLOURS: [&str; 8] = [
    "#999999", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
];

type Rgb = [u8; 3];

const WHITE: Rgb = [0xff, 0xff, 0xff];
const INK: Rgb = [0x1f, 0x24, 0x30];
const FREE: Rgb = [0xee, 0xf0, 0xf3];
const POOL: Rgb = [0xd5, 0xd9, 0xe0];
const PAGE_TABLE: Rgb = [0x3b, 0x42, 0x52];
const PAGE_TABLE_STROKE: Rgb = [0xec, 0xef, 0xf4];
/// The file server's page cache (one colour, whichever task maps it).
const PAGE_CACHE: Rgb = [0x2a, 0x9d, 0x8f];
/// Opacity of a frame bound to a container but not mapped, over white.
const BOUND_ALPHA: f64 = 0.45;
/// Cells smaller than this (in pixels) show colour only, no marks.
const MARKS_FROM: u32 = 8;

/// `#rrggbb` as bytes (black if malformed).
fn rgb(hex: &str) -> Rgb {
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    [byte(1), byte(3), byte(5)]
}

/// `c` at opacity `alpha` over white.
fn over_white(c: Rgb, alpha: f64) -> Rgb {
    c.map(|v| (f64::from(v) * alpha + 255.0 * (1.0 - alpha)).round() as u8)
}

/// Cell size and columns for `n` frames in a canvas `width` pixels wide: the largest
/// square cells that fit the frames in a block about half as high as it is wide.
pub fn layout(n: u32, width: u32) -> (u32, u32) {
    let mut cell = 48;
    while cell > 2 && (width / cell) * (width / cell).max(1) / 2 < n {
        cell -= 1;
    }
    (cell, (width / cell).max(1))
}

/// The painted frame map: its pixels and the cells they show.
pub struct Raster {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    cell: u32,
    cols: u32,
    pixels: Vec<u8>,
    /// What each cell shows now; `None` until first painted.
    shown: Vec<Option<FrameCell>>,
    owners: [Rgb; 8],
}

impl Raster {
    /// A blank raster for `n` cells in a canvas `width` pixels wide.
    pub fn new(n: u32, width: u32) -> Raster {
        let (cell, cols) = layout(n, width);
        let height = n.div_ceil(cols) * cell;
        Raster {
            width,
            height,
            cell,
            cols,
            pixels: vec![0xff; (width * height * 4) as usize],
            shown: vec![None; n as usize],
            owners: OWNER_COLOURS.map(rgb),
        }
    }

    /// Whether this raster is laid out for `n` cells in `width` pixels.
    pub fn fits(&self, n: usize, width: u32) -> bool {
        self.shown.len() == n && self.width == width
    }

    /// The cell under pixel (`x`, `y`), if any.
    pub fn cell_at(&self, x: u32, y: u32) -> Option<usize> {
        let col = x / self.cell;
        let i = ((y / self.cell) * self.cols + col) as usize;
        (col < self.cols && i < self.shown.len()).then_some(i)
    }

    /// Where cell `i` is: left, top and size in pixels.
    pub fn cell_rect(&self, i: usize) -> (u32, u32, u32) {
        let i = i as u32;
        (
            (i % self.cols) * self.cell,
            (i / self.cols) * self.cell,
            self.cell,
        )
    }

    /// The cell `key` (an arrow key, Home or End) moves to from cell `i`, if any.
    pub fn step(&self, i: usize, key: &str) -> Option<usize> {
        let cols = self.cols as usize;
        let to = match key {
            "ArrowLeft" => i.checked_sub(1)?,
            "ArrowRight" => i + 1,
            "ArrowUp" => i.checked_sub(cols)?,
            "ArrowDown" => i + cols,
            "Home" => 0,
            "End" => self.shown.len().checked_sub(1)?,
            _ => return None,
        };
        (to < self.shown.len()).then_some(to)
    }

    /// Paints the cells that differ from what is shown; the rows of pixels that changed.
    pub fn update(&mut self, cells: &[FrameCell]) -> Option<Range<u32>> {
        let mut rows: Option<Range<u32>> = None;
        for (i, c) in cells.iter().enumerate().take(self.shown.len()) {
            if self.shown[i].as_ref() == Some(c) {
                continue;
            }
            self.shown[i] = Some(*c);
            let y = (i as u32 / self.cols) * self.cell;
            self.paint(i as u32, c);
            rows = Some(match rows {
                Some(r) => r.start.min(y)..r.end.max(y + self.cell),
                None => y..y + self.cell,
            });
        }
        rows
    }

    /// The RGBA bytes of pixel rows `rows`.
    pub fn rows(&self, rows: &Range<u32>) -> &[u8] {
        let stride = (self.width * 4) as usize;
        &self.pixels[rows.start as usize * stride..rows.end as usize * stride]
    }

    /// Paints cell `i`: its square (with a one-pixel white gap when there is room) and
    /// the marks in it.
    fn paint(&mut self, i: u32, c: &FrameCell) {
        let (x0, y0) = ((i % self.cols) * self.cell, (i / self.cols) * self.cell);
        let gap = u32::from(self.cell >= 6);
        let look = Look::of(c, self.cell - gap, &self.owners, self.cell >= MARKS_FROM);
        for py in 0..self.cell {
            let row = (((y0 + py) * self.width + x0) * 4) as usize;
            let Some(line) = self.pixels.get_mut(row..row + self.cell as usize * 4) else {
                continue;
            };
            for (px, p) in (0..self.cell).zip(line.chunks_exact_mut(4)) {
                let [r, g, b] = look.colour(px, py);
                p.copy_from_slice(&[r, g, b, 0xff]);
            }
        }
    }
}

/// How one cell looks: its fill and the shapes of its marks, in a square of `size` pixels.
struct Look {
    size: u32,
    fill: Rgb,
    /// A page table's diagonal stroke.
    stroke: bool,
    dirty: bool,
    referenced: bool,
    /// Width of the inner outline of a shared (1), copy-on-write (2) frame, or a private
    /// copy of a file page (3).
    ring: u32,
    extra: bool,
}

impl Look {
    /// The look of `c` in a square of `size` pixels; `marks` false for colour only.
    fn of(c: &FrameCell, size: u32, owners: &[Rgb; 8], marks: bool) -> Look {
        let has = |m: u16| marks && c.marks & m != 0;
        let (kernel, free) = (c.marks & mark::KERNEL != 0, c.marks & mark::FREE != 0);
        let owner = owners[(c.owner % 8) as usize];
        let fill = match (kernel, free) {
            (true, true) => POOL,
            (true, false) => PAGE_TABLE,
            (false, true) => FREE,
            (false, false) if c.marks & mark::PAGE_CACHE != 0 => PAGE_CACHE,
            (false, false) if c.marks & mark::MAPPED != 0 => owner,
            (false, false) => over_white(owner, BOUND_ALPHA),
        };
        Look {
            size,
            fill,
            stroke: marks && kernel && !free,
            dirty: has(mark::DIRTY),
            referenced: has(mark::REFERENCED),
            ring: if has(mark::PRIVATE_COPY) {
                3
            } else if has(mark::COW) {
                2
            } else {
                u32::from(has(mark::SHARED))
            },
            extra: has(mark::EXTRA),
        }
    }

    /// The colour of pixel (`px`, `py`) of the cell; white in the gap beyond `size`.
    fn colour(&self, px: u32, py: u32) -> Rgb {
        let s = self.size;
        if px >= s || py >= s {
            return WHITE;
        }
        let sf = f64::from(s);
        let (cx, cy) = (f64::from(px) + 0.5, f64::from(py) + 0.5);
        let edge = px.min(py).min(s - 1 - px).min(s - 1 - py);
        let radius = (sf * 0.12).max(1.5);
        if self.stroke && px >= 2 && px + 2 < s && px + py == s - 1 {
            PAGE_TABLE_STROKE
        } else if (self.dirty && cx - cy >= sf * 0.55)
            || (self.referenced
                && (cx - sf * 0.25).powi(2) + (cy - sf * 0.75).powi(2) <= radius * radius)
            || (edge >= 1 && edge <= self.ring)
        {
            INK
        } else if self.extra && py + 3 >= s && py + 1 < s && (sf * 0.4..=sf * 0.6).contains(&cx) {
            WHITE
        } else {
            self.fill
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixel(r: &Raster, x: u32, y: u32) -> Rgb {
        let at = ((y * r.width + x) * 4) as usize;
        [r.pixels[at], r.pixels[at + 1], r.pixels[at + 2]]
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn paints_only_changed_cells_with_their_owner_and_marks() {
        let mut r = Raster::new(64, 720);
        let free = FrameCell {
            owner: 0,
            marks: mark::FREE,
            vaddr: None,
        };
        let mut cells = vec![free; 64];
        assert_eq!(
            r.update(&cells),
            Some(0..r.height),
            "the first paint covers all"
        );
        assert_eq!(r.update(&cells), None, "nothing changed, nothing painted");
        assert_eq!(pixel(&r, 1, 1), FREE);

        cells[r.cols as usize + 1] = FrameCell {
            owner: 2,
            marks: mark::BOUND | mark::MAPPED | mark::DIRTY,
            vaddr: Some(0x1000),
        };
        let rows = r.update(&cells).expect("a cell changed");
        assert_eq!(rows, r.cell..2 * r.cell, "only the second row of cells");
        let (x, y) = (r.cell, r.cell);
        assert_eq!(pixel(&r, x + 2, y + r.cell / 2), rgb(OWNER_COLOURS[2]));
        assert_eq!(pixel(&r, x + r.cell - 3, y + 1), INK, "the dirty corner");
        assert_eq!(r.cell_at(x + 1, y + 1), Some(r.cols as usize + 1));
        assert_eq!(r.step(1, "ArrowDown"), Some(r.cols as usize + 1));
        assert_eq!(r.step(0, "ArrowLeft"), None, "no cell before the first");
    }
}
