//! Fork: a child task's memory manager made from its parent's. The parent's resident pages
//! are shared copy-on-write through physmem (core sends the `ContainerCopy` RPCs); the
//! pager's own swap store is copied, as a forked process gets a copy of everything.

use crate::pager::{MemoryManager, MmConfig, Page};

impl MemoryManager {
    /// The resident pages a fork shares with the child: (page address, container offset).
    pub fn fork_pages(&self) -> Vec<(u32, u32)> {
        self.resident
            .iter()
            .map(|(page, p)| (page, p.offset))
            .collect()
    }

    /// Marks pages physmem now shares copy-on-write: they are remapped without W until the
    /// task writes them.
    pub fn mark_cow(&mut self, pages: &[u32]) {
        for page in pages {
            if let Some(p) = self.resident.get_mut(*page) {
                p.cow = true;
            }
        }
    }

    /// The child's manager: the parent's regions, swap and lost pages, with `copied` pages
    /// resident at these offsets of the child's container, copy-on-write and not yet mapped.
    /// The eviction callback and pinned pages are not inherited.
    pub fn forked(&self, cfg: MmConfig, copied: &[(u32, u32)]) -> MemoryManager {
        let mut child = MemoryManager::new(cfg);
        child.space = self.space.clone();
        child.swap = self.swap.clone();
        child.lost = self.lost.clone();
        for &(page, offset) in copied {
            // Its data lives only in the shared frame: treat it as dirty, so evicting it
            // writes it to swap instead of dropping it.
            let p = Page {
                offset,
                dirty: true,
                used: false,
                cow: true,
            };
            child.resident.insert(page, p);
            child.held.insert(offset);
            child.policy.insert(page);
        }
        child
    }
}
