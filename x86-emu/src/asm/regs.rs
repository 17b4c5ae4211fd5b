//! The general-purpose registers a workload can name, and their sizes.

use iced_x86::Register;

const REGS: [(&str, Register); 24] = [
    ("al", Register::AL),
    ("cl", Register::CL),
    ("dl", Register::DL),
    ("bl", Register::BL),
    ("ah", Register::AH),
    ("ch", Register::CH),
    ("dh", Register::DH),
    ("bh", Register::BH),
    ("ax", Register::AX),
    ("cx", Register::CX),
    ("dx", Register::DX),
    ("bx", Register::BX),
    ("sp", Register::SP),
    ("bp", Register::BP),
    ("si", Register::SI),
    ("di", Register::DI),
    ("eax", Register::EAX),
    ("ecx", Register::ECX),
    ("edx", Register::EDX),
    ("ebx", Register::EBX),
    ("esp", Register::ESP),
    ("ebp", Register::EBP),
    ("esi", Register::ESI),
    ("edi", Register::EDI),
];

/// The register named `name` (any case), if it is an 8-, 16- or 32-bit general register.
pub(crate) fn parse_register(name: &str) -> Option<Register> {
    let lower = name.to_ascii_lowercase();
    REGS.iter().find(|(n, _)| *n == lower).map(|(_, r)| *r)
}

/// The size in bytes of a general register.
pub(crate) fn reg_size(r: Register) -> u32 {
    if r.is_gpr8() {
        1
    } else if r.is_gpr16() {
        2
    } else {
        4
    }
}

/// True if `name` looks like a mistyped register (`ebz`, `exa`): same length, one letter off.
pub(crate) fn looks_like_register(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if !(2..=3).contains(&lower.len()) {
        return false;
    }
    REGS.iter().any(|(n, _)| {
        n.len() == lower.len() && n.bytes().zip(lower.bytes()).filter(|(a, b)| a != b).count() == 1
    }) && (lower.len() == 3 && lower.starts_with('e') || lower.ends_with(['x', 'l', 'h']))
}

/// "byte", "word" or "dword" for a size in bytes.
pub(crate) fn size_name(bytes: u32) -> &'static str {
    match bytes {
        1 => "byte",
        2 => "word",
        4 => "dword",
        8 => "qword",
        _ => "unsized",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_any_case() {
        assert_eq!(parse_register("EAX"), Some(Register::EAX));
        assert_eq!(parse_register("bh"), Some(Register::BH));
        assert_eq!(parse_register("rax"), None);
        assert_eq!(reg_size(Register::SI), 2);
    }

    #[test]
    fn typo_detection() {
        assert!(looks_like_register("ebz"));
        assert!(looks_like_register("EXX"));
        assert!(!looks_like_register("foo"));
        assert!(!looks_like_register("counter"));
    }
}
