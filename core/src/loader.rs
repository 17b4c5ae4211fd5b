//! Loads an assembled workload into a task: its sections become regions of the task's
//! address space, the text is paged in before the thread starts, and a stack is mapped.

use libhurd_mm::{Advice, MemoryManager, MmError, PagerEnv, Prot, RegionKind};
use x86_emu::asm::{Program, SegmentKind};
use x86_emu::PAGE_SIZE;

use crate::kernel::{STACK_SIZE, STACK_TOP};

fn page_up(n: u32) -> u32 {
    n.div_ceil(PAGE_SIZE) * PAGE_SIZE
}

/// Sets up a task's regions for `program`.
///
/// # Errors
/// A section overlaps another region or lies outside user space.
pub fn load(
    mm: &mut MemoryManager,
    env: &mut dyn PagerEnv,
    program: &Program,
) -> Result<(), MmError> {
    for seg in &program.segments {
        let len = page_up(seg.size.max(1));
        let prot = match seg.kind {
            SegmentKind::Text => Prot::RX,
            SegmentKind::Data | SegmentKind::Bss => Prot::RW,
        };
        mm.add_region(seg.addr, len, prot, seg.bytes.clone())?;
        if seg.kind == SegmentKind::Text {
            // The loader pages the program text in, as an exec would.
            mm.advise(env, seg.addr, len, Advice::WillNeed)?;
        }
    }
    mm.mmap(
        env,
        Some(STACK_TOP - STACK_SIZE),
        STACK_SIZE,
        Prot::RW,
        RegionKind::Anonymous,
    )?;
    Ok(())
}
