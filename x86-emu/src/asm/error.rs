//! The one error type of the assembler: where (line and column) and what, in plain words.

use serde::{Deserialize, Serialize};

/// An assembly error at a 1-based line and column, with a message a student understands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct AsmError {
    /// 1-based source line.
    pub line: u32,
    /// 1-based column (in characters) of the offending token.
    pub column: u32,
    /// What is wrong, e.g. "unknown register 'ebz'".
    pub message: String,
}

impl AsmError {
    /// An error at `line`, `column` with `message`.
    pub fn new(line: u32, column: u32, message: impl Into<String>) -> Self {
        Self {
            line,
            column,
            message: message.into(),
        }
    }
}

/// Results inside the assembler.
pub(crate) type AsmResult<T> = Result<T, AsmError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_line_and_column() {
        let e = AsmError::new(3, 9, "unknown register 'ebz'");
        assert_eq!(e.to_string(), "line 3, column 9: unknown register 'ebz'");
    }
}
