//! One component per file.

pub mod app;
pub mod c_source;
pub mod challenge;
pub mod compare;
pub mod curves;
pub mod editor;
pub mod events;
pub mod explain;
pub mod files;
pub mod frame_map;
pub mod lessons;
pub mod policy_queue;
pub mod refstring;
pub mod registers;
pub mod stats;
pub mod tasks;
pub mod timeline;
pub mod tlb;
pub mod toolbar;
pub mod walk;
