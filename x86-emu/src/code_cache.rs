//! The decode cache: straight-line blocks of instructions decoded once per physical page and
//! reused until a write to that page (through `Machine::write_phys`, a guest store or an A/D
//! update) drops the page.
//!
//! Instructions are decoded with IP = their offset in the page, so one decoded page serves
//! every virtual address it is mapped at; branch targets are rebased on the linear page base.
//! A block ends at a control transfer, a REP string instruction, the end of the page or
//! [`MAX_BLOCK`] instructions. Every drop bumps a generation counter so a block that is
//! running when its page is written stops after the writing instruction.

use iced_x86::Instruction;

/// Most instructions in one block.
pub(crate) const MAX_BLOCK: usize = 64;

/// A straight-line run of decoded instructions and their predecoded fast forms.
#[derive(Default)]
pub(crate) struct Block {
    /// Fast forms, one per instruction.
    pub ops: Vec<crate::exec::fast::Op>,
    /// The full decodings (for the general path and effective addresses).
    pub instrs: Vec<Instruction>,
}

/// Decoded blocks of one physical page, indexed by the byte offset they start at.
struct CodePage {
    /// `slot[offset]` is 0 (nothing starts here) or 1 + an index into `blocks`.
    slot: Vec<u16>,
    blocks: Vec<Block>,
}

/// Per-frame decoded blocks. Not part of snapshots: it is rebuilt on demand.
#[derive(Default)]
pub(crate) struct CodeCache {
    pages: Vec<Option<Box<CodePage>>>,
    /// Bumped whenever a page's blocks are dropped.
    pub gen: u64,
}

impl CodeCache {
    /// A cache for RAM of `frames` frames.
    pub fn new(frames: u32) -> CodeCache {
        let mut pages = Vec::new();
        pages.resize_with(frames as usize, || None);
        CodeCache { pages, gen: 0 }
    }

    /// The block starting at `offset` in frame `pfn`, if cached.
    #[inline(always)]
    pub fn lookup(&self, pfn: u32, offset: u32) -> Option<u16> {
        let page = self.pages.get(pfn as usize)?.as_deref()?;
        match page.slot.get(offset as usize) {
            Some(&k) if k != 0 => Some(k - 1),
            _ => None,
        }
    }

    /// Move a block out to run it (the slot stays; put it back with [`Self::put_back`]).
    #[inline(always)]
    pub fn take(&mut self, pfn: u32, b: u16) -> Block {
        match self
            .pages
            .get_mut(pfn as usize)
            .and_then(|p| p.as_deref_mut())
        {
            Some(page) => page
                .blocks
                .get_mut(b as usize)
                .map(std::mem::take)
                .unwrap_or_default(),
            None => Block::default(),
        }
    }

    /// Return a block taken at generation `gen`; dropped if its page was invalidated meanwhile.
    #[inline(always)]
    pub fn put_back(&mut self, pfn: u32, b: u16, block: Block, gen: u64) {
        if gen != self.gen {
            return;
        }
        if let Some(page) = self
            .pages
            .get_mut(pfn as usize)
            .and_then(|p| p.as_deref_mut())
        {
            if let Some(slot) = page.blocks.get_mut(b as usize) {
                *slot = block;
            }
        }
    }

    /// Whether frame `pfn` holds decoded code (a write to it must call [`Self::invalidate`]).
    #[inline(always)]
    pub fn holds(&self, pfn: u32) -> bool {
        matches!(self.pages.get(pfn as usize), Some(Some(_)))
    }

    /// Remember a non-empty block lying wholly inside frame `pfn`, starting at `offset`.
    pub fn insert(&mut self, pfn: u32, offset: u32, block: Block) -> Option<u16> {
        let entry = self.pages.get_mut(pfn as usize)?;
        let page = entry.get_or_insert_with(|| {
            Box::new(CodePage {
                slot: vec![0; 4096],
                blocks: Vec::new(),
            })
        });
        if page.blocks.len() >= u16::MAX as usize - 1 || offset >= 4096 {
            return None; // cannot happen: at most 4096 start offsets
        }
        page.blocks.push(block);
        let k = page.blocks.len() as u16;
        page.slot[offset as usize] = k;
        Some(k - 1)
    }

    /// Forget everything decoded in frame `pfn`.
    #[inline]
    pub fn invalidate(&mut self, pfn: u32) {
        if let Some(e) = self.pages.get_mut(pfn as usize) {
            if e.take().is_some() {
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
        }
    }

    #[test]
    fn insert_take_put_back_invalidate() {
        let mut c = CodeCache::new(4);
        let b = c.insert(2, 0x10, nops(2)).unwrap();
        assert!(c.holds(2));
        assert_eq!(c.lookup(2, 0x10), Some(b));
        assert_eq!(c.lookup(2, 0x11), None);
        let gen = c.gen;
        let blk = c.take(2, b);
        assert_eq!(blk.ops.len(), 2);
        c.put_back(2, b, blk, gen);
        assert_eq!(c.take(2, b).instrs.len(), 2);
        c.invalidate(2);
        assert!(!c.holds(2));
        assert_eq!(c.gen, gen + 1);
        assert!(c.insert(9, 0, nops(1)).is_none(), "outside RAM");
    }
}
