//! Questions a lesson asks and how an answer is graded: numbers against the run itself,
//! or a choice among options.

use serde::{Deserialize, Serialize};

use super::measure::Measure;
use super::LessonError;

/// A question with its hint and explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The question (Markdown).
    pub text: String,
    /// What is graded.
    pub answer: Answer,
    /// Shown after a wrong answer: a nudge, never the answer.
    pub hint: String,
    /// Shown with "show the answer" and in the docs; `{value}` is replaced by the
    /// measured number.
    pub explanation: String,
}

/// How a question is graded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Answer {
    /// A number measured from a run; `value` is what the lesson text claims, and the
    /// lesson test checks that the run measures exactly that.
    Number {
        /// What to measure.
        measure: Measure,
        /// The value the run measures.
        value: u64,
    },
    /// One of several options.
    Choice {
        /// The options, in order.
        options: Vec<String>,
        /// Index of the right one, from 0.
        correct: usize,
    },
}

/// The verdict on one answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grade {
    /// Right.
    Right,
    /// Wrong: show the hint.
    Wrong,
    /// Not an answer to this question (e.g. not a number): say why.
    Invalid(String),
}

impl Question {
    /// Grades `given` (the typed number, or the chosen option's index) against
    /// `expected`, the run's measured value (for numbers; ignored for choices).
    pub fn grade(&self, given: &str, expected: u64) -> Grade {
        match &self.answer {
            Answer::Number { .. } => match parse_number(given) {
                Some(n) if n == expected => Grade::Right,
                Some(_) => Grade::Wrong,
                None => Grade::Invalid(format!(
                    "“{}” is not a whole number: type digits, e.g. 480",
                    given.trim()
                )),
            },
            Answer::Choice { options, correct } => match given.trim().parse::<usize>() {
                Ok(i) if i == *correct => Grade::Right,
                Ok(i) if i < options.len() => Grade::Wrong,
                _ => Grade::Invalid("choose one of the options".into()),
            },
        }
    }

    /// The value a number question is graded against, measured by running its scenario
    /// (0 for a choice).
    ///
    /// # Errors
    /// The measurement's scenario does not exist or does not finish.
    pub fn measured(&self) -> Result<u64, LessonError> {
        match &self.answer {
            Answer::Number { measure, .. } => measure.measure(),
            Answer::Choice { .. } => Ok(0),
        }
    }

    /// The explanation with the measured value filled in.
    pub fn explain(&self, value: u64) -> String {
        self.explanation.replace("{value}", &group_digits(value))
    }

    /// The right answer as text: the number, or the right option.
    pub fn answer_text(&self, value: u64) -> String {
        match &self.answer {
            Answer::Number { .. } => group_digits(value),
            Answer::Choice { options, correct } => {
                options.get(*correct).cloned().unwrap_or_default()
            }
        }
    }
}

/// A whole number as a student may type it: digits, with `,`, `_`, or spaces between
/// groups.
pub fn parse_number(text: &str) -> Option<u64> {
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' ' | '\u{a0}'))
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `1234567` as `1,234,567`.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_may_be_typed_with_group_separators_and_nothing_else() {
        assert_eq!(parse_number(" 4,843,591 "), Some(4_843_591));
        assert_eq!(parse_number("480"), Some(480));
        assert_eq!(parse_number("1 205"), Some(1205));
        assert_eq!(parse_number("4.8e6"), None);
        assert_eq!(parse_number("-3"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("99999999999999999999999"), None);
        assert_eq!(group_digits(4_843_591), "4,843,591");
        assert_eq!(group_digits(480), "480");
    }
}
