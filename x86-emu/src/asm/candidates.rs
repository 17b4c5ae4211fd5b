//! Which iced-x86 `Code`s can encode a mnemonic: no opcode table of our own, only iced's,
//! filtered to legacy encodings valid in 32-bit mode with operand kinds we can write.

use std::collections::HashMap;
use std::sync::OnceLock;

use iced_x86::{Code, EncodingKind, MemorySize, OpCodeOperandKind as K};

/// Candidate codes per lower-case mnemonic.
pub(super) fn index() -> &'static HashMap<String, Vec<Code>> {
    static INDEX: OnceLock<HashMap<String, Vec<Code>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map: HashMap<String, Vec<Code>> = HashMap::new();
        for code in Code::values() {
            let info = code.op_code();
            let usable = info.is_instruction()
                && info.encoding() == EncodingKind::Legacy
                && info.mode32()
                // Codes behind a decoder option are obsolete encodings (cmpxchg486, ...).
                && info.decoder_option() == 0
                && !matches!(info.address_size(), 16 | 64)
                && info.operand_size() != 64
                && !matches!(info.memory_size(), MemorySize::SegPtr16 | MemorySize::SegPtr32 | MemorySize::SegPtr64)
                && info.op_kinds().iter().all(|k| supported(*k));
            if usable {
                let name = format!("{:?}", code.mnemonic()).to_ascii_lowercase();
                map.entry(name).or_default().push(code);
            }
        }
        map
    })
}

pub(super) fn supported(k: K) -> bool {
    matches!(
        k,
        K::r8_or_mem
            | K::r16_or_mem
            | K::r32_or_mem
            | K::mem
            | K::mem_offs
            | K::r8_reg
            | K::r8_opcode
            | K::r16_reg
            | K::r16_rm
            | K::r16_opcode
            | K::r32_reg
            | K::r32_rm
            | K::r32_opcode
            | K::al
            | K::cl
            | K::ax
            | K::dx
            | K::eax
            | K::imm8
            | K::imm8_const_1
            | K::imm8sex16
            | K::imm8sex32
            | K::imm16
            | K::imm32
            | K::seg_rSI
            | K::es_rDI
            | K::br32_1
            | K::br32_4
    )
}

/// Kinds the programmer does not write (`movsb` names no operands).
pub(super) fn implicit(k: K) -> bool {
    matches!(k, K::seg_rSI | K::es_rDI)
}

/// The operand kinds the programmer writes: none at all for string instructions
/// (`stosb`, not `stos byte [edi], al`).
pub(super) fn user_kinds(code: Code) -> Vec<K> {
    let kinds = code.op_code().op_kinds();
    if kinds.iter().any(|k| implicit(*k)) {
        Vec::new()
    } else {
        kinds.to_vec()
    }
}

/// NASM spellings that iced names differently.
pub(super) fn canonical(lower: &str) -> String {
    let fixed = match lower {
        "sal" => "shl",
        "pusha" => "pushad",
        "popa" => "popad",
        "pushf" => "pushfd",
        "popf" => "popfd",
        "loopz" => "loope",
        "loopnz" => "loopne",
        "iret" => "iretd",
        "xlat" => "xlatb",
        other => other,
    };
    for prefix in ["cmov", "set", "j"] {
        if let Some(cc) = fixed.strip_prefix(prefix) {
            let alias = match cc {
                "z" => "e",
                "nz" => "ne",
                "c" | "nae" => "b",
                "nc" | "nb" => "ae",
                "na" => "be",
                "nbe" => "a",
                "pe" => "p",
                "po" => "np",
                "nge" => "l",
                "nl" => "ge",
                "ng" => "le",
                "nle" => "g",
                _ => continue,
            };
            return format!("{prefix}{alias}");
        }
    }
    fixed.to_string()
}

/// True if `lower` names an instruction this assembler can encode.
pub(crate) fn is_mnemonic(lower: &str) -> bool {
    index().contains_key(&canonical(&lower.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_map_to_iced_names() {
        assert_eq!(canonical("jz"), "je");
        assert_eq!(canonical("setnae"), "setb");
        assert_eq!(canonical("cmovnle"), "cmovg");
        assert_eq!(canonical("jmp"), "jmp");
        assert_eq!(canonical("sal"), "shl");
        assert!(is_mnemonic("MOV"));
        assert!(is_mnemonic("jnbe"));
        assert!(is_mnemonic("movsd"));
        assert!(!is_mnemonic("mvo"));
        assert!(!is_mnemonic("movaps"));
    }
}
