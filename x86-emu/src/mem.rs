//! Guest memory accesses through the TLB and MMU: the fast path, page-crossing accesses
//! (both pages translated before any byte moves), watchpoints and decode-cache coherence.

use crate::addr::VirtAddr;
use crate::exception::{Exception, PfErrorCode, Vector};
use crate::machine::{Machine, Stop, WatchAccess};
use crate::mmu::{translate, Access};

/// Result of an operation that may fault.
pub(crate) type OrFault<T> = Result<T, Exception>;

impl Machine {
    /// Physical base address of the frame holding `va`, for a CPL-3 `access`.
    #[inline(always)]
    pub(crate) fn frame_of(&mut self, va: u32, access: Access) -> OrFault<u32> {
        let vpn = va >> 12;
        if let Some(s) = self.tlb.lookup(vpn) {
            if access != Access::Write || (s.writable && s.dirty) {
                let f = s.frame;
                self.tlb.count_hit();
                if let Some(log) = self.page_log.as_deref_mut() {
                    log.touch(vpn);
                }
                return Ok(f);
            }
            if !s.writable {
                // The cached permissions refuse the write: fault without walking (a stale
                // entry is used as is), and drop the entry as a page fault does on x86.
                self.tlb.count_hit();
                self.tlb.invalidate(crate::addr::Vpn(vpn));
                return Err(Exception::page_fault(
                    va,
                    PfErrorCode::PRESENT | PfErrorCode::WRITE | PfErrorCode::USER,
                ));
            }
            // Writable but D not yet set: walk again so the PTE's D bit gets set.
        }
        self.tlb_miss(va, access)
    }

    #[inline(never)]
    fn tlb_miss(&mut self, va: u32, access: Access) -> OrFault<u32> {
        let vpn = va >> 12;
        self.tlb.count_miss();
        match translate(&mut self.ram, self.cr3, VirtAddr(va), access) {
            Ok(t) => {
                // A and D updates are stores to the table frames: keep decoded code coherent.
                self.code.invalidate(t.pde_addr.0 >> 12);
                self.code.invalidate(t.pte_addr.0 >> 12);
                self.tlb.insert(vpn, t.pfn, t.writable, t.dirty);
                if let Some(log) = self.page_log.as_deref_mut() {
                    log.touch(vpn);
                }
                Ok(t.pfn.0 << 12)
            }
            Err(e) => {
                if e.vector == Vector::PageFault {
                    self.tlb.invalidate(crate::addr::Vpn(vpn));
                }
                Err(e)
            }
        }
    }

    #[inline(always)]
    fn watch(&mut self, va: u32, len: u32, access: WatchAccess) {
        if self.watchpoints.is_empty() || self.pending.is_some() {
            return;
        }
        let hit = self.watchpoints.iter().any(|w| {
            let kind = w.access == WatchAccess::ReadWrite || w.access == access;
            let end = va as u64 + len as u64;
            let wend = w.addr.0 as u64 + w.len as u64;
            kind && (va as u64) < wend && (w.addr.0 as u64) < end
        });
        if hit {
            self.pending = Some(Stop::Watchpoint { addr: va, access });
        }
    }

    /// Read 1, 2 or 4 bytes (little-endian).
    #[inline(always)]
    pub(crate) fn rd(&mut self, va: u32, size: u32) -> OrFault<u32> {
        if (va & 0xfff) + size > 4096 {
            return self.rd_split(va, size);
        }
        let p = (self.frame_of(va, Access::Read)? | (va & 0xfff)) as usize;
        self.watch(va, size, WatchAccess::Read);
        let b = self.ram.as_bytes();
        Ok(match size {
            1 => b[p] as u32,
            2 => u16::from_le_bytes([b[p], b[p + 1]]) as u32,
            _ => u32::from_le_bytes([b[p], b[p + 1], b[p + 2], b[p + 3]]),
        })
    }

    #[inline(never)]
    fn rd_split(&mut self, va: u32, size: u32) -> OrFault<u32> {
        let mut buf = [0u8; 4];
        self.read_bytes(va, &mut buf[..size as usize])?;
        Ok(u32::from_le_bytes(buf))
    }

