//! Why no form of an instruction accepts the operands, in words a student understands.

use std::collections::BTreeSet;

use iced_x86::Code;

use super::candidates::user_kinds;
use super::error::AsmError;
use super::operand::{Op, Val};
use super::parser::Instr;
use super::regs::{reg_size, size_name};

/// "no operands", "1 operand", "2 operands", "1 or 2 operands", "1, 2 or 3 operands".
pub(super) fn count_text(counts: &BTreeSet<usize>) -> String {
    let parts: Vec<String> = counts.iter().map(|n| n.to_string()).collect();
    let many = counts.iter().next_back().is_some_and(|&n| n != 1);
    let plural = if many { "s" } else { "" };
    match parts.as_slice() {
        [only] if only == "0" => "no operands".to_string(),
        [only] => format!("{only} operand{plural}"),
        [init @ .., last] => format!("{} or {last} operands", init.join(", ")),
        [] => "no operands".to_string(),
    }
}

pub(super) fn size_of(op: &Op<'_>) -> Option<u32> {
    match op.1 {
        Val::Reg(r) => Some(reg_size(r)),
        _ => op.0.size,
    }
}

pub(super) fn diagnose(
    instr: &Instr,
    name: &str,
    codes: &[Code],
    ops: &[Op<'_>],
    line: u32,
) -> AsmError {
    let counts: BTreeSet<usize> = codes.iter().map(|c| user_kinds(*c).len()).collect();
    let at = |col: u32, msg: String| AsmError::new(line, col, msg);
    if !counts.contains(&ops.len()) {
        let max = counts.iter().next_back().copied().unwrap_or(0);
        let col = ops.get(max).map_or(instr.col, |o| o.0.col);
        return at(
            col,
            format!(
                "this instruction takes {}, found {}",
                count_text(&counts),
                ops.len()
            ),
        );
    }
    let mems: Vec<&Op<'_>> = ops.iter().filter(|o| matches!(o.1, Val::Mem(_))).collect();
    if mems.len() > 1 {
        return at(
            mems[1].0.col,
            "an instruction can use at most one memory operand".into(),
        );
    }
    if !matches!(name, "movzx" | "movsx") && ops.len() >= 2 {
        if let (Some(a), Some(b)) = (size_of(&ops[0]), size_of(&ops[1])) {
            if a != b {
                return at(
                    ops[1].0.col,
                    format!(
                        "operand sizes do not match ({} and {})",
                        size_name(a),
                        size_name(b)
                    ),
                );
            }
        }
    }
    if ops.len() >= 2 && matches!(ops[0].1, Val::Imm(_)) {
        return at(
            ops[0].0.col,
            "the first operand cannot be a number; use a register or memory".into(),
        );
    }
    if let Some(op) = ops.iter().find(|o| o.0.jump.is_some()) {
        return at(op.0.col, "short and near only go with jump targets".into());
    }
    let col = ops.first().map_or(instr.col, |o| o.0.col);
    at(col, format!("invalid combination of operands for '{name}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operand_counts_read_naturally() {
        let set = |v: &[usize]| v.iter().copied().collect::<BTreeSet<usize>>();
        assert_eq!(count_text(&set(&[0])), "no operands");
        assert_eq!(count_text(&set(&[1])), "1 operand");
        assert_eq!(count_text(&set(&[2])), "2 operands");
        assert_eq!(count_text(&set(&[1, 2, 3])), "1, 2 or 3 operands");
        assert_eq!(count_text(&set(&[0, 1])), "0 or 1 operands");
    }
}
