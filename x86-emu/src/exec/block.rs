//! The block loop: fetch through the TLB once per block, find (or decode and cache) the block
//! at EIP, and run its predecoded ops, block after block; plus the uncached path for an
//! instruction that runs into the next page.

use super::fast::{self, Fast, Op};
use super::ud;
use crate::code_cache::{self, Block};
use crate::machine::{Machine, Stop};
use crate::mem::OrFault;
use crate::mmu::Access;
use iced_x86::{Code, Decoder, DecoderError, DecoderOptions, FlowControl, Instruction};
use std::rc::Rc;

impl Machine {
    /// Execute blocks from EIP, one after another, until `max` (at least 1) instructions
    /// have retired or something stops. With `check_bp`, only one block runs, and
    /// breakpoints are checked before each of its instructions but the first (that one is
    /// checked by [`Machine::run`]). Returns the stop, if any; `self.retired` counts what
    /// retired.
    ///
    /// Each block is fetched exactly as one call per block would fetch it: one TLB lookup
    /// (counted as a hit or a miss), then the decode cache; so the TLB's counters and
    /// contents are the same as if [`Machine::run`] went round once per block. Only the
    /// work is saved: a block that jumps back to its own start runs again without the cache
    /// lookup while its page still translates to the same frame and nothing was dropped from
    /// the cache, and one made of register forms only [spins](Self::spin).
    #[inline(always)]
    pub(crate) fn exec_blocks(&mut self, max: u64, check_bp: bool) -> Option<Stop> {
        let mut left = max.max(1);
        loop {
            let eip = self.eip;
            let frame = match self.frame_of(eip, Access::Execute) {
                Ok(f) => f,
                Err(e) => return Some(self.fault(e)),
            };
            let block = match self.fetch_block(eip, frame) {
                Ok(b) => b,
                Err(stop) => return stop,
            };
            let len = block.ops.len() as u64;
            if block.spins && len <= left && !check_bp {
                left = self.spin(&block, eip, left);
                if left == 0 {
                    return None;
                }
                continue;
            }
            loop {
                let gen = self.code.gen;
                let mut n = len.min(left) as usize;
                if check_bp {
                    n = self.ops_before_breakpoint(eip, &block.ops[..n]);
                }
                match self.exec_ops(eip, &block.ops[..n], &block.instrs) {
                    Ok(k) => left -= k as u64,
                    Err(stop) => return Some(stop),
                }
                if left == 0 || check_bp {
                    return None;
                }
                // Back at its own start: fetching it again hits in the TLB with the same
                // frame (counted here, as the fetch would) and finds the same block, unless
                // its ops' data accesses evicted the entry or a store dropped decoded code.
                let again = self.eip == eip && self.code.gen == gen;
                if !(again && self.tlb.hit_again(eip >> 12, frame)) {
                    break;
                }
            }
        }
    }

    /// Run `block`, the block at `eip`, which [spins](Block::spins) and was just fetched,
    /// in whole rounds while its last op jumps back to its start and `left` instructions
    /// allow a whole round; returns what is left of `left` (a part round, if any, is left to
    /// [`Self::exec_blocks`], which fetches the block again as usual).
    ///
    /// Every round after the first is a fetch of the same block from the same page, which
    /// the TLB answers with the same frame: the fetch that just went through the TLB left
    /// the page's entry in it, and register forms never touch the TLB (nor write memory,
    /// so the decode cache still holds this block). So each round counts one TLB hit and
    /// looks nothing up, exactly as separate fetches would count.
    #[inline(never)]
    fn spin(&mut self, block: &Block, eip: u32, left: u64) -> u64 {
        let page = eip & !0xfff;
        let len = block.ops.len() as u64;
        let max_rounds = left / len.max(1);
        let mut rounds = 0;
        loop {
            for (op, i) in block.ops.iter().zip(&block.instrs) {
                if let Err(e) = self.exec_op(op, i, page) {
                    unreachable!("spin: {e:?} from the register form {:?}", op.kind);
                }
            }
            rounds += 1;
            if self.next_eip != eip || rounds == max_rounds {
                break;
            }
        }
        self.tlb.count_hits(rounds - 1);
        self.retired_block(rounds * len);
        self.eip = self.next_eip;
        left - rounds * len
    }

    /// The block starting at `eip`, in `frame`: cached, or decoded now and cached. `Err` ends
    /// the run of blocks with its stop, if any: a fault, or the execution of an instruction
    /// that runs into the next page (alone, uncached).
    #[inline(never)]
    fn fetch_block(&mut self, eip: u32, frame: u32) -> Result<Rc<Block>, Option<Stop>> {
        let found = match self.code.lookup(frame | (eip & 0xfff)) {
            Some(b) => Ok(Some(b)),
            None => self.build_block(eip, frame),
        };
        match found {
            Ok(Some(b)) => Ok(b),
            Ok(None) => Err(self.exec_crossing(eip, frame)),
            Err(e) => Err(Some(self.fault(e))),
        }
    }

