//! Encoding one instruction through iced-x86.
//!
//! There is no opcode table here: the candidates for a mnemonic are iced's own `Code`s
//! (legacy encoding, valid in 32-bit mode, with operand kinds this assembler can express).
//! The parsed operands are matched against each candidate's `OpCodeInfo` operand kinds, every
//! match is encoded, and the shortest encoding wins (ties go to iced's table order, which puts
//! `op r/m, reg` before `op reg, r/m`, as NASM does).

use std::collections::BTreeSet;

use iced_x86::{Code, Encoder, OpCodeOperandKind as K, OpKind};

use super::build::{apply_prefix, build, Reject};
use super::candidates::{canonical, index, user_kinds};
use super::diagnose::diagnose;
use super::error::{AsmError, AsmResult};
use super::expr::Env;
use super::matching::{shape_ok, sizes_ok};
use super::operand::{evaluate, Op, Val};
use super::parser::Instr;

/// The operand lists to try: as written, plus the swapped order for the symmetric `xchg`
/// and `test` (xchg swapped first, which is what NASM emits for `xchg reg, reg`).
fn operand_orders<'a>(name: &str, mut vals: Vec<Op<'a>>) -> Vec<Vec<Op<'a>>> {
    // `imul eax, 10` means `imul eax, eax, 10`.
    if name == "imul"
        && vals.len() == 2
        && matches!(vals[0].1, Val::Reg(_))
        && matches!(vals[1].1, Val::Imm(_))
    {
        vals.insert(1, vals[0].clone());
    }
    let mut orders = vec![vals.clone()];
    if vals.len() == 2 && matches!(name, "xchg" | "test") {
        let swapped = vec![vals[1].clone(), vals[0].clone()];
        if name == "xchg" {
            orders.insert(0, swapped);
        } else {
            orders.push(swapped);
        }
    }
    orders
}

/// Every (code, order) whose operand kinds fit the operands by shape and written sizes.
fn shapes(codes: &[Code], orders: &[Vec<Op<'_>>]) -> Vec<(Code, usize)> {
    let mut shaped = Vec::new();
    for (oi, ops) in orders.iter().enumerate() {
        for &code in codes {
            let kinds = user_kinds(code);
            if kinds.len() == ops.len()
                && kinds.iter().zip(ops).all(|(k, op)| shape_ok(*k, op))
                && sizes_ok(code, ops)
            {
                shaped.push((code, oi));
            }
        }
    }
    shaped
}

/// Drops candidates the programmer did not mean: sizes nobody wrote, and short forms when
/// layout pinned this statement to its long form.
///
/// # Errors
/// A memory operand whose size nothing determines.
fn narrow(
    shaped: &mut Vec<(Code, usize)>,
    name: &str,
    vals: &[Op<'_>],
    line: u32,
    force_long: bool,
) -> AsmResult<()> {
    let mem_size = |c: &Code| c.op_code().memory_size().size();
    let unsized_mem = vals
        .iter()
        .find(|o| matches!(o.1, Val::Mem(_)) && o.0.size.is_none());
    let hinted = vals
        .iter()
        .any(|o| matches!(o.1, Val::Imm(_)) && o.0.size.is_some());
    if let (Some(mem), false) = (unsized_mem, hinted) {
        let sizes: BTreeSet<usize> = shaped
            .iter()
            .map(|(c, _)| mem_size(c))
            .filter(|s| *s != 0)
            .collect();
        if sizes.len() > 1 {
            // NASM's default for `call [eax]` and `jmp [table+ecx*4]` in 32-bit code.
            if !matches!(name, "call" | "jmp") {
                return Err(AsmError::new(
                    line,
                    mem.0.col,
                    "operation size not specified; write byte, word or dword",
                ));
            }
            shaped.retain(|(c, _)| mem_size(c) == 4);
        }
    }
    // Only numbers (push 5, ret 4, enter 8, 0): the operation is 32-bit unless `word` says so.
    let sized = vals
        .iter()
        .any(|o| !matches!(o.1, Val::Imm(_)) || o.0.size.is_some());
    let wide = |c: &Code| c.op_code().operand_size() != 16;
    if !sized && shaped.iter().any(|(c, _)| wide(c)) {
        shaped.retain(|(c, _)| wide(c));
    }
    let rel8 = |c: &Code| c.op_code().op_kinds().contains(&K::br32_1);
    if force_long && shaped.iter().any(|(c, _)| !rel8(c)) {
        shaped.retain(|(c, _)| !rel8(c));
    }
    Ok(())
}

/// True if `code` has a sign-extended imm8 operand (NASM's choice on a length tie).
fn has_sex8(code: Code) -> bool {
    code.op_code()
        .op_kinds()
        .iter()
        .any(|k| matches!(k, K::imm8sex16 | K::imm8sex32))
}

/// Encodes `instr` at address `addr`. Unknown values (forward references) get placeholders;
/// `force_long` picks the long forms (rel32, imm32, disp32) so the size stops changing.
///
/// # Errors
/// Undefined symbols, operands that no form of the instruction accepts, values out of range.
pub(crate) fn encode(
    instr: &Instr,
    env: &dyn Env,
    addr: u32,
    force_long: bool,
) -> AsmResult<Vec<u8>> {
    let line = env.line();
    let name = canonical(&instr.mnemonic);
    let codes: &[Code] = index().get(&name).map_or(&[], |v| v.as_slice());
    let mut vals = Vec::with_capacity(instr.ops.len());
    for op in &instr.ops {
        vals.push((op, evaluate(op, env)?));
    }
    let orders = operand_orders(&name, vals.clone());
    let mut shaped = shapes(codes, &orders);
    if shaped.is_empty() {
        return Err(diagnose(instr, &name, codes, &vals, line));
    }
    narrow(&mut shaped, &name, &vals, line, force_long)?;
    let mut best: Option<(Vec<u8>, bool)> = None;
    let mut first_reject: Option<AsmError> = None;
    let mut branch_fail: Option<u32> = None;
    for (code, oi) in shaped {
        let ops = &orders[oi];
        let mut ins = match build(code, ops, addr, force_long) {
            Ok(i) => i,
            Err(Reject::Range(col, msg)) => {
                first_reject.get_or_insert(AsmError::new(line, col, msg));
                continue;
            }
            Err(Reject::Quiet) => continue,
        };
        if let Err(e) = apply_prefix(&mut ins, instr, ops, line) {
            first_reject.get_or_insert(e);
            continue;
        }
        let mut enc = Encoder::new(32);
        match enc.encode(&ins, addr as u64) {
            Ok(_) => {
                let bytes = enc.take_buffer();
                let sex8 = has_sex8(code);
                let better = best.as_ref().is_none_or(|(b, b_sex8)| {
                    bytes.len() < b.len() || (bytes.len() == b.len() && sex8 && !b_sex8)
                });
                if better {
                    best = Some((bytes, sex8));
                }
            }
            // A branch that iced cannot encode is a target out of rel8 (or rel32) range.
            Err(_) if ins.op_kind(0) == OpKind::NearBranch32 => {
                branch_fail.get_or_insert(ops.first().map_or(instr.col, |o| o.0.col));
            }
            Err(e) => {
                let msg = format!("cannot encode this instruction ({e})");
                first_reject.get_or_insert(AsmError::new(line, instr.col, msg));
            }
        }
    }
    if let Some((b, _)) = best {
        return Ok(b);
    }
    if let Some(col) = branch_fail {
        return Err(AsmError::new(line, col, "jump target out of range"));
    }
    Err(first_reject.unwrap_or_else(|| diagnose(instr, &name, codes, &vals, line)))
}
