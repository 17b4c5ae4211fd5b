//! Predecoded fast forms: when a block is built, each instruction that is one of the hot
//! 32-bit register forms gets a compact [`Op`] (registers and immediate resolved), so the
//! block loop dispatches on a small dense enum instead of re-reading iced's operand fields.
//! Everything else is [`Fast::General`] and runs through the mnemonic dispatcher.

use super::alu::Alu;
use super::shift::szp;
use crate::cpu::eflags::*;
use crate::flags::FlagOp;
use crate::machine::Machine;
use crate::mem::OrFault;
use iced_x86::{Code, Instruction, OpKind, Register};

/// The hot instruction forms with operands resolved at decode time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fast {
    /// Anything else: use the decoded instruction.
    General,
    /// ADD r32, r32 (register `s`).
    AddRr,
    /// SUB r32, r32.
    SubRr,
    /// AND r32, r32.
    AndRr,
    /// OR r32, r32.
    OrRr,
    /// XOR r32, r32.
    XorRr,
    /// CMP r32, r32.
    CmpRr,
    /// TEST r32, r32.
    TestRr,
    /// ADD r32, imm.
    AddRi,
    /// SUB r32, imm.
    SubRi,
    /// AND r32, imm.
    AndRi,
    /// OR r32, imm.
    OrRi,
    /// XOR r32, imm.
    XorRi,
    /// CMP r32, imm.
    CmpRi,
    /// TEST r32, imm.
    TestRi,
    /// INC r32.
    Inc,
    /// DEC r32.
    Dec,
    /// MOV r32, imm32.
    MovRi,
    /// MOV r32, r32.
    MovRr,
    /// MOV r32, [mem].
    Load,
    /// MOV [mem], r32.
    Store,
    /// SHL r32, count (imm holds the masked count).
    Shl,
    /// JNE to the page-relative target in imm.
    Jne,
    /// JE to the page-relative target in imm.
    Je,
    /// JMP to the page-relative target in imm.
    Jmp,
}

/// One predecoded instruction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Op {
    /// The form.
    pub kind: Fast,
    /// Destination register index (or source for stores).
    pub d: u8,
    /// Source register index.
    pub s: u8,
    /// Length in bytes.
    pub len: u8,
    /// Immediate, count or page-relative branch target.
    pub imm: u32,
}

fn r32(r: Register) -> u8 {
    super::r32(r) as u8
}

fn is_r32(i: &Instruction, n: u32) -> bool {
    i.op_kind(n) == OpKind::Register && super::operand::reg_size(i.op_register(n)) == 4
}