    /// Run `ops` (with their decodings `instrs`), the block at `eip`, counting what retires;
    /// returns how many retired (all, unless a store dropped decoded code), or the stop. Only
    /// the last op of a block can transfer control (or yield, for REP), so EIP is only
    /// worked out when the loop ends, which is early only on a stop or a write to code.
    #[inline(always)]
    fn exec_ops(&mut self, eip: u32, ops: &[Op], instrs: &[Instruction]) -> Result<usize, Stop> {
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
            self.eip = self.eip_after(last, page);
        }
        self.retired_block(k as u64);
        match stop {
            Some(stop) => Err(stop),
            None => Ok(k),
        }
    }

    /// EIP after `op`, on the page at linear address `page`, has executed.
    #[inline(always)]
    fn eip_after(&self, op: &Op, page: u32) -> u32 {
        if op.kind.sets_next_eip() {
            self.next_eip
        } else {
            op.next_eip(page)
        }
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
        block.spins = spins(&block.ops, off);
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
        self.exec_ops(eip, &[fast::classify(&i)], &[i]).err()
    }
}

/// Whether a block of `ops` starting at page offset `start` [spins](Block::spins).
fn spins(ops: &[Op], start: u32) -> bool {
    let Some((last, body)) = ops.split_last() else {
        return false;
    };
    let jumps_back = matches!(last.kind, Fast::Jne | Fast::Je | Fast::Jmp) && last.imm == start;
    jumps_back && body.iter().all(|op| !op.kind.may_stop())
}

#[cfg(test)]
mod tests {
    use crate::testutil::{asm, machine, DATA};
    use crate::{Machine, Run, Stop, Tlb};
    use iced_x86::code_asm::*;

    /// `mov esi, 10 / work: dec esi / jnz work`, then INT 0x80: the `work` block spins.
    fn delay_loop() -> Machine {
        let code = asm(|a| {
            let mut work = a.create_label();
            a.mov(esi, 10u32)?;
            a.set_label(&mut work)?;
            a.dec(esi)?;
            a.jnz(work)
        });
        machine(&code).0
    }

    /// `mov ecx, 5 / top: mov eax, [DATA] / add [DATA+4], eax / dec ecx / jnz top`: a block
    /// that jumps back to itself but touches memory, so it does not spin.
    fn data_loop() -> Machine {
        let code = asm(|a| {
            let mut top = a.create_label();
            a.mov(ecx, 5u32)?;
            a.set_label(&mut top)?;
            a.mov(eax, dword_ptr(DATA))?;
            a.add(dword_ptr(DATA + 4), eax)?;
            a.dec(ecx)?;
            a.jnz(top)
        });
        machine(&code).0
    }

    /// Run to the trailing INT 0x80 in runs of at most `chunk` instructions; returns the
    /// instructions retired and the TLB's (hits, misses).
    fn run_in_chunks(m: &mut Machine, chunk: u64) -> (u64, (u64, u64)) {
        loop {
            match m.run(chunk).stop {
                Stop::Budget => {}
                Stop::Interrupt(0x80) => break,
                other => panic!("run_in_chunks: {other:?}"),
            }
        }
        (m.retired(), (m.tlb().hits(), m.tlb().misses()))
    }

    #[test]
    fn a_spinning_block_counts_one_tlb_hit_per_round() {
        let mut m = delay_loop();
        let r = m.run(1000);
        assert_eq!(
            r,
            Run {
                stop: Stop::Interrupt(0x80),
                retired: 22
            }
        );
        assert_eq!(m.cpu().esi(), 0);
        // One fetch per block: the first (a miss), 9 rounds of `work`, the INT block.
        assert_eq!((m.tlb().hits(), m.tlb().misses()), (10, 1));
    }

    #[test]
    fn budgets_cut_rounds_as_one_run_per_block_would() {
        // (chunk, TLB hits, TLB misses), as the block loop counted them before it chained
        // blocks: every run starts with a fetch, and a budget that ends inside a round runs
        // part of the block, which the next run fetches again.
        let expected = [
            (1, 21, 1),
            (2, 20, 1),
            (3, 13, 1),
            (4, 15, 1),
            (5, 12, 1),
            (7, 11, 1),
        ];
        for (chunk, hits, misses) in expected {
            let mut m = delay_loop();
            assert_eq!(
                run_in_chunks(&mut m, chunk),
                (22, (hits, misses)),
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn a_loop_through_memory_is_fetched_through_the_tlb_every_round() {
        // The counts of the block loop before it chained blocks.
        let mut m = data_loop();
        assert_eq!(run_in_chunks(&mut m, 1000), (22, (18, 3)));
        let mut m = data_loop();
        assert_eq!(run_in_chunks(&mut m, 3), (22, (23, 3)));
        // With a one-entry TLB every data access evicts the code page's entry, so every
        // fetch of the loop misses again.
        let mut m = data_loop();
        m.set_tlb(Tlb::new(1));
        assert_eq!(run_in_chunks(&mut m, 1000), (22, (9, 12)));
        let mut m = data_loop();
        m.set_tlb(Tlb::new(1));
        assert_eq!(run_in_chunks(&mut m, 3), (22, (10, 16)));
    }
}
