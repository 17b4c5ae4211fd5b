//! The anonymous store: a page nobody has written yet is all zeroes.

/// Fill a page with zeroes (first touch of anonymous memory).
pub fn zero_fill(buf: &mut [u8]) {
    buf.fill(0);
}
