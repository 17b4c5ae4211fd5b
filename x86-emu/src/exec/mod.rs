//! Instruction execution: fetch through the MMU once per block, decode (cached per physical
//! page as straight-line blocks), and a flat `match` on the mnemonic dispatching to one
//! function per instruction family.
//!
//! Clean restart: every handler performs all its fallible memory accesses before it changes
//! a register or a flag, and multi-byte stores translate every page before writing a byte.

mod alu;
mod bits;
mod control;
mod data;
pub(crate) mod fast;
mod muldiv;
pub(crate) mod operand;
mod shift;
mod stack;
mod string;

use crate::code_cache;
use crate::exception::{Exception, Vector};
use crate::machine::{Machine, Stop};
use crate::mem::OrFault;
use crate::mmu::Access;
use iced_x86::{
    Code, Decoder, DecoderError, DecoderOptions, FlowControl, Instruction, Mnemonic, OpKind,
    Register,
};

pub(crate) use alu::Alu;

/// #UD.
pub(crate) fn ud() -> Exception {
    Exception::new(Vector::InvalidOpcode)
}

impl Machine {
    /// Execute up to `max` (at least 1) instructions of the block at EIP. Breakpoints are
    /// checked before every instruction but the first when `check_bp`. Returns the stop, if
    /// any; `self.retired` counts what retired.
    #[inline(always)]
    pub(crate) fn exec_block(&mut self, max: u64, check_bp: bool) -> Option<Stop> {
        let eip = self.eip;
        let frame = match self.frame_of(eip, Access::Execute) {
            Ok(f) => f,
            Err(e) => return Some(self.fault(e)),
        };
        let (pfn, off) = (frame >> 12, eip & 0xfff);
        let b = match self.code.lookup(pfn, off) {
            Some(b) => b,
            None => match self.build_block(eip, frame) {
                Ok(Some(b)) => b,
                Ok(None) => return self.exec_crossing(eip, frame),
                Err(e) => return Some(self.fault(e)),
            },
        };
        let block = self.code.take(pfn, b);
        let gen = self.code.gen;
        let n = (block.ops.len() as u64).min(max.max(1)) as usize;
        let mut out = None;
        let mut retired = 0;
        // Only the last instruction of a block can transfer control (or yield, for REP), so
        // the loop need not compare EIPs; it leaves early on a stop or a write to code.
        let (ops, instrs) = (&block.ops[..n], &block.instrs[..n.min(block.instrs.len())]);
        for (k, (op, i)) in ops.iter().zip(instrs).enumerate() {
            if k > 0 && check_bp && self.breakpoints_contain(self.eip) {
                break;
            }
            self.next_eip = self.eip.wrapping_add(op.len as u32);
            match self.exec_op(*op, i) {
                Ok(()) => {
                    self.eip = self.next_eip;
                    retired += 1;
                    if self.pending.is_some() | (self.code.gen != gen) {
                        out = self.pending.take();
                        break;
                    }
                }
                Err(e) => {
                    out = Some(self.fault(e));
                    break;
                }
            }
        }
        self.add_retired(retired);
        self.code.put_back(pfn, b, block, gen);
        out
    }

    /// Decode the block at `eip` (in `frame`) and cache it; `None` if the first instruction
    /// runs into the next page (it is then executed alone, uncached).
    #[inline(never)]
    fn build_block(&mut self, eip: u32, frame: u32) -> OrFault<Option<u16>> {
        let off = eip & 0xfff;
        let start = (frame | off) as usize;
        let end = (frame + 4096) as usize;
        let mut block = code_cache::Block::default();
        {
            let bytes = &self.ram.as_bytes()[start..end];
            let mut d = Decoder::with_ip(32, bytes, off as u64, DecoderOptions::NONE);
            let mut i = Instruction::default();
            while d.can_decode() && block.ops.len() < code_cache::MAX_BLOCK {
                d.decode_out(&mut i);
                if i.code() == Code::INVALID {
                    if block.ops.is_empty() {
                        if d.last_error() == DecoderError::NoMoreBytes {
                            return Ok(None);
                        }
                        return Err(ud());
                    }
                    break; // the bad bytes start a block of their own and raise #UD there
                }
                block.ops.push(fast::classify(&i));
                block.instrs.push(i);
                if i.flow_control() != FlowControl::Next
                    || i.has_rep_prefix()
                    || i.has_repne_prefix()
                {
                    break;
                }
            }
        }
        Ok(self.code.insert(frame >> 12, off, block))
    }

