//! selfpage-cc: a C compiler for the playground's workloads. C89 without floating point,
//! plus `//` comments and declarations anywhere, compiled to i386 assembly that
//! [`x86_emu::asm`] assembles, with a line table from every instruction back to its C line.
//!
//! The phases, one module each: [`lexer`] (text to tokens), [`preprocessor`] (macros,
//! conditionals, the built-in [`headers`]), [`parser`] (tokens to the typed syntax tree of
//! [`ast`], with [`types`]), and [`codegen`] (tree to assembly). [`compile`] runs them all
//! and assembles the result.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ast;
pub mod codegen;
pub mod error;
pub mod headers;
pub mod lexer;
pub mod parser;
mod ppexpr;
pub mod preprocessor;
pub mod types;

use serde::Serialize;
use x86_emu::asm::{self, Program};

pub use error::{CompileError, Pos};

/// Largest source the compiler accepts (the playground's per-task bound).
pub const MAX_SOURCE: usize = 64 * 1024;

/// A compiled program: the assembly, the assembled image and the C line of each assembly line.
#[derive(Clone, Debug, Serialize)]
pub struct Compiled {
    /// The generated assembly text.
    pub asm: String,
    /// The assembled program (its own line map refers to lines of `asm`).
    #[serde(skip)]
    pub program: Program,
    /// `asm_c_lines[i]`: the C line that assembly line `i + 1` came from.
    pub asm_c_lines: Vec<Option<u32>>,
}

impl Compiled {
    /// The assembly line of the instruction covering `addr`.
    pub fn asm_line_of(&self, addr: u32) -> Option<u32> {
        self.program.line_of(addr)
    }

    /// The C line of the instruction covering `addr` (`None` in the start-up code and the
    /// built-in headers).
    pub fn c_line_of(&self, addr: u32) -> Option<u32> {
        let line = self.program.line_of(addr)?;
        self.asm_c_lines.get(line as usize - 1).copied().flatten()
    }

    /// The address of the first instruction generated for C line `line`.
    pub fn addr_of_c_line(&self, line: u32) -> Option<u32> {
        self.program
            .lines
            .iter()
            .find(|s| self.asm_c_lines.get(s.line as usize - 1).copied().flatten() == Some(line))
            .map(|s| s.addr)
    }
}

/// Compiles C `source` to assembly text and its per-line C line table.
///
/// # Errors
/// The first lexical, preprocessor, syntax or type error, with line and column.
pub fn compile_to_asm(source: &str) -> Result<codegen::Output, CompileError> {
    if source.len() > MAX_SOURCE {
        return Err(CompileError::at(
            Pos {
                file: 0,
                line: 1,
                col: 1,
            },
            format!("the program is longer than {} KiB", MAX_SOURCE / 1024),
        ));
    }
    let tokens = lexer::tokenize(source, 0)?;
    let tokens = preprocessor::preprocess(tokens)?;
    let unit = parser::parse(tokens)?;
    Ok(codegen::generate(&unit, source))
}

/// Compiles and assembles C `source`.
///
/// # Errors
/// Any compile error; an assembler error on the generated code is reported as an internal
/// error at line 1.
pub fn compile(source: &str) -> Result<Compiled, CompileError> {
    let out = compile_to_asm(source)?;
    let program = asm::assemble(&out.asm).map_err(|e| {
        CompileError::at(
            Pos {
                file: 0,
                line: 1,
                col: 1,
            },
            format!("internal error: the generated assembly does not assemble ({e})"),
        )
    })?;
    Ok(Compiled {
        asm: out.asm,
        program,
        asm_c_lines: out.c_lines,
    })
}
