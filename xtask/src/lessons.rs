//! `cargo xtask lessons`: writes docs/lessons/*.md from the lesson sources in core/lessons/.

use std::path::Path;

use selfpage_core::lessons::{self, markdown};

/// Regenerates every lesson page and the index under `root/docs/lessons/`.
///
/// # Errors
/// A lesson does not parse, or a file cannot be written.
pub fn run(root: &Path) -> Result<(), String> {
    let all = lessons::all().map_err(|e| e.to_string())?;
    let dir = root.join("docs/lessons");
    for (file, text) in markdown::pages(&all) {
        let path = dir.join(&file);
        std::fs::write(&path, format!("{}\n", text.trim_end()))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("wrote docs/lessons/{file}");
    }
    Ok(())
}
