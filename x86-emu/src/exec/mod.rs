//! Instruction execution: [`block`] fetches through the MMU once per block and runs the
//! decoded blocks (cached per physical page), [`fast`] the predecoded hot forms, and this
//! module's flat `match` on the mnemonic dispatches everything else to one function per
//! instruction family.
//!
//! Clean restart: every handler performs all its fallible memory accesses before it changes
//! a register or a flag, and multi-byte stores translate every page before writing a byte.

mod alu;
mod bits;
mod block;
mod control;
mod data;
pub(crate) mod fast;
mod fast_mem;
mod muldiv;
pub(crate) mod operand;
mod shift;
mod stack;
mod string;

use crate::exception::{Exception, Vector};
use crate::machine::Machine;
use crate::mem::OrFault;
use iced_x86::{Code, Instruction, Mnemonic, Register};

pub(crate) use alu::Alu;

/// #UD.
pub(crate) fn ud() -> Exception {
    Exception::new(Vector::InvalidOpcode)
}

impl Machine {
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
            M::Jmp | M::Call if i.is_jmp_far() || i.is_call_far() => Err(Exception::gp0()),
            M::Jmp | M::Call if i.is_jmp_far_indirect() || i.is_call_far_indirect() => {
                self.far_indirect(i)
            }
            M::Jmp => self.jmp(i),
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