    /// Execute one instruction that starts at `eip` and ends on the next page (not cached).
    #[inline(never)]
    fn exec_crossing(&mut self, eip: u32, frame: u32) -> Option<Stop> {
        let off = eip & 0xfff;
        let start = (frame | off) as usize;
        let end = (frame + 4096) as usize;
        let next = (eip | 0xfff).wrapping_add(1);
        let frame2 = match self.frame_of(next, Access::Execute) {
            Ok(f) => f,
            Err(e) => return Some(self.fault(e)),
        };
        let mut buf = self.ram.as_bytes()[start..end].to_vec();
        buf.extend_from_slice(&self.ram.as_bytes()[frame2 as usize..frame2 as usize + 15]);
        let mut d = Decoder::with_ip(32, &buf, off as u64, DecoderOptions::NONE);
        let mut i = Instruction::default();
        d.decode_out(&mut i);
        if i.code() == Code::INVALID {
            return Some(self.fault(ud()));
        }
        self.next_eip = eip.wrapping_add(i.len() as u32);
        match self.exec(&i) {
            Ok(()) => {
                self.eip = self.next_eip;
                self.retire();
                self.pending.take()
            }
            Err(e) => Some(self.fault(e)),
        }
    }

    /// Execute one decoded instruction: hot 32-bit register forms first, then by mnemonic.
    #[inline(always)]
    fn exec(&mut self, i: &Instruction) -> OrFault<()> {
        use Code as C;
        let regs = i.op0_kind() == OpKind::Register && i.op1_kind() == OpKind::Register;
        let reg0 = i.op0_kind() == OpKind::Register;
        match i.code() {
            C::Add_rm32_r32 | C::Add_r32_rm32 if regs => self.alu_rr(i, Alu::Add),
            C::Sub_rm32_r32 | C::Sub_r32_rm32 if regs => self.alu_rr(i, Alu::Sub),
            C::And_rm32_r32 | C::And_r32_rm32 if regs => self.alu_rr(i, Alu::And),
            C::Or_rm32_r32 | C::Or_r32_rm32 if regs => self.alu_rr(i, Alu::Or),
            C::Xor_rm32_r32 | C::Xor_r32_rm32 if regs => self.alu_rr(i, Alu::Xor),
            C::Cmp_rm32_r32 | C::Cmp_r32_rm32 if regs => self.alu_rr(i, Alu::Cmp),
            C::Test_rm32_r32 if regs => self.alu_rr(i, Alu::Test),
            C::Add_rm32_imm8 if reg0 => self.alu_ri(i, Alu::Add, i.immediate8to32() as u32),
            C::Add_rm32_imm32 | C::Add_EAX_imm32 if reg0 => {
                self.alu_ri(i, Alu::Add, i.immediate32())
            }
            C::Sub_rm32_imm8 if reg0 => self.alu_ri(i, Alu::Sub, i.immediate8to32() as u32),
            C::Sub_rm32_imm32 | C::Sub_EAX_imm32 if reg0 => {
                self.alu_ri(i, Alu::Sub, i.immediate32())
            }
            C::And_rm32_imm8 if reg0 => self.alu_ri(i, Alu::And, i.immediate8to32() as u32),
            C::And_rm32_imm32 | C::And_EAX_imm32 if reg0 => {
                self.alu_ri(i, Alu::And, i.immediate32())
            }
            C::Or_rm32_imm8 if reg0 => self.alu_ri(i, Alu::Or, i.immediate8to32() as u32),
            C::Or_rm32_imm32 | C::Or_EAX_imm32 if reg0 => self.alu_ri(i, Alu::Or, i.immediate32()),
            C::Xor_rm32_imm8 if reg0 => self.alu_ri(i, Alu::Xor, i.immediate8to32() as u32),
            C::Xor_rm32_imm32 | C::Xor_EAX_imm32 if reg0 => {
                self.alu_ri(i, Alu::Xor, i.immediate32())
            }
            C::Cmp_rm32_imm8 if reg0 => self.alu_ri(i, Alu::Cmp, i.immediate8to32() as u32),
            C::Cmp_rm32_imm32 | C::Cmp_EAX_imm32 if reg0 => {
                self.alu_ri(i, Alu::Cmp, i.immediate32())
            }
            C::Test_rm32_imm32 | C::Test_EAX_imm32 if reg0 => {
                self.alu_ri(i, Alu::Test, i.immediate32())
            }
            C::Inc_r32 => {
                let d = r32(i.op0_register());
                let a = self.regs[d];
                let res = a.wrapping_add(1);
                self.regs[d] = res;
                self.flags.set(crate::flags::FlagOp::Inc, 4, res, a, 1);
                Ok(())
            }
            C::Dec_r32 => {
                let d = r32(i.op0_register());
                let a = self.regs[d];
                let res = a.wrapping_sub(1);
                self.regs[d] = res;
                self.flags.set(crate::flags::FlagOp::Dec, 4, res, a, 1);
                Ok(())
            }
            C::Shl_rm32_1 | C::Shl_rm32_imm8 if reg0 => self.shl_r32(i),
            C::Mov_r32_imm32 => {
                self.regs[r32(i.op0_register())] = i.immediate32();
                Ok(())
            }
            C::Mov_r32_rm32 | C::Mov_rm32_r32 if regs => {
                self.regs[r32(i.op0_register())] = self.regs[r32(i.op1_register())];
                Ok(())
            }
            C::Mov_r32_rm32 => {
                let v = self.rd(self.ea(i), 4)?;
                self.regs[r32(i.op0_register())] = v;
                Ok(())
            }
            C::Mov_rm32_r32 => self.wr(self.ea(i), 4, self.regs[r32(i.op1_register())]),
            C::Jne_rel8_32 | C::Jne_rel32_32 => {
                if !self.flags.zf() {
                    self.next_eip = self.branch_target(i);
                }
                Ok(())
            }
            C::Je_rel8_32 | C::Je_rel32_32 => {
                if self.flags.zf() {
                    self.next_eip = self.branch_target(i);
                }
                Ok(())
            }
            C::Jmp_rel8_32 | C::Jmp_rel32_32 => {
                self.next_eip = self.branch_target(i);
                Ok(())
            }
            _ => self.exec_general(i),
        }
    }