/// The fast form of `i`, or [`Fast::General`].
pub(crate) fn classify(i: &Instruction) -> Op {
    use Code as C;
    let mut op = Op {
        kind: Fast::General,
        d: 0,
        s: 0,
        len: i.len() as u8,
        imm: 0,
    };
    let rr = is_r32(i, 0) && i.op_count() == 2 && is_r32(i, 1);
    let r0 = is_r32(i, 0);
    let alu = |c: Code| -> Option<Alu> {
        Some(match c {
            C::Add_rm32_r32
            | C::Add_r32_rm32
            | C::Add_rm32_imm8
            | C::Add_rm32_imm32
            | C::Add_EAX_imm32 => Alu::Add,
            C::Sub_rm32_r32
            | C::Sub_r32_rm32
            | C::Sub_rm32_imm8
            | C::Sub_rm32_imm32
            | C::Sub_EAX_imm32 => Alu::Sub,
            C::And_rm32_r32
            | C::And_r32_rm32
            | C::And_rm32_imm8
            | C::And_rm32_imm32
            | C::And_EAX_imm32 => Alu::And,
            C::Or_rm32_r32
            | C::Or_r32_rm32
            | C::Or_rm32_imm8
            | C::Or_rm32_imm32
            | C::Or_EAX_imm32 => Alu::Or,
            C::Xor_rm32_r32
            | C::Xor_r32_rm32
            | C::Xor_rm32_imm8
            | C::Xor_rm32_imm32
            | C::Xor_EAX_imm32 => Alu::Xor,
            C::Cmp_rm32_r32
            | C::Cmp_r32_rm32
            | C::Cmp_rm32_imm8
            | C::Cmp_rm32_imm32
            | C::Cmp_EAX_imm32 => Alu::Cmp,
            C::Test_rm32_r32 | C::Test_rm32_imm32 | C::Test_EAX_imm32 => Alu::Test,
            _ => return None,
        })
    };
    match i.code() {
        c if alu(c).is_some() && r0 => {
            let a = alu(c).unwrap_or(Alu::Add);
            op.d = r32(i.op0_register());
            // One flat variant per operation: a nested enum would cost a second jump table.
            let (rr_kind, ri_kind) = match a {
                Alu::Add => (Fast::AddRr, Fast::AddRi),
                Alu::Sub => (Fast::SubRr, Fast::SubRi),
                Alu::And => (Fast::AndRr, Fast::AndRi),
                Alu::Or => (Fast::OrRr, Fast::OrRi),
                Alu::Xor => (Fast::XorRr, Fast::XorRi),
                Alu::Cmp => (Fast::CmpRr, Fast::CmpRi),
                _ => (Fast::TestRr, Fast::TestRi),
            };
            if rr {
                op.kind = rr_kind;
                op.s = r32(i.op1_register());
            } else if matches!(i.op1_kind(), OpKind::Immediate8to32 | OpKind::Immediate32) {
                op.kind = ri_kind;
                op.imm = i.try_immediate(1).unwrap_or(0) as u32;
            }
        }
        C::Inc_r32 => {
            op.kind = Fast::Inc;
            op.d = r32(i.op0_register());
        }
        C::Dec_r32 => {
            op.kind = Fast::Dec;
            op.d = r32(i.op0_register());
        }
        C::Mov_r32_imm32 => {
            op.kind = Fast::MovRi;
            op.d = r32(i.op0_register());
            op.imm = i.immediate32();
        }
        C::Mov_r32_rm32 | C::Mov_rm32_r32 if rr => {
            op.kind = Fast::MovRr;
            op.d = r32(i.op0_register());
            op.s = r32(i.op1_register());
        }
        C::Mov_r32_rm32 if r0 => {
            op.kind = Fast::Load;
            op.d = r32(i.op0_register());
        }
        C::Mov_rm32_r32 if is_r32(i, 1) => {
            op.kind = Fast::Store;
            op.d = r32(i.op1_register());
        }
        C::Shl_rm32_1 | C::Shl_rm32_imm8 if r0 => {
            op.kind = Fast::Shl;
            op.d = r32(i.op0_register());
            op.imm = if i.op_count() > 1 {
                i.immediate8() as u32 & 31
            } else {
                1
            };
        }
        C::Jne_rel8_32 | C::Jne_rel32_32 => {
            op.kind = Fast::Jne;
            op.imm = i.near_branch32();
        }
        C::Je_rel8_32 | C::Je_rel32_32 => {
            op.kind = Fast::Je;
            op.imm = i.near_branch32();
        }
        C::Jmp_rel8_32 | C::Jmp_rel32_32 => {
            op.kind = Fast::Jmp;
            op.imm = i.near_branch32();
        }
        _ => {}
    }
    op
}

