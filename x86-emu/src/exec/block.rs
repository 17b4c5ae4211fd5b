//! The block loop: fetch through the TLB once per block, find (or decode and cache) the block
//! at EIP, and run its predecoded ops; plus the uncached path for an instruction that runs
//! into the next page.

use super::fast::{self, Op};
use super::ud;
use crate::code_cache::{self, Block};
use crate::machine::{Machine, Stop};
use crate::mem::OrFault;
use crate::mmu::Access;
use iced_x86::{Code, Decoder, DecoderError, DecoderOptions, FlowControl, Instruction};
use std::rc::Rc;

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
        let block = match self.code.lookup(frame | (eip & 0xfff)) {
            Some(b) => b,
            None => match self.build_block(eip, frame) {
                Ok(Some(b)) => b,
                Ok(None) => return self.exec_crossing(eip, frame),
                Err(e) => return Some(self.fault(e)),
            },
        };
        let mut n = (block.ops.len() as u64).min(max.max(1)) as usize;
        if check_bp {
            n = self.ops_before_breakpoint(eip, &block.ops[..n]);
        }
        self.exec_ops(eip, &block.ops[..n], &block.instrs[..n])
    }

    /// Run `ops` (with their decodings `instrs`), the block at `eip`, counting what retires;
    /// returns the stop, if any. Only the last op of a block can transfer control (or
    /// yield, for REP), so EIP is only worked out when the loop ends, which is early only on
    /// a stop or a write to code.
    #[inline(always)]
    fn exec_ops(&mut self, eip: u32, ops: &[Op], instrs: &[Instruction]) -> Option<Stop> {
        let gen = self.code.gen;
        let page = eip & !0xfff;
        let instrs = &instrs[..ops.len()];
        let mut k = 0;
        let stop = loop {
            let Some(op) = ops.get(k) else { break None };
            let kind = op.kind;
            match self.exec_op(op, &instrs[k], page) {
                Ok(()) => {
                    k += 1;
                    if kind.may_stop() && (self.pending.is_some() | (self.code.gen != gen)) {
                        break self.pending.take();
                    }
                }
                Err(e) => {
                    self.eip = op.eip(page);
                    break Some(self.fault(e));
                }
            }
        };
        if let Some(last) = k.checked_sub(1).and_then(|j| ops.get(j)) {
            self.eip = if last.kind.sets_next_eip() {
                self.next_eip
            } else {
                last.next_eip(page)
            };
        }
        self.retired_block(k as u64);
        stop
    }

    /// How many of `ops`, the block at `eip`, run before the first breakpoint that lies after
    /// its first instruction (that one is checked by [`Machine::run`]).
    #[inline(never)]
    fn ops_before_breakpoint(&self, eip: u32, ops: &[Op]) -> usize {
        let page = eip & !0xfff;
        ops.iter()
            .skip(1)
            .position(|op| self.breakpoints_contain(op.eip(page)))
            .map_or(ops.len(), |k| k + 1)
    }

    /// Decode the block at `eip` (in `frame`) and cache it; `None` if the first instruction
    /// runs into the next page (it is then executed alone, uncached).
    #[inline(never)]
    fn build_block(&mut self, eip: u32, frame: u32) -> OrFault<Option<Rc<Block>>> {
        let off = eip & 0xfff;
        let start = (frame | off) as usize;
        let end = (frame + 4096) as usize;
        let mut block = Block::default();
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
        self.exec_ops(eip, &[fast::classify(&i)], &[i])
    }
}
