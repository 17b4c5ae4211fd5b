//! The page reference log: every page the running code touches (instruction fetches, reads
//! and writes, in order), for miss-ratio curves and working sets. Off by default: a machine
//! without a log runs its usual block-at-a-time fast paths, unchanged. With a log, the run
//! loop fetches every instruction through the TLB, so each instruction's fetch is seen.
//!
//! This is the oracle's view: no pager can see the accesses that hit in the TLB.

/// Pages touched, as virtual page numbers, with consecutive repeats merged (a repeat of the
/// page just touched never changes what a policy holds).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageLog {
    pages: Vec<u32>,
    last: Option<u32>,
}

impl PageLog {
    /// Note a touch of virtual page `vpn`.
    #[inline(always)]
    pub(crate) fn touch(&mut self, vpn: u32) {
        if self.last != Some(vpn) {
            self.last = Some(vpn);
            self.pages.push(vpn);
        }
    }

    /// The pages touched since the last take, and a fresh start: the next touch is recorded
    /// even if it is the page touched last (the next run may be another address space's).
    pub fn take(&mut self) -> Vec<u32> {
        self.last = None;
        std::mem::take(&mut self.pages)
    }

    /// Pages recorded and not yet taken.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// Whether nothing was recorded since the last take.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{asm, machine, run_to_end, CODE, DATA, STACK_TOP};
    use crate::{Stop, VirtAddr};
    use iced_x86::code_asm::*;

    fn program(a: &mut CodeAssembler) -> Result<(), iced_x86::IcedError> {
        a.mov(eax, dword_ptr(DATA))?; // fetch, read DATA
        a.mov(dword_ptr(DATA + 0x1000), eax)?; // fetch, write DATA+1 page
        a.push(eax)?; // fetch, write the stack
        a.mov(ecx, 3u32)?;
        let mut top = a.create_label();
        a.set_label(&mut top)?;
        a.add(dword_ptr(DATA + 0x2000), ecx)?; // fetch, read and write DATA+2 pages
        a.dec(ecx)?;
        a.jne(top)
    }

    #[test]
    fn the_log_holds_fetches_reads_and_writes_in_order() {
        let (mut m, _) = machine(&asm(program));
        m.set_page_log(true);
        run_to_end(&mut m);
        let log = m.page_log_mut().map(|l| l.take()).unwrap_or_default();
        let (code, d0, d1, d2, stack) = (
            CODE >> 12,
            DATA >> 12,
            (DATA >> 12) + 1,
            (DATA >> 12) + 2,
            (STACK_TOP >> 12) - 1,
        );
        let mut want = vec![code, d0, code, d1, code, stack, code];
        for _ in 0..3 {
            want.extend([d2, code]); // add [d2]; then dec and jne merge into one fetch run
        }
        assert_eq!(log, want);
    }

    #[test]
    fn recording_changes_nothing_the_guest_sees_nor_the_tlb_misses() {
        let (mut plain, _) = machine(&asm(program));
        run_to_end(&mut plain);
        let (mut logged, _) = machine(&asm(program));
        logged.set_page_log(true);
        run_to_end(&mut logged);
        assert_eq!(plain.cpu(), logged.cpu());
        assert_eq!(plain.retired(), logged.retired());
        assert_eq!(plain.tlb().misses(), logged.tlb().misses());
        assert_eq!(plain.ram(), logged.ram());
    }

    #[test]
    fn kernel_accesses_and_faulting_accesses_are_not_logged() {
        let (mut m, _) = machine(&asm(|a| a.mov(eax, dword_ptr(0x1234u32))));
        m.set_page_log(true);
        let mut buf = [0u8; 4];
        m.read_virt(VirtAddr(DATA), &mut buf).unwrap();
        assert!(matches!(m.run(10).stop, Stop::Exception(_)));
        let log = m.page_log_mut().map(|l| l.take()).unwrap_or_default();
        assert_eq!(
            log,
            [CODE >> 12],
            "the fetch only: the read of page 1 faulted"
        );
    }
}
