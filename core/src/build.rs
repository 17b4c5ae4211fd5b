//! A task's program from its source: assembled, or for C compiled by selfpage-cc first.
//! A C task's program maps its instructions to C lines (line 0: the start-up code and the
//! built-in headers), so breakpoints, the current line and the faulting line are C lines.

use x86_emu::asm::{self, AsmError, Program};

use crate::scenario::{Lang, Scenario};

/// The compiler's phases up to the assembly text, and the assembler alone: what the
/// benchmark times apart.
pub use selfpage_cc::compile_to_asm;
/// The assembler, for the benchmark's reference on the compiler's output.
pub use x86_emu::asm::assemble;

/// Builds task `index`'s program.
///
/// # Errors
/// The assembler's or the compiler's first error, with its line and column in the source.
pub fn build(scenario: &Scenario, index: usize) -> Result<Program, AsmError> {
    let source = scenario.source_of(index).unwrap_or_default();
    match scenario.lang_of(index) {
        Lang::Asm => asm::assemble(source),
        Lang::C => compile_c(source).map(|c| c_lines(&c)),
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

/// The compiled program with each instruction's line changed from its assembly line to its
/// C line (0 where it has none).
pub fn c_lines(compiled: &selfpage_cc::Compiled) -> Program {
    let mut program = compiled.program.clone();
    for span in &mut program.lines {
        span.line = compiled
            .asm_c_lines
            .get(span.line as usize - 1)
            .copied()
            .flatten()
            .unwrap_or(0);
    }
    program
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_c_program_maps_addresses_to_c_lines() {
        let src = "int main(void) {\n    int x = 2;\n    return x * 3;\n}\n";
        let c = compile_c(src).expect("compiles");
        let p = c_lines(&c);
        let first = p.addr_of_line(2).expect("line 2 has code");
        assert_eq!(p.line_of(first), Some(2));
        assert_eq!(
            p.line_of(p.entry),
            Some(0),
            "the start-up code has no C line"
        );
        assert!(p.addr_of_line(3).is_some_and(|a| a > first));
    }
}
