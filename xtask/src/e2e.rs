//! End-to-end checks: build the site, serve it on a free port, drive Chromium with tests/e2e/run.mjs.

use crate::{cmd, serve, setup, site};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Longest the whole e2e run may take before it is stopped.
const LIMIT: Duration = Duration::from_secs(300);

/// Builds the site (unless `build` is false), serves `www/` in a background thread and runs the
/// checks in tests/e2e/checks (only those matching `filter`); screenshots go to target/screenshots.
pub fn run(root: &Path, build: bool, filter: Option<&str>) -> Result<(), String> {
    if build {
        site::build(root)?;
    }
    let chromium = setup::chromium()?;
    setup::npm_deps(root)?;
    let addr = serve::spawn(root.join("www"))?;
    let screenshots = site::target_dir(root).join("screenshots");
    std::fs::create_dir_all(&screenshots)
        .map_err(|e| format!("cannot create {}: {e}", screenshots.display()))?;
    let mut node = Command::new("node");
    node.arg("tests/e2e/run.mjs")
        .arg(format!("http://{addr}/"))
        .args(filter)
        .env("CHROMIUM_PATH", chromium)
        .env("SCREENSHOT_DIR", &screenshots);
    cmd::run_with_timeout(&mut node, Some(LIMIT))
}
