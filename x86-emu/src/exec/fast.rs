//! Predecoded fast forms: when a block is built, each instruction that is one of the hot
//! 32-bit forms gets a compact [`Op`] (registers, immediate, branch target and memory operand
//! resolved), so the block loop dispatches on a small dense enum instead of re-reading iced's
//! operand fields. Everything else is [`Fast::General`] and runs through the mnemonic
//! dispatcher. The forms that touch memory run in [`super::fast_mem`].

use super::alu::Alu;
use crate::flags::FlagOp;
use crate::machine::Machine;
use crate::mem::OrFault;
use iced_x86::{Code, Instruction, Mnemonic, OpKind, Register};

/// The hot instruction forms with operands resolved at decode time. The forms that touch
/// memory or run the general path come last: only they can fault, ask for a stop or write
/// code (see [`Fast::may_stop`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fast {
    /// NOP (any form).
    Nop,
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
    /// SHL r32, count (imm holds the masked count).
    Shl,
    /// JNE to the page-relative target in imm.
    Jne,
    /// JE to the page-relative target in imm.
    Je,
    /// JMP to the page-relative target in imm.
    Jmp,
    /// MOV r32, [base + index << scale + imm] (32-bit addressing).
    Load,
    /// MOV [base + index << scale + imm], r32 (32-bit addressing).
    Store,
    /// `alu dword [mem], imm` (ADD SUB AND OR XOR CMP TEST; immediate in `val`).
    AluMi,
    /// `alu dword [mem], r32` (register `d`).
    AluMr,
    /// `alu r32, dword [mem]` (register `d`).
    AluRm,
    /// INC dword [mem].
    IncM,
    /// DEC dword [mem].
    DecM,
    /// MOV dword [mem], imm32 (in `val`).
    StoreImm,
    /// MOVZX r32, byte or word [mem] (size in `val`).
    Movzx,
    /// MOVSX r32, byte or word [mem] (size in `val`).
    Movsx,
    /// PUSH r32 (register `d`).
    Push,
    /// PUSH imm (sign-extended to 32 bits, in imm).
    PushImm,
    /// POP r32 (register `d`).
    Pop,
    /// CALL to the page-relative target in imm.
    Call,
    /// RET (near, no immediate).
    Ret,
    /// Anything else: use the decoded instruction.
    General,
}

impl Fast {
    /// Whether the form can fault, set a pending stop or write to code, so the block loop
    /// must look at the machine after it: every form that touches memory, and the general
    /// path.
    #[inline(always)]
    pub fn may_stop(self) -> bool {
        !matches!(
            self,
            Fast::Nop
                | Fast::AddRr
                | Fast::SubRr
                | Fast::AndRr
                | Fast::OrRr
                | Fast::XorRr
                | Fast::CmpRr
                | Fast::TestRr
                | Fast::AddRi
                | Fast::SubRi
                | Fast::AndRi
                | Fast::OrRi
                | Fast::XorRi
                | Fast::CmpRi
                | Fast::TestRi
                | Fast::Inc
                | Fast::Dec
                | Fast::MovRi
                | Fast::MovRr
                | Fast::Shl
                | Fast::Jne
                | Fast::Je
                | Fast::Jmp
        )
    }

    /// Whether the form leaves the EIP of the next instruction in `Machine::next_eip`
    /// (branches, CALL, RET and the general path); the others fall through to [`Op::end`].
    #[inline(always)]
    pub fn sets_next_eip(self) -> bool {
        matches!(
            self,
            Fast::Jne | Fast::Je | Fast::Jmp | Fast::Call | Fast::Ret | Fast::General
        )
    }
}

/// Register index meaning "no register" in a memory operand.
pub(super) const NO_REG: u8 = 8;

/// One predecoded instruction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Op {
    /// The form.
    pub kind: Fast,
    /// Destination register index (or source for stores).
    pub d: u8,
    /// Source register index, or the base register of a memory operand ([`NO_REG`]: none).
    pub s: u8,
    /// Length in bytes.
    pub len: u8,
    /// Offset of the next instruction from the start of the page (up to 4096, or beyond
    /// for an instruction that runs into the next page).
    pub end: u16,
    /// Immediate, count, page-relative branch target or memory displacement.
    pub imm: u32,
    /// Index register of a memory operand ([`NO_REG`]: none).
    pub index: u8,
    /// Scale of the index as a shift (0..=3).
    pub shift: u8,
    /// The immediate of a form that also has a memory operand (whose displacement is in
    /// `imm`), or the source size of MOVZX / MOVSX.
    pub val: u32,
    /// The operation of the ALU forms with a memory operand. A field rather than a payload
    /// of [`Fast`], which must stay a plain byte for the dispatch.
    pub alu: Alu,
}

