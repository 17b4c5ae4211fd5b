//! The decode cache: straight-line blocks of instructions decoded once per physical page and
//! reused until a write to that page (through `Machine::write_phys`, a guest store or an A/D
//! update) drops the page.
//!
//! Instructions are decoded with IP = their offset in the page, so one decoded page serves
//! every virtual address it is mapped at; branch targets are rebased on the linear page base.
//! A block ends at a control transfer, a REP string instruction, the end of the page or
//! [`MAX_BLOCK`] instructions. Every drop bumps a generation counter so a block that is
//! running when its page is written stops after the writing instruction.

use crate::exec::fast::Op;
use iced_x86::Instruction;
use std::rc::Rc;

/// Most instructions in one block.
pub(crate) const MAX_BLOCK: usize = 64;

/// A straight-line run of decoded instructions and their predecoded fast forms.
#[derive(Default)]
pub(crate) struct Block {
    /// Fast forms, one per instruction.
    pub ops: Vec<Op>,
    /// The full decodings (for the general path), one per instruction.
    pub instrs: Vec<Instruction>,
    /// Every op is a register form (none can fault, stop or touch memory) and the last one
    /// is a jump back to the block's own start, taken or not: a tight loop such as
    /// `work: dec esi / jnz work`. See `Machine::spin`.
    pub spins: bool,
}

/// Decoded blocks of one physical page, indexed by the byte offset they start at.
struct CodePage {
    /// `slot[offset]` is 0 (nothing starts here) or 1 + an index into `blocks`.
    slot: Box<[u16; 4096]>,
    blocks: Vec<Rc<Block>>,
}

/// Per-frame decoded blocks. Not part of snapshots: it is rebuilt on demand.
///
/// Blocks are shared (`Rc`) so that the one running survives the invalidation of its page
/// by one of its own stores; the run loop notices through [`CodeCache::gen`].
#[derive(Default)]
pub(crate) struct CodeCache {
    pages: Vec<Option<Box<CodePage>>>,
    /// The block found last and the physical address it starts at: a loop finds it again
    /// without walking `pages`. Cleared whenever a page is dropped.
    last: Option<(u32, Rc<Block>)>,
    /// Bumped whenever a page's blocks are dropped.
    pub gen: u64,
}

impl CodeCache {
    /// A cache for RAM of `frames` frames.
    pub fn new(frames: u32) -> CodeCache {
        let mut pages = Vec::new();
        pages.resize_with(frames as usize, || None);
        CodeCache {
            pages,
            last: None,
            gen: 0,
        }
    }

    /// The block starting at physical address `pa`, if cached.
    #[inline(always)]
    pub fn lookup(&mut self, pa: u32) -> Option<Rc<Block>> {
        match &self.last {
            Some((at, block)) if *at == pa => Some(Rc::clone(block)),
            _ => self.find(pa),
        }
    }

    /// [`Self::lookup`] through `pages`, remembering what it finds.
    #[inline(never)]
    fn find(&mut self, pa: u32) -> Option<Rc<Block>> {
        let page = self.pages.get((pa >> 12) as usize)?.as_deref()?;
        let k = page.slot[pa as usize & 0xfff];
        let block = page.blocks.get((k as usize).wrapping_sub(1))?;
        self.last = Some((pa, Rc::clone(block)));
        Some(Rc::clone(block))
    }

    /// Whether frame `pfn` holds decoded code (a write to it must call [`Self::invalidate`]).
    #[inline(always)]
    pub fn holds(&self, pfn: u32) -> bool {
        matches!(self.pages.get(pfn as usize), Some(Some(_)))
    }

    /// Remember a non-empty block lying wholly inside frame `pfn`, starting at `offset`;
    /// `None` if `pfn` lies outside RAM.
    pub fn insert(&mut self, pfn: u32, offset: u32, block: Block) -> Option<Rc<Block>> {
        let entry = self.pages.get_mut(pfn as usize)?;
        let page = entry.get_or_insert_with(|| {
            Box::new(CodePage {
                slot: Box::new([0; 4096]),
                blocks: Vec::new(),
            })
        });
        // At most one block per start offset, so the count fits the u16 slots.
        let block = Rc::new(block);
        page.blocks.push(Rc::clone(&block));
        page.slot[offset as usize & 0xfff] = page.blocks.len() as u16;
        Some(block)
    }

    /// Forget everything decoded in frame `pfn`. Inline, as the common case, a frame with
    /// no code (page tables, data), is a single check.
    #[inline(always)]
    pub fn invalidate(&mut self, pfn: u32) {
        if self.holds(pfn) {
            self.drop_page(pfn);
        }
    }

    /// [`Self::invalidate`] of a frame that holds code.
    #[inline(never)]
    fn drop_page(&mut self, pfn: u32) {
        if let Some(e) = self.pages.get_mut(pfn as usize) {
            if e.take().is_some() {
                self.last = None;
                self.gen += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nops(n: usize) -> Block {
        let mut d = iced_x86::Decoder::with_ip(32, &[0x90], 0x10, iced_x86::DecoderOptions::NONE);
        let i = d.decode();
        Block {
            ops: vec![crate::exec::fast::classify(&i); n],
            instrs: vec![i; n],
            spins: false,
        }
    }

    #[test]
    fn insert_lookup_invalidate() {
        let mut c = CodeCache::new(4);
        let b = c.insert(2, 0x10, nops(2)).unwrap();
        assert!(c.holds(2));
        assert!(Rc::ptr_eq(&c.lookup(0x2010).unwrap(), &b));
        assert!(Rc::ptr_eq(&c.lookup(0x2010).unwrap(), &b), "found again");
        assert!(c.lookup(0x2011).is_none());
        assert!(c.lookup(0x1010).is_none());
        let gen = c.gen;
        c.invalidate(2);
        assert!(!c.holds(2));
        assert_eq!(c.gen, gen + 1);
        assert!(c.lookup(0x2010).is_none(), "dropped, also from the memo");
        assert_eq!(
            b.ops.len(),
            2,
            "a running block outlives its page's invalidation"
        );
        assert!(c.insert(9, 0, nops(1)).is_none(), "outside RAM");
    }
}
