//! selfpage-core: the L4-like kernel model.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