    /// Execute any supported instruction, dispatching on its mnemonic.
    #[inline(never)]
    fn exec_general(&mut self, i: &Instruction) -> OrFault<()> {
        use Mnemonic as M;
        match i.mnemonic() {
            M::Add => self.alu(i, Alu::Add),
            M::Or => self.alu(i, Alu::Or),
            M::Adc => self.alu(i, Alu::Adc),
            M::Sbb => self.alu(i, Alu::Sbb),
            M::And => self.alu(i, Alu::And),
            M::Sub => self.alu(i, Alu::Sub),
            M::Xor => self.alu(i, Alu::Xor),
            M::Cmp => self.alu(i, Alu::Cmp),
            M::Test => self.alu(i, Alu::Test),
            M::Inc => self.inc_dec(i, true),
            M::Dec => self.inc_dec(i, false),
            M::Neg => self.neg(i),
            M::Not => self.not(i),
            M::Mov => self.mov(i),
            M::Movzx => self.movx(i, false),
            M::Movsx => self.movx(i, true),
            M::Lea => self.lea(i),
            M::Xchg => self.xchg(i),
            M::Cmpxchg => self.cmpxchg(i),
            M::Cmpxchg8b => self.cmpxchg8b(i),
            M::Xadd => self.xadd(i),
            M::Cbw | M::Cwde | M::Cwd | M::Cdq => {
                self.convert(i.mnemonic());
                Ok(())
            }
            M::Bswap => self.bswap(i),
            M::Jmp
                if i.op0_kind() == OpKind::FarBranch16 || i.op0_kind() == OpKind::FarBranch32 =>
            {
                Err(Exception::gp0())
            }
            M::Jmp => self.jmp(i),
            M::Call if matches!(i.op0_kind(), OpKind::FarBranch16 | OpKind::FarBranch32) => {
                Err(Exception::gp0())
            }
            M::Call => self.call(i),
            M::Ret => self.ret(i),
            M::Jo
            | M::Jno
            | M::Jb
            | M::Jae
            | M::Je
            | M::Jne
            | M::Jbe
            | M::Ja
            | M::Js
            | M::Jns
            | M::Jp
            | M::Jnp
            | M::Jl
            | M::Jge
            | M::Jle
            | M::Jg => {
                if self.flags.cond(i.condition_code() as u8 - 1) {
                    self.next_eip = self.branch_target(i);
                }
                Ok(())
            }
            M::Jecxz | M::Jcxz | M::Loop | M::Loope | M::Loopne => self.loop_jump(i),
            M::Seto
            | M::Setno
            | M::Setb
            | M::Setae
            | M::Sete
            | M::Setne
            | M::Setbe
            | M::Seta
            | M::Sets
            | M::Setns
            | M::Setp
            | M::Setnp
            | M::Setl
            | M::Setge
            | M::Setle
            | M::Setg => {
                let v = self.flags.cond(i.condition_code() as u8 - 1) as u32;
                self.write_op(i, 0, 1, v)
            }
            M::Cmovo
            | M::Cmovno
            | M::Cmovb
            | M::Cmovae
            | M::Cmove
            | M::Cmovne
            | M::Cmovbe
            | M::Cmova
            | M::Cmovs
            | M::Cmovns
            | M::Cmovp
            | M::Cmovnp
            | M::Cmovl
            | M::Cmovge
            | M::Cmovle
            | M::Cmovg => self.cmov(i),
            M::Push => self.push_op(i),
            M::Pop => self.pop_op(i),
            M::Pushad | M::Pusha => self.pusha(i.mnemonic() == M::Pushad),
            M::Popad | M::Popa => self.popa(i.mnemonic() == M::Popad),
            M::Pushfd | M::Pushf => self.pushf(i.mnemonic() == M::Pushfd),
            M::Popfd | M::Popf => self.popf(i.mnemonic() == M::Popfd),
            M::Enter => self.enter(i),
            M::Leave => self.leave(i),
            M::Shl | M::Sal | M::Shr | M::Sar | M::Rol | M::Ror | M::Rcl | M::Rcr => self.shift(i),
            M::Shld | M::Shrd => self.shift_double(i),
            M::Mul => self.mul(i),
            M::Imul => self.imul(i),
            M::Div => self.div(i, false),
            M::Idiv => self.div(i, true),
            M::Bt | M::Bts | M::Btr | M::Btc => self.bit_test(i),
            M::Bsf | M::Bsr => self.bit_scan(i),
            M::Movsb
            | M::Movsw
            | M::Stosb
            | M::Stosw
            | M::Stosd
            | M::Lodsb
            | M::Lodsw
            | M::Lodsd
            | M::Cmpsb
            | M::Cmpsw
            | M::Scasb
            | M::Scasw
            | M::Scasd => self.string(i),
            M::Movsd if i.code() == Code::Movsd_m32_m32 => self.string(i),
            M::Cmpsd if i.code() == Code::Cmpsd_m32_m32 => self.string(i),
            M::Clc | M::Stc | M::Cmc | M::Cld | M::Std => {
                self.flag_op(i.mnemonic());
                Ok(())
            }
            M::Lahf => {
                self.lahf();
                Ok(())
            }
            M::Sahf => {
                self.sahf();
                Ok(())
            }
            M::Nop | M::Pause => Ok(()),
            M::Int => {
                self.pending = Some(crate::Stop::Interrupt(i.immediate8()));
                Ok(())
            }
            M::Int3 => {
                self.pending = Some(crate::Stop::Exception(Exception::new(Vector::Breakpoint)));
                Ok(())
            }
            M::Into => {
                if self.flags.of() {
                    self.pending = Some(crate::Stop::Exception(Exception::new(Vector::Overflow)));
                }
                Ok(())
            }
            M::Ud0 | M::Ud1 | M::Ud2 => Err(ud()),
            m if privileged(m) => Err(Exception::gp0()),
            _ => Err(ud()),
        }
    }
}

