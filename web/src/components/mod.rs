//! One component per file.

pub mod app;
pub mod editor;
pub mod events;
pub mod frame_map;
pub mod registers;
pub mod tasks;
pub mod timeline;
pub mod tlb;
pub mod toolbar;
pub mod walk;
