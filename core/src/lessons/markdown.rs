//! `docs/lessons/*.md`, generated from the lesson sources (`cargo xtask lessons`).

use std::fmt::Write;

use super::{group_digits, Answer, Lesson, Quantity, Row};

/// The header every generated page starts with.
const GENERATED: &str =
    "<!-- Generated from core/lessons/ by `cargo xtask lessons`: edit the TOML, not this file. -->";

/// Every generated file of `docs/lessons/` as (file name, Markdown): one page a lesson,
/// then the index `README.md`.
pub fn pages(lessons: &[Lesson]) -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> =
        lessons.iter().map(|l| (l.doc_file(), page(l))).collect();
    pages.push(("README.md".into(), index(lessons)));
    pages
}

/// The Markdown page of one lesson.
pub fn page(lesson: &Lesson) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "{GENERATED}\n");
    let _ = writeln!(md, "# Lesson {} — {}\n", lesson.number, lesson.title);
    let _ = writeln!(md, "**Goal.** {}\n", lesson.goal.trim());
    if let Some(bg) = &lesson.background {
        let _ = writeln!(md, "**Background.** {}\n", bg.trim());
    }
    let _ = writeln!(md, "**Scenarios.** {}\n", lesson.scenarios.trim());
    if !lesson.step.is_empty() {
        let _ = writeln!(md, "## Step through it\n");
        for (i, step) in lesson.step.iter().enumerate() {
            let _ = writeln!(md, "{}. {}", i + 1, indent(step.text.trim()));
        }
        md.push('\n');
    }
    if !lesson.question.is_empty() {
        let _ = writeln!(md, "## Check yourself\n");
        for q in &lesson.question {
            let _ = writeln!(md, "* {}", q.text.trim().replace('\n', "\n  "));
            if let Answer::Choice { options, .. } = &q.answer {
                for o in options {
                    let _ = writeln!(md, "  - {o}");
                }
            }
            let value = match &q.answer {
                Answer::Number { value, .. } => *value,
                Answer::Choice { .. } => 0,
            };
            let explained = q.explain(value).trim().replace('\n', "\n  ");
            let answer = match &q.answer {
                Answer::Number { .. } => explained,
                Answer::Choice { .. } => format!("**{}.** {explained}", q.answer_text(value)),
            };
            let _ = writeln!(
                md,
                "\n  <details><summary>Answer</summary>\n\n  {answer}\n\n  </details>\n"
            );
        }
    }
    if let Some(d) = &lesson.discuss {
        let _ = writeln!(md, "## Discuss\n\n{}\n", d.trim());
    }
    if !lesson.row.is_empty() || lesson.measured.is_some() {
        let _ = writeln!(md, "## Measured\n");
        if !lesson.row.is_empty() {
            md.push_str(&table(&lesson.row));
            md.push('\n');
        }
        if let Some(m) = &lesson.measured {
            let _ = writeln!(md, "{}\n", m.trim());
        }
    }
    for s in &lesson.section {
        let _ = writeln!(md, "## {}\n\n{}\n", s.title, s.body.trim());
    }
    while md.ends_with("\n\n") {
        md.pop();
    }
    md
}

/// The "Measured" table: a column for each quantity some row gives.
fn table(rows: &[Row]) -> String {
    let with_task = rows.iter().any(|r| r.task.is_some());
    let cols: Vec<Quantity> = rows[0]
        .cells()
        .iter()
        .map(|(q, _)| *q)
        .filter(|q| {
            rows.iter()
                .any(|r| r.cells().iter().any(|(c, v)| c == q && v.is_some()))
        })
        .collect();
    let with_status = rows.iter().any(|r| r.status.is_some());
    let with_output = rows.iter().any(|r| r.output.is_some());
    let mut md = String::from("| scenario |");
    let mut rule = String::from("|---|");
    if with_task {
        md.push_str(" task |");
        rule.push_str("---|");
    }
    for c in &cols {
        let _ = write!(md, " {} |", c.heading());
        rule.push_str("---:|");
    }
    if with_status {
        md.push_str(" status |");
        rule.push_str("---|");
    }
    if with_output {
        md.push_str(" output |");
        rule.push_str("---|");
    }
    let _ = writeln!(md, "\n{rule}");
    for r in rows {
        let note = r
            .note
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let _ = write!(md, "| `{}`{note} |", r.scenario);
        if with_task {
            let _ = write!(md, " {} |", r.task.as_deref().unwrap_or(""));
        }
        for c in &cols {
            let v = r.cells().iter().find(|(q, _)| q == c).and_then(|(_, v)| *v);
            let _ = write!(md, " {} |", v.map(group_digits).unwrap_or_default());
        }
        if with_status {
            let _ = write!(md, " {} |", r.status.as_deref().unwrap_or(""));
        }
        if with_output {
            let out = r
                .output
                .as_deref()
                .map(|o| format!("`{o}`"))
                .unwrap_or_default();
            let _ = write!(md, " {out} |");
        }
        md.push('\n');
    }
    md
}

/// Indents continuation lines of a list item.
fn indent(text: &str) -> String {
    text.replace('\n', "\n   ")
}

/// `docs/lessons/README.md`: the index.
pub fn index(lessons: &[Lesson]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "{GENERATED}\n");
    md.push_str(
        "# Guided lessons\n\n\
         The same lessons are in the page: press **Lessons** in the header (or `l`), or open\n\
         `?lesson=N` (`?lesson=N&step=K` at a step). Each lesson names its scenario (in the\n\
         app: the Scenario menu; on the command line: `selfpage run NAME`), says what to step\n\
         through, asks questions graded against the run, and explains the result with\n\
         numbers measured with `selfpage run` and `selfpage policy`. The sources are\n\
         `core/lessons/NN-slug.toml` (format: `core/src/lessons/mod.rs`); `tests/lessons.rs`\n\
         follows every step and checks every number on the same scenarios, and fails when\n\
         these pages are stale (`cargo xtask lessons` rewrites them).\n\n",
    );
    for l in lessons {
        let _ = writeln!(
            md,
            "{}. [{}]({}) — `{}`",
            l.number,
            l.title,
            l.doc_file(),
            l.scenario
        );
    }
    md
}