/// Index into `regs` of a 32-bit general register.
#[inline(always)]
fn r32(r: Register) -> usize {
    (r as usize).wrapping_sub(Register::EAX as usize) & 7
}

/// Instructions that need CPL 0 (or IOPL 3) and raise #GP(0) in user mode.
fn privileged(m: Mnemonic) -> bool {
    use Mnemonic as M;
    matches!(
        m,
        M::Hlt
            | M::Cli
            | M::Sti
            | M::In
            | M::Out
            | M::Insb
            | M::Insw
            | M::Insd
            | M::Outsb
            | M::Outsw
            | M::Outsd
            | M::Lgdt
            | M::Lidt
            | M::Lldt
            | M::Ltr
            | M::Lmsw
            | M::Clts
            | M::Invlpg
            | M::Invd
            | M::Wbinvd
            | M::Rdmsr
            | M::Wrmsr
            | M::Iret
            | M::Iretd
            | M::Retf
            | M::Lds
            | M::Les
            | M::Lfs
            | M::Lgs
            | M::Lss
            | M::Sysenter
            | M::Sysexit
            | M::Syscall
            | M::Sysret
            | M::Swapgs
            | M::Rdpmc
    )
}

/// Whether `r` is not a general register (segment, control, debug...).
pub(crate) fn special_reg(r: Register) -> bool {
    operand::reg_size(r) == 0
}
