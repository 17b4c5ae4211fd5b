//! Building the site: the web crate for wasm32, then `wasm-bindgen` into `www/pkg`.

use crate::{cmd, setup};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The cargo target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// Builds `selfpage-web` for wasm32 with the `wasm-release` profile (release, optimised for
/// size) and regenerates `www/pkg` when the `.wasm` is newer than it; installs the wasm32
/// target and wasm-bindgen-cli first if missing.
pub fn build(root: &Path) -> Result<(), String> {
    setup::wasm_target()?;
    setup::wasm_bindgen(root)?;
    cmd::run(cmd::cargo().args([
        "build",
        "-p",
        "selfpage-web",
        "--target",
        setup::WASM_TARGET,
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = target_dir(root)
        .join(setup::WASM_TARGET)
        .join("wasm-release/selfpage_web.wasm");
    let out = root.join("www/pkg");
    let outputs = [
        out.join("selfpage_web.js"),
        out.join("selfpage_web_bg.wasm"),
    ];
    if is_up_to_date(&wasm, &outputs) {
        println!("www/pkg is up to date");
        return Ok(());
    }
    cmd::run(
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--remove-name-section",
                "--remove-producers-section",
                "--out-dir",
            ])
            .arg(&out)
            .arg(&wasm),
    )
}

/// Whether every output exists and none is older than `input`.
fn is_up_to_date(input: &Path, outputs: &[PathBuf]) -> bool {
    let Some(input) = setup::modified(input) else {
        return false;
    };
    outputs
        .iter()
        .all(|o| setup::modified(o).is_some_and(|t| t >= input))
}
