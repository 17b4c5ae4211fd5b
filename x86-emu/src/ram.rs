//! Physical RAM: one byte array of N frames of 4 KiB. Every page table and every byte a
//! workload touches lives here.

use crate::addr::{Pfn, PhysAddr, PAGE_SIZE};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Most frames RAM may have (65536 frames = 256 MiB).
pub const MAX_FRAMES: u32 = 65536;

/// Why a RAM operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum RamError {
    /// The requested frame count is 0 or above [`MAX_FRAMES`].
    #[error("RAM must have between 1 and {MAX_FRAMES} frames, not {0}")]
    BadSize(u32),
    /// An access touches bytes beyond the end of physical RAM.
    #[error("physical address {addr:#010x} (+{len} bytes) lies outside RAM")]
    OutOfRange {
        /// First byte of the access.
        addr: u32,
        /// Length of the access in bytes.
        len: u32,
    },
}

/// Emulated physical memory.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ram {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Ram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ram({} frames)", self.frames())
    }
}

impl Ram {
    /// Zero-filled RAM of `frames` 4 KiB frames, present from the start: every page of it is
    /// touched here, as a machine's RAM exists before it runs, so the first use of a frame
    /// later does not also pay for the host's page fault.
    ///
    /// # Errors
    /// [`RamError::BadSize`] unless `frames` is in 1..=65536.
    pub fn new(frames: u32) -> Result<Ram, RamError> {
        if frames == 0 || frames > MAX_FRAMES {
            return Err(RamError::BadSize(frames));
        }
        let mut bytes = vec![0; frames as usize * PAGE_SIZE as usize];
        // black_box: the compiler must not assume the fresh allocation already reads as zero
        // and drop the stores that make the host commit each page.
        for page in std::hint::black_box(&mut bytes).chunks_mut(PAGE_SIZE as usize) {
            page[0] = 0;
        }
        Ok(Ram { bytes })
    }

    /// Number of frames.
    pub fn frames(&self) -> u32 {
        (self.bytes.len() / PAGE_SIZE as usize) as u32
    }

    /// Size in bytes.
    pub fn len(&self) -> u32 {
        self.bytes.len() as u32
    }

    /// Always false: RAM has at least one frame.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The 4096 bytes of one frame, or `None` past the end of RAM.
    pub fn frame(&self, pfn: Pfn) -> Option<&[u8]> {
        let start = (pfn.0 as usize).checked_mul(PAGE_SIZE as usize)?;
        self.bytes.get(start..start + PAGE_SIZE as usize)
    }

    /// The whole of RAM as bytes (for views and snapshots).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn range(&self, pa: PhysAddr, len: usize) -> Result<std::ops::Range<usize>, RamError> {
        let start = pa.0 as usize;
        let end = start + len;
        if end > self.bytes.len() {
            return Err(RamError::OutOfRange {
                addr: pa.0,
                len: len as u32,
            });
        }
        Ok(start..end)
    }

    /// Copy bytes out of RAM.
    ///
    /// # Errors
    /// [`RamError::OutOfRange`] if any byte lies beyond RAM (nothing is copied).
    pub fn read(&self, pa: PhysAddr, buf: &mut [u8]) -> Result<(), RamError> {
        let r = self.range(pa, buf.len())?;
        buf.copy_from_slice(&self.bytes[r]);
        Ok(())
    }

    /// Copy bytes into RAM. Prefer [`crate::Machine::write_phys`], which keeps the decode cache coherent.
    ///
    /// # Errors
    /// [`RamError::OutOfRange`] if any byte lies beyond RAM (nothing is written).
    pub fn write(&mut self, pa: PhysAddr, bytes: &[u8]) -> Result<(), RamError> {
        let r = self.range(pa, bytes.len())?;
        self.bytes[r].copy_from_slice(bytes);
        Ok(())
    }

    /// Set `len` bytes from `pa` to zero. Prefer [`crate::Machine::zero_phys`], which keeps the
    /// decode cache coherent.
    ///
    /// # Errors
    /// [`RamError::OutOfRange`] if any byte lies beyond RAM (nothing is written).
    pub fn zero(&mut self, pa: PhysAddr, len: usize) -> Result<(), RamError> {
        let r = self.range(pa, len)?;
        self.bytes[r].fill(0);
        Ok(())
    }

    /// Little-endian 32-bit read, or `None` outside RAM.
    pub fn read_u32(&self, pa: PhysAddr) -> Option<u32> {
        let s = pa.0 as usize;
        let b = self.bytes.get(s..s.checked_add(4)?)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Little-endian 32-bit write; false (and nothing written) outside RAM. A store of four
    /// bytes (not a copy of a slice, which in wasm can be a `memory.copy`).
    pub fn write_u32(&mut self, pa: PhysAddr, v: u32) -> bool {
        let s = pa.0 as usize;
        match s.checked_add(4).and_then(|e| self.bytes.get_mut(s..e)) {
            Some(b) => {
                b.copy_from_slice(&v.to_le_bytes());
                true
            }
            None => false,
        }
    }

    /// All bytes, mutable, crate-internal (bypasses decode-cache coherence).
    pub(crate) fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_checked() {
        assert_eq!(Ram::new(0).unwrap_err(), RamError::BadSize(0));
        assert!(Ram::new(65537).is_err());
        assert_eq!(Ram::new(3).unwrap().frames(), 3);
    }

    #[test]
    fn read_write_and_bounds() {
        let mut ram = Ram::new(2).unwrap();
        assert!(ram.write_u32(PhysAddr(0x1ffc), 0x1234_5678));
        assert_eq!(ram.read_u32(PhysAddr(0x1ffc)), Some(0x1234_5678));
        assert_eq!(ram.read_u32(PhysAddr(0x1ffd)), None);
        assert!(ram.write(PhysAddr(0x1fff), &[1, 2]).is_err());
        assert_eq!(ram.frame(Pfn(1)).unwrap()[0xffc], 0x78);
        assert!(ram.frame(Pfn(2)).is_none());
    }
}