fn r32(r: Register) -> u8 {
    super::r32(r) as u8
}

fn is_r32(i: &Instruction, n: u32) -> bool {
    i.op_kind(n) == OpKind::Register && super::operand::reg_size(i.op_register(n)) == 4
}

fn is_mem(i: &Instruction, n: u32) -> bool {
    i.op_kind(n) == OpKind::Memory
}

/// A base or index register of a 32-bit memory operand, or `None` if it is not one.
fn addr_reg(r: Register) -> Option<u8> {
    match r {
        Register::None => Some(NO_REG),
        r if super::operand::reg_size(r) == 4 => Some(r32(r)),
        _ => None,
    }
}

/// Resolve the memory operand of `i` into `op` if it uses 32-bit addressing.
fn resolve_memory(i: &Instruction, op: &mut Op) -> bool {
    let (Some(base), Some(index)) = (addr_reg(i.memory_base()), addr_reg(i.memory_index())) else {
        return false;
    };
    if i.memory_displ_size() == 2 {
        return false; // 16-bit addressing wraps at 64 KiB: the general path handles it
    }
    op.s = base;
    op.index = index;
    op.shift = i.memory_index_scale().trailing_zeros() as u8;
    op.imm = i.memory_displacement32();
    true
}

/// The fast form of `i` (decoded with IP = its offset in the page), or [`Fast::General`].
pub(crate) fn classify(i: &Instruction) -> Op {
    use Code as C;
    let mut op = Op {
        kind: Fast::General,
        d: 0,
        s: 0,
        len: i.len() as u8,
        end: i.next_ip() as u16,
        imm: 0,
        index: NO_REG,
        shift: 0,
        val: 0,
        alu: Alu::Add,
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
            } else if i.op1_kind() == OpKind::Memory && resolve_memory(i, &mut op) {
                op.kind = Fast::AluRm;
                op.alu = a;
            }
        }
        c if alu(c).is_some() && is_mem(i, 0) && resolve_memory(i, &mut op) => {
            op.alu = alu(c).unwrap_or(Alu::Add);
            if is_r32(i, 1) {
                op.kind = Fast::AluMr;
                op.d = r32(i.op1_register());
            } else {
                op.kind = Fast::AluMi;
                op.val = i.try_immediate(1).unwrap_or(0) as u32;
            }
        }
        C::Inc_rm32 if is_mem(i, 0) && resolve_memory(i, &mut op) => op.kind = Fast::IncM,
        C::Dec_rm32 if is_mem(i, 0) && resolve_memory(i, &mut op) => op.kind = Fast::DecM,
        C::Mov_rm32_imm32 if is_mem(i, 0) && resolve_memory(i, &mut op) => {
            op.kind = Fast::StoreImm;
            op.val = i.immediate32();
        }
        C::Movzx_r32_rm8 | C::Movzx_r32_rm16 | C::Movsx_r32_rm8 | C::Movsx_r32_rm16
            if is_mem(i, 1) && resolve_memory(i, &mut op) =>
        {
            op.kind = match i.mnemonic() {
                Mnemonic::Movsx => Fast::Movsx,
                _ => Fast::Movzx,
            };
            op.val = i.memory_size().size() as u32;
            op.d = r32(i.op0_register());
        }
        C::Push_r32 => {
            op.kind = Fast::Push;
            op.d = r32(i.op0_register());
        }
        C::Pushd_imm8 | C::Pushd_imm32 => {
            op.kind = Fast::PushImm;
            op.imm = i.try_immediate(0).unwrap_or(0) as u32;
        }
        C::Pop_r32 => {
            op.kind = Fast::Pop;
            op.d = r32(i.op0_register());
        }
        C::Call_rel32_32 => {
            op.kind = Fast::Call;
            op.imm = i.near_branch32();
        }
        C::Retnd => op.kind = Fast::Ret,
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
        C::Mov_r32_rm32 if r0 && resolve_memory(i, &mut op) => {
            op.kind = Fast::Load;
            op.d = r32(i.op0_register());
        }
        C::Mov_rm32_r32 if is_r32(i, 1) && resolve_memory(i, &mut op) => {
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
        _ if i.mnemonic() == Mnemonic::Nop => op.kind = Fast::Nop,
        _ => {}
    }
    op
}

impl Op {
    /// Linear address of the instruction, on the page at linear address `page`.
    #[inline(always)]
    pub fn eip(&self, page: u32) -> u32 {
        page.wrapping_add(self.end as u32 - self.len as u32)
    }

