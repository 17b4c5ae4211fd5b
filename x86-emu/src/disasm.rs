//! The disassembler: bytes to Intel-syntax text through iced-x86, one line per instruction.
//!
//! The text uses the assembler's own syntax (lower case, `0x` hex, `dword ptr`), so every
//! line re-assembles to the same bytes at the same address.

use iced_x86::{
    Code, Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, Mnemonic,
    OpCodeOperandKind, OpKind,
};
use serde::{Deserialize, Serialize};

/// One disassembled instruction: where, which bytes, and its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisasmLine {
    /// Address of the first byte.
    pub addr: u32,
    /// The instruction's bytes (one byte for "(bad)").
    pub bytes: Vec<u8>,
    /// Intel syntax, e.g. "mov eax, dword ptr [ebx+0x4]", or "(bad)".
    pub text: String,
}

fn formatter() -> IntelFormatter {
    let mut f = IntelFormatter::new();
    let o = f.options_mut();
    o.set_hex_prefix("0x");
    o.set_hex_suffix("");
    o.set_uppercase_hex(false);
    o.set_space_after_operand_separator(true);
    o.set_branch_leading_zeros(false);
    o.set_leading_zeros(false);
    o.set_signed_immediate_operands(true);
    f
}

fn line(
    f: &mut IntelFormatter,
    ins: &Instruction,
    code: &[u8],
    offset: usize,
    addr: u32,
) -> DisasmLine {
    if ins.code() == Code::INVALID {
        return DisasmLine {
            addr,
            bytes: code[offset..offset + 1].to_vec(),
            text: "(bad)".to_string(),
        };
    }
    let mut text = String::new();
    let string_op = (0..ins.op_count())
        .any(|i| matches!(ins.op_kind(i), OpKind::MemoryESEDI | OpKind::MemorySegESI));
    if string_op {
        // `rep movsb`, not `rep movsb [edi], [esi]`: the operands are implied.
        f.format_mnemonic(ins, &mut text);
    } else {
        f.format(ins, &mut text);
    }
    // A rel32 jump whose target is near enough for rel8 says `near`, so it re-assembles
    // to the same five (or six) bytes.
    let rel32 = ins
        .code()
        .op_code()
        .op_kinds()
        .contains(&OpCodeOperandKind::br32_4);
    if rel32 && ins.mnemonic() != Mnemonic::Call {
        if let Some((m, target)) = text.split_once(' ') {
            text = format!("{m} near {target}");
        }
    }
    // `push strict dword 5`: a push imm32 whose value would fit the short form keeps its size.
    let small = (-128..=127).contains(&(ins.immediate32() as i32));
    if ins.code() == Code::Pushd_imm32 && small {
        text = text.replacen("push ", "push strict dword ", 1);
    }
    // iced shows an operand-size prefix it cannot express as `data16`; the assembler reads
    // the NASM way of saying it (`push word 5`).
    if let Some(rest) = text.strip_prefix("data16 ") {
        text = match rest.split_once(' ') {
            Some((m, ops)) => format!("{m} word {ops}"),
            None => rest.to_string(),
        };
    }
    DisasmLine {
        addr,
        bytes: code[offset..offset + ins.len()].to_vec(),
        text,
    }
}

/// Disassembles up to `max` instructions from `code`, whose first byte is at `addr`.
/// Bytes that do not decode become a "(bad)" line of one byte, and decoding goes on after it.
pub fn disassemble(code: &[u8], addr: u32, max: usize) -> Vec<DisasmLine> {
    let mut f = formatter();
    let mut out = Vec::new();
    let mut offset = 0usize;
    while offset < code.len() && out.len() < max {
        let here = addr.wrapping_add(offset as u32);
        let mut d = Decoder::with_ip(32, &code[offset..], here as u64, DecoderOptions::NONE);
        let ins = d.decode();
        let l = line(&mut f, &ins, code, offset, here);
        offset += l.bytes.len();
        out.push(l);
    }
    out
}

/// Disassembles the one instruction at the start of `code` (at address `addr`);
/// `None` if `code` is empty.
pub fn disassemble_one(code: &[u8], addr: u32) -> Option<DisasmLine> {
    disassemble(code, addr, 1).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_assembler_reads() {
        let lines = disassemble(&[0xB8, 1, 0, 0, 0, 0x8B, 0x43, 0x04, 0xC3], 0x40_0000, 10);
        let text: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(text, vec!["mov eax, 1", "mov eax, [ebx+4]", "ret"]);
        assert_eq!(lines[1].addr, 0x40_0005);
        assert_eq!(lines[1].bytes, vec![0x8B, 0x43, 0x04]);
    }

    #[test]
    fn bad_bytes_take_one_byte_each() {
        let lines = disassemble(&[0x0F, 0x0B, 0xFF, 0xFF, 0x90], 0x1000, 10);
        assert_eq!(lines.last().map(|l| l.text.as_str()), Some("nop"));
        assert!(lines
            .iter()
            .any(|l| l.text == "(bad)" && l.bytes.len() == 1));
    }

    #[test]
    fn truncated_instruction_is_bad_and_max_is_respected() {
        assert_eq!(
            disassemble_one(&[0xB8, 1], 0).map(|l| l.text),
            Some("(bad)".to_string())
        );
        assert_eq!(disassemble(&[0x90; 8], 0, 3).len(), 3);
        assert!(disassemble_one(&[], 0).is_none());
    }
}
