//! The classroom side of lessons: progress kept in the browser (localStorage) and lesson
//! links (`?lesson=N`, `?lesson=N&step=K`). The lessons themselves, their checks and
//! grading are `selfpage_core::lessons`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The localStorage key of the progress record.
const KEY: &str = "selfpage.lessons.v1";

/// What a student has done in one lesson.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonProgress {
    /// Steps (from 0) seen ticked at least once.
    pub steps: BTreeSet<usize>,
    /// Questions (from 0) answered right.
    pub questions: BTreeSet<usize>,
}

/// Progress in every lesson, by lesson number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// Per lesson number.
    pub lessons: BTreeMap<usize, LessonProgress>,
}

/// How far a student got in a lesson, for the list's marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Nothing done yet.
    New,
    /// Some steps or questions done.
    Started,
    /// Every step seen ticked and every question answered right.
    Complete,
}

impl Progress {
    /// Parses a stored record.
    ///
    /// # Errors
    /// The record is not valid progress JSON; the message says so in words.
    pub fn parse(text: &str) -> Result<Progress, String> {
        serde_json::from_str(text).map_err(|e| {
            format!("your saved lesson progress could not be read ({e}), so it starts afresh")
        })
    }

    /// Progress saved in this browser: empty when there is none, and an error message (with
    /// empty progress) when the record is corrupted.
    pub fn load() -> (Progress, Option<String>) {
        let Some(text) = storage().and_then(|s| s.get_item(KEY).ok().flatten()) else {
            return (Progress::default(), None);
        };
        match Progress::parse(&text) {
            Ok(p) => (p, None),
            Err(msg) => (Progress::default(), Some(msg)),
        }
    }

    /// Saves the progress in this browser (silently does nothing where storage is off).
    pub fn save(&self) {
        if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(self)) {
            let _ = s.set_item(KEY, &text);
        }
    }

    /// Records step `step` of lesson `lesson` as done; whether that is new.
    pub fn tick_step(&mut self, lesson: usize, step: usize) -> bool {
        self.lessons.entry(lesson).or_default().steps.insert(step)
    }

    /// Records question `q` of lesson `lesson` as answered right; whether that is new.
    pub fn answer(&mut self, lesson: usize, q: usize) -> bool {
        self.lessons.entry(lesson).or_default().questions.insert(q)
    }

    /// The mark of a lesson with `steps` steps and `questions` questions.
    pub fn mark(&self, lesson: usize, steps: usize, questions: usize) -> Mark {
        match self.lessons.get(&lesson) {
            None => Mark::New,
            Some(p) if p.steps.is_empty() && p.questions.is_empty() => Mark::New,
            Some(p) if p.steps.len() >= steps && p.questions.len() >= questions => Mark::Complete,
            Some(_) => Mark::Started,
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// A lesson link: lesson number and step, both from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LessonLink {
    /// Lesson number.
    pub lesson: usize,
    /// Step number, from 1.
    pub step: usize,
}

/// Parses the query part of the URL (`?lesson=N&step=K`, with its `?`). `Ok(None)` when it
/// names no lesson.
///
/// # Errors
/// `lesson` or `step` is not a positive whole number, or out of range (there are `count`
/// lessons, with `steps(n)` steps each); the message says which.
pub fn parse_query(
    query: &str,
    count: usize,
    steps: impl Fn(usize) -> usize,
) -> Result<Option<LessonLink>, String> {
    let mut lesson = None;
    let mut step = None;
    for pair in query.trim_start_matches('?').split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "lesson" => lesson = Some(v),
            "step" => step = Some(v),
            _ => {}
        }
    }
    let Some(lesson) = lesson else {
        return Ok(None);
    };
    let n = positive(lesson).filter(|n| *n <= count).ok_or_else(|| {
        format!("the link asks for lesson “{lesson}”, but the lessons are numbered 1 to {count}")
    })?;
    let k = match step {
        None => 1,
        Some(s) => {
            let last = steps(n);
            positive(s).filter(|k| *k <= last).ok_or_else(|| {
                format!("the link asks for step “{s}” of lesson {n}, which has steps 1 to {last}: it opens at step 1")
            })?
        }
    };
    Ok(Some(LessonLink { lesson: n, step: k }))
}