impl Machine {
    /// Execute a predecoded instruction (`i` is its full decoding, for the general path);
    /// `self.next_eip` holds the fall-through EIP and is updated by branches.
    #[inline(always)]
    pub(crate) fn exec_op(&mut self, op: Op, i: &Instruction) -> OrFault<()> {
        let d = op.d as usize & 7;
        let target = (self.eip & !0xfff).wrapping_add(op.imm);
        match op.kind {
            Fast::AddRr => self.alu_fast(Alu::Add, d, self.regs[op.s as usize & 7]),
            Fast::SubRr => self.alu_fast(Alu::Sub, d, self.regs[op.s as usize & 7]),
            Fast::AndRr => self.alu_fast(Alu::And, d, self.regs[op.s as usize & 7]),
            Fast::OrRr => self.alu_fast(Alu::Or, d, self.regs[op.s as usize & 7]),
            Fast::XorRr => self.alu_fast(Alu::Xor, d, self.regs[op.s as usize & 7]),
            Fast::CmpRr => self.alu_fast(Alu::Cmp, d, self.regs[op.s as usize & 7]),
            Fast::TestRr => self.alu_fast(Alu::Test, d, self.regs[op.s as usize & 7]),
            Fast::AddRi => self.alu_fast(Alu::Add, d, op.imm),
            Fast::SubRi => self.alu_fast(Alu::Sub, d, op.imm),
            Fast::AndRi => self.alu_fast(Alu::And, d, op.imm),
            Fast::OrRi => self.alu_fast(Alu::Or, d, op.imm),
            Fast::XorRi => self.alu_fast(Alu::Xor, d, op.imm),
            Fast::CmpRi => self.alu_fast(Alu::Cmp, d, op.imm),
            Fast::TestRi => self.alu_fast(Alu::Test, d, op.imm),
            Fast::Inc => {
                let a = self.regs[d];
                let res = a.wrapping_add(1);
                self.regs[d] = res;
                self.flags.set(FlagOp::Inc, 4, res, a, 1);
            }
            Fast::Dec => {
                let a = self.regs[d];
                let res = a.wrapping_sub(1);
                self.regs[d] = res;
                self.flags.set(FlagOp::Dec, 4, res, a, 1);
            }
            Fast::MovRi => self.regs[d] = op.imm,
            Fast::MovRr => self.regs[d] = self.regs[op.s as usize & 7],
            Fast::Load => {
                let v = self.rd(self.ea(i), 4)?;
                self.regs[d] = v;
            }
            Fast::Store => self.wr(self.ea(i), 4, self.regs[d])?,
            Fast::Shl => {
                let c = op.imm;
                if c != 0 {
                    let a = self.regs[d];
                    let res = a << c;
                    let mut f = szp(res, 4);
                    if (a >> (32 - c)) & 1 != 0 {
                        f |= CF;
                    }
                    if ((a >> 31) ^ (a >> 30)) & 1 != 0 {
                        f |= OF;
                    }
                    self.regs[d] = res;
                    self.flags.set_eager(ARITH, f);
                }
            }
            Fast::Jne => {
                if !self.flags.zf() {
                    self.next_eip = target;
                }
            }
            Fast::Je => {
                if self.flags.zf() {
                    self.next_eip = target;
                }
            }
            Fast::Jmp => self.next_eip = target,
            Fast::General => return self.exec_outlined(i),
        }
        Ok(())
    }

    /// The general path, kept out of line so the block loop stays small.
    #[inline(never)]
    fn exec_outlined(&mut self, i: &Instruction) -> OrFault<()> {
        self.exec(i)
    }

    /// `op r32, b` for the fast forms.
    #[inline(always)]
    fn alu_fast(&mut self, op: Alu, d: usize, b: u32) {
        let a = self.regs[d];
        let (res, fop) = match op {
            Alu::Add => (a.wrapping_add(b), FlagOp::Add),
            Alu::Sub | Alu::Cmp => (a.wrapping_sub(b), FlagOp::Sub),
            Alu::And | Alu::Test => (a & b, FlagOp::Logic),
            Alu::Or => (a | b, FlagOp::Logic),
            _ => (a ^ b, FlagOp::Logic),
        };
        if !matches!(op, Alu::Cmp | Alu::Test) {
            self.regs[d] = res;
        }
        self.flags.set(fop, 4, res, a, b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_x86::{Decoder, DecoderOptions};

    fn op(bytes: &[u8]) -> Op {
        let mut d = Decoder::with_ip(32, bytes, 0x10, DecoderOptions::NONE);
        classify(&d.decode())
    }

    #[test]
    fn classifies_hot_forms_only() {
        assert_eq!(op(&[0x01, 0xd8]).kind, Fast::AddRr); // add eax, ebx
        assert_eq!(op(&[0x01, 0xd8]).s, 3);
        assert_eq!(op(&[0x83, 0xe9, 0x03]).kind, Fast::SubRi); // sub ecx, 3
        assert_eq!(op(&[0x83, 0xe9, 0x03]).imm, 3);
        assert_eq!(op(&[0x66, 0x01, 0xd8]).kind, Fast::General); // add ax, bx
        assert_eq!(op(&[0x01, 0x18]).kind, Fast::General); // add [eax], ebx
        assert_eq!(op(&[0x75, 0x02]).imm, 0x14); // jne: page-relative target
        assert_eq!(op(&[0x15, 1, 0, 0, 0]).kind, Fast::General); // adc eax, 1
    }
}
