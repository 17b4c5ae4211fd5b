//! `cargo xtask dist [DIR]`: the static site (index, JS, wasm, CSS) in one folder, ready for
//! any static host. Every URL in it is relative, so it also works under a sub-path.

use std::path::Path;

use crate::site;

/// The folder written when none is given.
pub const DEFAULT_DIR: &str = "target/dist";

/// Builds the site and copies `www/` (with `pkg/`) into `dir`.
///
/// # Errors
/// The build fails, or a file cannot be copied.
pub fn run(root: &Path, dir: &Path) -> Result<(), String> {
    site::build(root)?;
    let dir = root.join(dir);
    let copied = copy_site(&root.join("www"), &dir)?;
    println!(
        "wrote {copied} files to {}: publish that folder on any static host (see README, \"Publishing\")",
        dir.display()
    );
    Ok(())
}

/// Copies the files of `www` (recursively, skipping hidden ones) into `dir`; how many.
///
/// # Errors
/// `www/pkg` was not built, or a file cannot be read or written.
pub fn copy_site(www: &Path, dir: &Path) -> Result<usize, String> {
    if !www.join("pkg/selfpage_web_bg.wasm").is_file() {
        return Err(format!(
            "{} has no built wasm: run `cargo xtask serve` or `cargo xtask dist` to build it",
            www.join("pkg").display()
        ));
    }
    copy_dir(www, dir)
}

fn copy_dir(from: &Path, to: &Path) -> Result<usize, String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    let mut n = 0;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if src.is_dir() {
            n += copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)
                .map_err(|e| format!("cannot copy {} to {}: {e}", src.display(), dst.display()))?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_is_copied_with_its_pkg_and_without_hidden_files() {
        let tmp = std::env::temp_dir().join(format!("selfpage-dist-{}", std::process::id()));
        let (www, out) = (tmp.join("www"), tmp.join("out"));
        std::fs::create_dir_all(www.join("pkg")).expect("mkdir");
        assert!(copy_site(&www, &out).is_err(), "no wasm yet");
        for (f, text) in [
            ("index.html", "<script src=\"main.js\">"),
            ("pkg/selfpage_web_bg.wasm", "\0asm"),
            (".gitignore", "*"),
        ] {
            std::fs::write(www.join(f), text).expect("write");
        }
        assert_eq!(copy_site(&www, &out), Ok(2));
        assert!(out.join("pkg/selfpage_web_bg.wasm").is_file());
        assert!(!out.join(".gitignore").exists());
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
