//! The assembler for the playground's workloads: Intel/NASM syntax, 32-bit, flat binary.
//!
//! `assemble(source)` parses every line (`parser`), lays the program out in passes until
//! every label settles (`layout`) and encodes each instruction through iced-x86
//! (`encode`): the candidates are iced's own opcode tables, the shortest encoding wins, and
//! the bytes match `nasm -f bin` (the corpus test checks this). `.text` starts at
//! [`TEXT_BASE`] (or `org`), `.data` at the next 4 KiB boundary after it, `.bss` at the next
//! boundary after `.data`. A program with no `section` line is all text.
//!
//! # Syntax
//!
//! ```text
//! ; comment                         case-insensitive mnemonics, registers and keywords
//! section .text | .data | .bss      (also `segment`); `bits 32`, `global` are accepted
//! org 0x1000                        once, before code: where .text starts
//! name:  / name db ...              labels; `.x:` is local to the previous global label
//! N equ 4 * 1024 / %define N 4096   constants; forward references allowed everywhere
//! db "hi", 10, 0 / dw 1 / dd x      data: numbers, 'c' chars, "strings" (`\n` in backquotes)
//! resb 64 / resw 2 / resd 1         reserve zeroed space (the only data allowed in .bss)
//! times 16 db 0 / times 4 nop       repeat one item
//! align 16                          pad with nop (text) or zero (data, bss)
//! mov eax, [ebx + ecx*4 + 8]        memory: base + index*scale + disp, any order
//! mov dword [x], 1                  sizes: byte/word/dword, NASM style or `dword ptr`
//! jmp short .x / jmp near .x        otherwise the shortest form that reaches
//! rep movsb / repne scasb / lock    prefixes
//! expressions: + - * / % << >> & | ^ ~ ! ( ) $ $$, 42 0x2A 2Ah 0b101 101b 'A'
//! ```
//!
//! Errors carry a 1-based line and column and a message such as
//! "line 3, column 9: unknown register 'ebz'". Syntax errors are reported before layout
//! errors (an undefined label, a value out of range).

mod build;
mod candidates;
mod diagnose;
mod encode;
mod error;
mod expr;
mod layout;
mod lexer;
mod matching;
mod operand;
mod operands;
mod parser;
mod regs;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use error::AsmError;

/// Where `.text` starts unless the program says `org`.
pub const TEXT_BASE: u32 = 0x0040_0000;

/// Which section a segment holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SegmentKind {
    /// Code (`section .text`); the default section.
    Text,
    /// Initialized data (`section .data`).
    Data,
    /// Zero-filled reserved space (`section .bss`).
    Bss,
}

/// A contiguous piece of the program image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Text, data or bss.
    pub kind: SegmentKind,
    /// Virtual address of the first byte.
    pub addr: u32,
    /// The initialized bytes (empty for bss).
    pub bytes: Vec<u8>,
    /// Total size in bytes, at least `bytes.len()`; the rest is zero.
    pub size: u32,
}

/// Where one emitted instruction or data item came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSpan {
    /// Address of its first byte.
    pub addr: u32,
    /// Length in bytes.
    pub len: u32,
    /// 1-based source line.
    pub line: u32,
}

/// An assembled program: segments in address order, entry point, symbols and a line map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// Text, then data and bss if present, in address order.
    pub segments: Vec<Segment>,
    /// The address of `_start` if defined, else the start of `.text`.
    pub entry: u32,
    /// Every label (locals as `global.local`) and `equ`, with its value.
    pub symbols: BTreeMap<String, u32>,
    /// For every emitted instruction or data item: address, length and source line.
    pub lines: Vec<LineSpan>,
}

impl Program {
    /// The source line of the instruction or data item covering `addr`.
    pub fn line_of(&self, addr: u32) -> Option<u32> {
        self.lines
            .iter()
            .find(|s| addr >= s.addr && (addr - s.addr) < s.len)
            .map(|s| s.line)
    }

    /// The address of the first byte emitted by source line `line`.
    pub fn addr_of_line(&self, line: u32) -> Option<u32> {
        self.lines.iter().find(|s| s.line == line).map(|s| s.addr)
    }

    /// The segment of kind `kind`, if the program has one.
    pub fn segment(&self, kind: SegmentKind) -> Option<&Segment> {
        self.segments.iter().find(|s| s.kind == kind)
    }
}

/// Assembles `source`; on failure returns the first error (by line).
///
/// # Errors
/// Any syntax, operand, range or symbol error, with its line and column.
pub fn assemble(source: &str) -> Result<Program, AsmError> {
    assemble_all_errors(source).map_err(|errors| {
        errors
            .into_iter()
            .min_by_key(|e| (e.line, e.column))
            .unwrap_or_else(|| AsmError::new(1, 1, "assembly failed"))
    })
}

/// Assembles `source`; on failure returns every error found, in line order.
///
/// # Errors
/// All syntax errors, or (when the syntax is fine) all encoding and symbol errors.
pub fn assemble_all_errors(source: &str) -> Result<Program, Vec<AsmError>> {
    let parsed = parser::parse(source)?;
    layout::link(&parsed).map_err(|mut errors| {
        errors.sort_by_key(|e| (e.line, e.column));
        errors
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_map_lookups() {
        let p = assemble("_start:\n nop\n mov eax, 1\nsection .data\n dd 7").unwrap();
        assert_eq!(p.line_of(TEXT_BASE), Some(2));
        assert_eq!(p.line_of(TEXT_BASE + 5), Some(3));
        assert_eq!(p.line_of(TEXT_BASE + 6), None);
        assert_eq!(p.addr_of_line(3), Some(TEXT_BASE + 1));
        assert_eq!(p.addr_of_line(5), Some(TEXT_BASE + 0x1000));
        assert_eq!(p.segment(SegmentKind::Data).map(|s| s.size), Some(4));
        assert!(p.segment(SegmentKind::Bss).is_none());
    }

    #[test]
    fn first_error_wins() {
        let e = assemble("nop\nmov al, 300\nmvo").unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (3, "unknown instruction 'mvo'")
        );
        let e = assemble("mov al, 300\njmp nowhere").unwrap_err();
        assert_eq!(e.line, 1);
    }
}
