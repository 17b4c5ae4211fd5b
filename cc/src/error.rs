//! Compile errors: a position in the source and a message a student understands.

use serde::Serialize;

/// Where a token came from: which file (0 is the program, others are built-in headers),
/// 1-based line and column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pos {
    /// 0 for the program being compiled, otherwise a built-in header.
    pub file: u16,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// A compile error with its line and column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct CompileError {
    /// 1-based line in the program (in a built-in header: the line of the `#include`).
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong, in words.
    pub message: String,
}

impl CompileError {
    /// An error at `pos` (positions inside built-in headers are reported with the header's name).
    pub fn at(pos: Pos, message: impl Into<String>) -> CompileError {
        let mut message = message.into();
        if pos.file != 0 {
            let name = crate::headers::name(pos.file);
            message = format!("in <{name}> line {}: {message}", pos.line);
        }
        CompileError {
            line: pos.line,
            column: pos.col,
            message,
        }
    }
}

/// The result of a compile phase.
pub type CResult<T> = Result<T, CompileError>;