    /// Linear address of the instruction after it.
    #[inline(always)]
    pub fn next_eip(&self, page: u32) -> u32 {
        page.wrapping_add(self.end as u32)
    }
}

impl Machine {
    /// Execute a predecoded instruction lying on the page at linear address `page` (`i` is
    /// its full decoding, for the general path). Branches and the general path leave the
    /// next EIP in `self.next_eip` (see [`Fast::sets_next_eip`]); `self.eip` is only brought
    /// up to date for the general path, and on a fault the caller sets it.
    #[inline(always)]
    pub(crate) fn exec_op(&mut self, op: &Op, i: &Instruction, page: u32) -> OrFault<()> {
        // Fields are read in the arms that use them, so that the dispatch loads only `kind`.
        let d = || op.d as usize & 7;
        let s = || op.s as usize & 7;
        let target = || page.wrapping_add(op.imm);
        match op.kind {
            Fast::Nop => {}
            Fast::AddRr => self.alu_fast(Alu::Add, d(), self.regs[s()]),
            Fast::SubRr => self.alu_fast(Alu::Sub, d(), self.regs[s()]),
            Fast::AndRr => self.alu_fast(Alu::And, d(), self.regs[s()]),
            Fast::OrRr => self.alu_fast(Alu::Or, d(), self.regs[s()]),
            Fast::XorRr => self.alu_fast(Alu::Xor, d(), self.regs[s()]),
            Fast::CmpRr => self.alu_fast(Alu::Cmp, d(), self.regs[s()]),
            Fast::TestRr => self.alu_fast(Alu::Test, d(), self.regs[s()]),
            Fast::AddRi => self.alu_fast(Alu::Add, d(), op.imm),
            Fast::SubRi => self.alu_fast(Alu::Sub, d(), op.imm),
            Fast::AndRi => self.alu_fast(Alu::And, d(), op.imm),
            Fast::OrRi => self.alu_fast(Alu::Or, d(), op.imm),
            Fast::XorRi => self.alu_fast(Alu::Xor, d(), op.imm),
            Fast::CmpRi => self.alu_fast(Alu::Cmp, d(), op.imm),
            Fast::TestRi => self.alu_fast(Alu::Test, d(), op.imm),
            Fast::Inc => self.inc_dec_fast(d(), true),
            Fast::Dec => self.inc_dec_fast(d(), false),
            Fast::MovRi => self.regs[d()] = op.imm,
            Fast::MovRr => self.regs[d()] = self.regs[s()],
            Fast::Shl => self.shl_fast(d(), op.imm),
            Fast::Jne if !self.flags.zf() => self.next_eip = target(),
            Fast::Je if self.flags.zf() => self.next_eip = target(),
            Fast::Jne | Fast::Je => self.next_eip = op.next_eip(page),
            Fast::Jmp => self.next_eip = target(),
            Fast::Load => self.load_fast(op)?,
            Fast::Store => self.store_fast(op)?,
            Fast::AluMi => self.alu_mem(op, op.val)?,
            Fast::AluMr => self.alu_mem(op, self.regs[d()])?,
            Fast::AluRm => self.alu_from_mem(op)?,
            Fast::IncM => self.inc_dec_mem(op, true)?,
            Fast::DecM => self.inc_dec_mem(op, false)?,
            Fast::StoreImm => self.store_imm(op)?,
            Fast::Movzx => self.load_ext(op, false)?,
            Fast::Movsx => self.load_ext(op, true)?,
            Fast::Push => self.push_fast(self.regs[d()])?,
            Fast::PushImm => self.push_fast(op.imm)?,
            Fast::Pop => self.pop_fast(op)?,
            Fast::Call => self.call_fast(op.next_eip(page), target())?,
            Fast::Ret => self.ret_fast()?,
            Fast::General => {
                self.eip = op.eip(page);
                self.next_eip = op.next_eip(page);
                self.exec_general(i)?;
            }
        }
        Ok(())
    }

    /// SHL r32, `c` (already masked to 0..=31; a count of 0 changes nothing).
    #[inline(always)]
    fn shl_fast(&mut self, d: usize, c: u32) {
        if c != 0 {
            let a = self.regs[d];
            let res = a << c;
            self.regs[d] = res;
            self.flags.set(FlagOp::Shl, 4, res, a, c);
        }
    }

