//! The first page fault, served end to end.
