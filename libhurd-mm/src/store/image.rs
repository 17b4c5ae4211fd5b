//! The image store: program text and data, copied into a page on its first touch.
//! Bytes past the end of the image read as zero (that is what bss is).

/// The initial bytes of a program region, from the region's start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageStore {
    bytes: Vec<u8>,
}

impl ImageStore {
    /// An image store holding `bytes`.
    pub fn new(bytes: Vec<u8>) -> ImageStore {
        ImageStore { bytes }
    }

    /// Fill `buf` with the image at byte `offset` (zero past its end).
    pub fn fill(&self, offset: u32, buf: &mut [u8]) {
        buf.fill(0);
        let start = (offset as usize).min(self.bytes.len());
        let end = start.saturating_add(buf.len()).min(self.bytes.len());
        buf[..end - start].copy_from_slice(&self.bytes[start..end]);
    }

    /// Split at byte `at`: `self` keeps the bytes before it, the result holds the rest.
    pub fn split_off(&mut self, at: u32) -> ImageStore {
        let at = (at as usize).min(self.bytes.len());
        ImageStore {
            bytes: self.bytes.split_off(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_pads_with_zero_and_split_keeps_offsets() {
        let mut img = ImageStore::new(vec![1, 2, 3, 4, 5, 6]);
        let mut buf = [9u8; 4];
        img.fill(4, &mut buf);
        assert_eq!(buf, [5, 6, 0, 0]);
        let high = img.split_off(2);
        high.fill(0, &mut buf);
        assert_eq!(buf, [3, 4, 5, 6]);
        img.fill(0, &mut buf);
        assert_eq!(buf, [1, 2, 0, 0]);
        img.fill(100, &mut buf);
        assert_eq!(buf, [0; 4]);
    }
}