    /// Write 1, 2 or 4 bytes (little-endian).
    #[inline(always)]
    pub(crate) fn wr(&mut self, va: u32, size: u32, v: u32) -> OrFault<()> {
        if (va & 0xfff) + size > 4096 {
            return self.write_bytes(va, &v.to_le_bytes()[..size as usize]);
        }
        let frame = self.frame_of(va, Access::Write)?;
        self.watch(va, size, WatchAccess::Write);
        self.code.invalidate(frame >> 12);
        let p = (frame | (va & 0xfff)) as usize;
        let b = self.ram.as_bytes_mut();
        match size {
            1 => b[p] = v as u8,
            2 => b[p..p + 2].copy_from_slice(&(v as u16).to_le_bytes()),
            _ => b[p..p + 4].copy_from_slice(&v.to_le_bytes()),
        }
        Ok(())
    }

    /// Translate every page `[va, va+len)` touches, in address order, before any data moves.
    /// Returns the frames (at most 2 for instruction operands; any number for gate buffers).
    fn frames_for(&mut self, va: u32, len: usize, access: Access) -> OrFault<Vec<u32>> {
        let mut frames = Vec::new();
        let mut page = va & !0xfff;
        let last = va.wrapping_add(len.saturating_sub(1) as u32) & !0xfff;
        if len == 0 {
            return Ok(frames);
        }
        loop {
            // The first page faults at `va`, later ones at their first byte.
            let at = if frames.is_empty() { va } else { page };
            frames.push(self.frame_of(at, access)?);
            if page == last {
                return Ok(frames);
            }
            page = page.wrapping_add(4096);
        }
    }

    /// Read bytes (any length, any alignment); a fault reads nothing.
    pub(crate) fn read_bytes(&mut self, va: u32, buf: &mut [u8]) -> OrFault<()> {
        let frames = self.frames_for(va, buf.len(), Access::Read)?;
        self.watch(va, buf.len() as u32, WatchAccess::Read);
        let b = self.ram.as_bytes();
        for (k, byte) in buf.iter_mut().enumerate() {
            let a = va.wrapping_add(k as u32);
            let idx = ((a & !0xfff).wrapping_sub(va & !0xfff) >> 12) as usize;
            *byte = b[(frames[idx] | (a & 0xfff)) as usize];
        }
        Ok(())
    }

    /// Write bytes (any length, any alignment); a fault writes nothing.
    pub(crate) fn write_bytes(&mut self, va: u32, bytes: &[u8]) -> OrFault<()> {
        let frames = self.frames_for(va, bytes.len(), Access::Write)?;
        self.watch(va, bytes.len() as u32, WatchAccess::Write);
        for f in &frames {
            self.code.invalidate(f >> 12);
        }
        let b = self.ram.as_bytes_mut();
        for (k, byte) in bytes.iter().enumerate() {
            let a = va.wrapping_add(k as u32);
            let idx = ((a & !0xfff).wrapping_sub(va & !0xfff) >> 12) as usize;
            b[(frames[idx] | (a & 0xfff)) as usize] = *byte;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{machine, DATA};
    use crate::{PfErrorCode, VirtAddr};

    #[test]
    fn split_accesses_translate_both_pages_first() {
        let (mut m, _) = machine(&[0x90]);
        m.wr(DATA + 0xffe, 4, 0xaabb_ccdd).unwrap();
        assert_eq!(m.rd(DATA + 0xffe, 4).unwrap(), 0xaabb_ccdd);
        assert_eq!(m.rd(DATA + 0x1000, 2).unwrap(), 0xaabb);
        // The data area is 4 pages: a dword across its end faults on the next page, unwritten.
        let end = DATA + 0x4000;
        let e = m.wr(end - 2, 4, 0x1111_1111).unwrap_err();
        assert_eq!(e.cr2, Some(end));
        assert_eq!(e.pf_code(), Some(PfErrorCode::WRITE | PfErrorCode::USER));
        let mut b = [0u8; 2];
        m.read_virt(VirtAddr(end - 2), &mut b).unwrap();
        assert_eq!(b, [0, 0]);
    }
}
