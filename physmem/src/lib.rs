//! physmem: the physical memory server. It schedules frames into containers and
//! answers typed requests; it knows nothing of x86.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod protocol;

pub use protocol::*;
