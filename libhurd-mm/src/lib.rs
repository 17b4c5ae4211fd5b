//! libhurd-mm: each task's own memory manager. It keeps the address-space map,
//! serves the task's page faults as its pager, pages data in and out, and chooses
//! which page gives up its frame.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
