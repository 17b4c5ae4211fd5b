//! A task's program from its source: assembled, or for C compiled by selfpage-cc first.

use x86_emu::asm::{self, AsmError, Program};

use crate::scenario::{Lang, Scenario};

/// Builds task `index`'s program.
///
/// # Errors
/// The assembler's or the compiler's first error, with its line and column in the source.
pub fn build(scenario: &Scenario, index: usize) -> Result<Program, AsmError> {
    let source = scenario.source_of(index).unwrap_or_default();
    match scenario.lang_of(index) {
        Lang::Asm => asm::assemble(source),
        Lang::C => compile_c(source).map(|c| c.program),
    }
}

/// Compiles C `source`, with the compiler's error in the assembler's form (line, column,
/// message) so that both are shown alike.
///
/// # Errors
/// The compiler's first error.
pub fn compile_c(source: &str) -> Result<selfpage_cc::Compiled, AsmError> {
    selfpage_cc::compile(source).map_err(|e| AsmError::new(e.line, e.column, e.message))
}