/// The challenge a `?challenge=N` query names (with its `?`). `Ok(None)` when it names none.
///
/// # Errors
/// `N` is not a challenge number from 1 to `count`.
pub fn parse_challenge(query: &str, count: usize) -> Result<Option<usize>, String> {
    let Some(v) = query
        .trim_start_matches('?')
        .split('&')
        .find_map(|p| p.strip_prefix("challenge="))
    else {
        return Ok(None);
    };
    positive(v)
        .filter(|n| *n <= count)
        .map(Some)
        .ok_or_else(|| {
            format!(
                "the link asks for challenge “{v}”, but the challenges are numbered 1 to {count}"
            )
        })
}

/// The page's query string (with its `?`).
pub fn query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

fn positive(text: &str) -> Option<usize> {
    text.parse().ok().filter(|n| *n > 0)
}

/// The lesson link in the current page's URL.
pub fn link_from_location(
    count: usize,
    steps: impl Fn(usize) -> usize,
) -> Result<Option<LessonLink>, String> {
    parse_query(&query(), count, steps)
}

/// Puts `?lesson=N` (or nothing) into the URL, keeping the scenario fragment.
pub fn store_in_location(lesson: Option<usize>) {
    store_query(&lesson.map(|n| format!("?lesson={n}")).unwrap_or_default());
}

/// Replaces the URL's query (with its `?`, or empty), keeping the path and the fragment.
pub fn store_query(query: &str) {
    let Some(w) = web_sys::window() else { return };
    let hash = w.location().hash().unwrap_or_default();
    let path = w.location().pathname().unwrap_or_default();
    if let Ok(history) = w.history() {
        let url = format!("{path}{query}{hash}");
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_links_are_parsed_and_bad_ones_explained() {
        let steps = |_| 3;
        assert_eq!(parse_query("", 10, steps), Ok(None));
        assert_eq!(
            parse_query("?lesson=3&step=2", 10, steps),
            Ok(Some(LessonLink { lesson: 3, step: 2 }))
        );
        assert_eq!(
            parse_query("?lesson=4", 10, steps),
            Ok(Some(LessonLink { lesson: 4, step: 1 }))
        );
        for bad in [
            "?lesson=11",
            "?lesson=0",
            "?lesson=x",
            "?lesson=",
            "?lesson=3&step=9",
        ] {
            let e = parse_query(bad, 10, steps).expect_err(bad);
            assert!(e.contains("lesson"), "{e}");
        }
    }

    #[test]
    fn challenge_links_are_parsed_and_bad_ones_explained() {
        assert_eq!(parse_challenge("?challenge=2", 3), Ok(Some(2)));
        assert_eq!(parse_challenge("?lesson=2", 3), Ok(None));
        assert!(parse_challenge("?challenge=4", 3).is_err());
        assert!(parse_challenge("?challenge=-1", 3).is_err());
    }

    #[test]
    fn corrupted_progress_is_refused_with_a_message_and_good_progress_round_trips() {
        let mut p = Progress::default();
        assert!(p.tick_step(1, 0));
        assert!(!p.tick_step(1, 0));
        p.answer(1, 1);
        let text = serde_json::to_string(&p).expect("serializes");
        assert_eq!(Progress::parse(&text), Ok(p.clone()));
        assert_eq!(p.mark(1, 1, 2), Mark::Started);
        p.answer(1, 0);
        assert_eq!(p.mark(1, 1, 2), Mark::Complete);
        assert_eq!(p.mark(2, 3, 1), Mark::New);
        for bad in ["{", "[]", "{\"lessons\": 3}", "null"] {
            let e = Progress::parse(bad).expect_err(bad);
            assert!(e.starts_with("your saved lesson progress"), "{e}");
        }
    }
}