    /// INC / DEC r32.
    #[inline(always)]
    fn inc_dec_fast(&mut self, d: usize, inc: bool) {
        let a = self.regs[d];
        let (res, fop) = super::alu::inc_dec(a, inc, 4);
        self.regs[d] = res;
        self.flags.set(fop, 4, res, a, 1);
    }

    /// `op r32, b` for the fast forms.
    #[inline(always)]
    fn alu_fast(&mut self, op: Alu, d: usize, b: u32) {
        let a = self.regs[d];
        let (res, fop) = op.apply(a, b, false); // never ADC or SBB: no carry in
        if op.writes() {
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
        assert_eq!(op(&[0x66, 0x01, 0x18]).kind, Fast::General); // add [eax], bx
        assert_eq!(op(&[0x00, 0x18]).kind, Fast::General); // add [eax], bl
        assert_eq!(op(&[0x75, 0x02]).imm, 0x14); // jne: page-relative target
        assert_eq!(op(&[0x15, 1, 0, 0, 0]).kind, Fast::General); // adc eax, 1
        assert_eq!(op(&[0x90]).kind, Fast::Nop);
        let load = op(&[0x8b, 0x44, 0x8e, 0x10]); // mov eax, [esi+ecx*4+0x10]
        assert_eq!(load.kind, Fast::Load);
        assert_eq!((load.s, load.index, load.shift, load.imm), (6, 1, 2, 0x10));
        let store = op(&[0x89, 0x1d, 0x78, 0x56, 0x34, 0x12]); // mov [0x12345678], ebx
        assert_eq!(store.kind, Fast::Store);
        assert_eq!((store.d, store.s, store.index), (3, NO_REG, NO_REG));
        assert_eq!(op(&[0x67, 0x8b, 0x07]).kind, Fast::General); // mov eax, [bx]
    }

    #[test]
    fn classifies_memory_forms() {
        let add = op(&[0x01, 0x18]); // add [eax], ebx
        assert_eq!(
            (add.kind, add.alu, add.d, add.s),
            (Fast::AluMr, Alu::Add, 3, 0)
        );
        let cmp = op(&[0x83, 0x7f, 0x04, 0xff]); // cmp dword [edi+4], -1
        assert_eq!((cmp.kind, cmp.alu), (Fast::AluMi, Alu::Cmp));
        assert_eq!((cmp.s, cmp.imm, cmp.val), (7, 4, 0xffff_ffff));
        let sub = op(&[0x2b, 0x06]); // sub eax, [esi]
        assert_eq!((sub.kind, sub.alu), (Fast::AluRm, Alu::Sub));
        assert_eq!(op(&[0x13, 0x06]).kind, Fast::General); // adc eax, [esi]
        assert_eq!(op(&[0xff, 0x03]).kind, Fast::IncM); // inc dword [ebx]
        assert_eq!(op(&[0xff, 0x0b]).kind, Fast::DecM); // dec dword [ebx]
        assert_eq!(op(&[0xfe, 0x03]).kind, Fast::General); // inc byte [ebx]
        let st = op(&[0xc7, 0x00, 7, 0, 0, 0]); // mov dword [eax], 7
        assert_eq!((st.kind, st.val), (Fast::StoreImm, 7));
        let zx = op(&[0x0f, 0xb7, 0x0e]); // movzx ecx, word [esi]
        assert_eq!((zx.kind, zx.d, zx.val), (Fast::Movzx, 1, 2));
        let sx = op(&[0x0f, 0xbe, 0x0e]); // movsx ecx, byte [esi]
        assert_eq!((sx.kind, sx.val), (Fast::Movsx, 1));
        assert_eq!(op(&[0x0f, 0xb6, 0xc8]).kind, Fast::General); // movzx ecx, al
        assert_eq!((op(&[0x55]).kind, op(&[0x55]).d), (Fast::Push, 5)); // push ebp
        assert_eq!((op(&[0x5f]).kind, op(&[0x5f]).d), (Fast::Pop, 7)); // pop edi
        assert_eq!(
            (op(&[0x6a, 0xfe]).kind, op(&[0x6a, 0xfe]).imm),
            (Fast::PushImm, !1)
        );
        assert_eq!(op(&[0x66, 0x50]).kind, Fast::General); // push ax
        let call = op(&[0xe8, 0x10, 0, 0, 0]); // call +0x10
        assert_eq!((call.kind, call.imm), (Fast::Call, 0x25));
        assert_eq!(op(&[0xc3]).kind, Fast::Ret);
        assert_eq!(op(&[0xc2, 4, 0]).kind, Fast::General); // ret 4
        assert_eq!(op(&[0x67, 0x01, 0x07]).kind, Fast::General); // add [bx], eax
    }
}
