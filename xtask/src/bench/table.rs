//! One row per figure, printed as a table or as JSON.

use serde::{Deserialize, Serialize};

/// A figure, the reference it is compared with, and their ratio.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Row {
    /// What is measured.
    pub figure: String,
    /// The measured value (`None`: skipped, see `note`).
    pub value: Option<f64>,
    /// Unit of `value` and `reference`.
    pub unit: String,
    /// The reference value, measured in the same run (or a stated budget).
    pub reference: Option<f64>,
    /// What the reference is.
    pub reference_is: String,
    /// `value / reference`.
    pub ratio: Option<f64>,
    /// How it was measured, or why it was skipped.
    pub note: String,
    /// What clock timed it: "CPU time" natively, "wall clock in the page" in the browser.
    pub timed: String,
    /// The best and the median of its runs, for figures that take the best of several.
    pub spread: Option<Spread>,
}

/// The spread of a figure's runs (in the row's unit).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// The best run (the least time, or the highest speed).
    pub best: f64,
    /// The median run.
    pub median: f64,
    /// How many runs.
    pub runs: usize,
}

impl Spread {
    /// The best and the median of `runs`; `higher_is_better` for speeds. `None` if empty.
    pub fn of(runs: &[f64], higher_is_better: bool) -> Option<Spread> {
        let mut sorted: Vec<f64> = runs.iter().copied().filter(|x| x.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        if higher_is_better {
            sorted.reverse();
        }
        Some(Spread {
            best: *sorted.first()?,
            median: median_of_sorted(&sorted)?,
            runs: sorted.len(),
        })
    }
}

/// The median of an ascending or descending list; `None` if empty.
fn median_of_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

impl Row {
    /// A measured row; the ratio is computed when there is a reference.
    pub fn new(figure: &str, value: f64, unit: &str) -> Row {
        Row {
            figure: figure.into(),
            value: Some(value),
            unit: unit.into(),
            ..Row::default()
        }
    }

    /// A row that could not be measured, saying why.
    pub fn skipped(figure: &str, unit: &str, why: &str) -> Row {
        Row {
            figure: figure.into(),
            unit: unit.into(),
            note: format!("skipped: {why}"),
            ..Row::default()
        }
    }

    /// Sets the reference (and the ratio, if both values are there).
    pub fn vs(mut self, reference: Option<f64>, what: &str) -> Row {
        self.reference = reference;
        self.reference_is = what.into();
        self.ratio = match (self.value, reference) {
            (Some(v), Some(r)) if r != 0.0 => Some(v / r),
            _ => None,
        };
        self
    }

    /// Sets the note.
    pub fn note(mut self, note: impl Into<String>) -> Row {
        self.note = note.into();
        self
    }

    /// Sets what clock timed the figure.
    pub fn timed(mut self, clock: &str) -> Row {
        self.timed = clock.into();
        self
    }

    /// Sets the spread of its runs.
    pub fn spread(mut self, spread: Option<Spread>) -> Row {
        self.spread = spread;
        self
    }
}

/// A number with a sensible precision and thousands separators.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a >= 1000.0 {
        let int = format!("{:.0}", a);
        let mut out = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 {
            out.insert(0, '-');
        }
        out
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// A ratio: percent when small, `N×` when large.
fn ratio(r: f64) -> String {
    if r >= 10.0 {
        format!("{}×", num(r))
    } else {
        format!("{r:.3}")
    }
}

/// The rows as an aligned text table (figure, value, the spread of its runs, what timed
/// it, reference, ratio), each followed by its indented note.
pub fn render(rows: &[Row]) -> String {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let value = r
                .value
                .map(|v| format!("{} {}", num(v), r.unit))
                .unwrap_or_else(|| "—".into());
            let spread = r
                .spread
                .map(|s| format!("{} / {} of {}", num(s.best), num(s.median), s.runs))
                .unwrap_or_else(|| "—".into());
            let timed = if r.timed.is_empty() {
                "—".into()
            } else {
                r.timed.clone()
            };
            let reference = match r.reference {
                Some(v) => format!("{} {} ({})", num(v), r.unit, r.reference_is),
                None if r.reference_is.is_empty() => "—".into(),
                None => format!("— ({})", r.reference_is),
            };
            let ratio = r.ratio.map(ratio).unwrap_or_else(|| "—".into());
            [r.figure.clone(), value, spread, timed, reference, ratio]
        })
        .collect();
    let head = [
        "figure",
        "value",
        "runs: best / median",
        "timed",
        "reference",
        "ratio",
    ];
    let mut width = head.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: [&str; 6]| {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(width).enumerate() {
            let pad = w - c.chars().count();
            if i == 1 || i == 2 || i == 5 {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            }
            s.push_str("  ");
        }
        s.trim_end().to_string()
    };
    let mut out = line(head);
    out.push('\n');
    out.push_str(&"-".repeat(width.iter().sum::<usize>() + 10));
    out.push('\n');
    for (cells, row) in cells.iter().zip(rows) {
        out.push_str(&line(cells.each_ref().map(String::as_str)));
        out.push('\n');
        if !row.note.is_empty() {
            out.push_str(&format!("    note: {}\n", row.note));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_readable() {
        assert_eq!(num(8312.4), "8,312");
        assert_eq!(num(1_234_567.0), "1,234,567");
        assert_eq!(num(412.3), "412");
        assert_eq!(num(16.74), "16.7");
        assert_eq!(num(0.0483), "0.048");
    }

    #[test]
    fn a_row_without_reference_has_no_ratio() {
        let r = Row::new("x", 2.0, "ms").vs(None, "y");
        assert_eq!(r.ratio, None);
        let r = Row::new("x", 2.0, "ms").vs(Some(4.0), "y");
        assert_eq!(r.ratio, Some(0.5));
        assert!(render(&[r]).contains("0.500"));
    }

    #[test]
    fn the_spread_is_the_best_and_the_median_run() {
        let times = Spread::of(&[3.0, 1.0, 2.0, 10.0], false);
        assert_eq!(
            times,
            Some(Spread {
                best: 1.0,
                median: 2.5,
                runs: 4
            })
        );
        let speeds = Spread::of(&[3.0, 1.0, 2.0], true);
        assert_eq!(speeds.map(|s| (s.best, s.median)), Some((3.0, 2.0)));
        assert_eq!(Spread::of(&[], false), None);
        let row = Row::new("x", 1.0, "ns")
            .spread(times)
            .timed("wall clock in the page");
        let text = render(&[row]);
        assert!(text.contains("1.00 / 2.50 of 4"), "{text}");
        assert!(text.contains("wall clock in the page"), "{text}");
    }
}
