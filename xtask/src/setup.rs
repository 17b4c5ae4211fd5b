//! Idempotent installs: each tool is checked first (`--version`, `PATH`) and installed only if missing.

use crate::cmd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

/// The Rust target the web crate and the wasm tests build for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// A program some stage needs and the Debian package that provides it.
struct DebianTool {
    /// Program looked up on `PATH`, or a file an absolute path names.
    program: &'static str,
    /// Package that installs it.
    package: &'static str,
}

/// Debian packages the test stages need: browser, its driver, the assembler and linker of the
/// differential CPU tests, gcc -m32 for the C compiler's, and Node.js for wasm tests and e2e.
const DEBIAN_TOOLS: &[DebianTool] = &[
    DebianTool {
        program: "chromium",
        package: "chromium",
    },
    DebianTool {
        program: "chromedriver",
        package: "chromium-driver",
    },
    DebianTool {
        program: "nasm",
        package: "nasm",
    },
    DebianTool {
        program: "ld",
        package: "binutils",
    },
    DebianTool {
        // gcc -m32, for the C compiler's differential tests (its 32-bit C library start file).
        program: "/usr/lib32/crt1.o",
        package: "gcc-multilib",
    },
    DebianTool {
        program: "node",
        package: "nodejs",
    },
    DebianTool {
        program: "npm",
        package: "npm",
    },
];

/// Set once `apt-get update` has run in this process.
static APT_UPDATED: AtomicBool = AtomicBool::new(false);

/// Installs everything any stage needs (`cargo xtask setup`).
pub fn all(root: &Path) -> Result<(), String> {
    rust_components()?;
    wasm_target()?;
    wasm_bindgen(root)?;
    wasm_pack()?;
    debian_tools()?;
    npm_deps(root)?;
    println!("setup: everything is installed");
    Ok(())
}

/// Adds rustfmt and clippy with rustup if `cargo fmt` / `cargo clippy` do not run (minimal profile).
pub fn rust_components() -> Result<(), String> {
    for (component, subcommand) in [("rustfmt", "fmt"), ("clippy", "clippy")] {
        if cmd::output(cmd::cargo().args([subcommand, "--version"])).is_none() {
            cmd::run(Command::new("rustup").args(["component", "add", component]))
                .map_err(|e| format!("{e}; `cargo {subcommand}` is needed by cargo xtask test"))?;
        }
    }
    Ok(())
}

/// Adds the wasm32 target with rustup unless it is installed already.
pub fn wasm_target() -> Result<(), String> {
    let installed = cmd::output(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => Ok(()),
        Some(_) => cmd::run(Command::new("rustup").args(["target", "add", WASM_TARGET])),
        None => {
            // No rustup: accept a toolchain that ships the target's standard library.
            let sysroot = cmd::output(Command::new("rustc").args(["--print", "sysroot"]));
            match sysroot {
                Some(s) if Path::new(&s).join("lib/rustlib").join(WASM_TARGET).is_dir() => Ok(()),
                _ => Err(format!(
                    "the {WASM_TARGET} target is missing and rustup was not found; \
                     install rustup (https://rustup.rs) and run: rustup target add {WASM_TARGET}"
                )),
            }
        }
    }
}

/// The exact `wasm-bindgen` version in Cargo.lock (the CLI must match it).
pub fn locked_wasm_bindgen_version(root: &Path) -> Result<String, String> {
    let lock = root.join("Cargo.lock");
    let text = std::fs::read_to_string(&lock)
        .map_err(|e| format!("cannot read {}: {e}", lock.display()))?;
    package_version(&text, "wasm-bindgen").ok_or_else(|| {
        format!(
            "no wasm-bindgen package in {}; run `cargo generate-lockfile`",
            lock.display()
        )
    })
}

/// The version of package `name` in the text of a Cargo.lock.
fn package_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line == wanted {
            let version = lines.next()?.strip_prefix("version = \"")?;
            return Some(version.trim_end_matches('"').to_string());
        }
    }
    None
}

/// The version `program --version` reports (its second word), if it runs.
fn tool_version(program: &str) -> Option<String> {
    let out = cmd::output(Command::new(program).arg("--version"))?;
    out.split_whitespace().nth(1).map(String::from)
}

/// Installs wasm-bindgen-cli at the version Cargo.lock pins, unless both its programs
/// (`wasm-bindgen`, `wasm-bindgen-test-runner`) already report that version.
pub fn wasm_bindgen(root: &Path) -> Result<(), String> {
    let want = locked_wasm_bindgen_version(root)?;
    let programs = ["wasm-bindgen", "wasm-bindgen-test-runner"];
    let matches = || {
        programs
            .iter()
            .all(|p| tool_version(p).as_deref() == Some(want.as_str()))
    };
    if matches() {
        return Ok(());
    }
    let have = tool_version("wasm-bindgen").unwrap_or_else(|| "none".into());
    println!("setup: wasm-bindgen-cli {want} is needed (found: {have}); installing (~2 min)");
    let version = format!("={want}");
    let install = |locked: bool| {
        let mut c = cmd::cargo();
        c.args(["install", "wasm-bindgen-cli", "--version", &version]);
        if locked {
            c.arg("--locked");
        }
        cmd::run(&mut c)
    };
    if let Err(e) = install(true) {
        // Its lockfile may want crates the registry mirror lacks; resolve afresh instead.
        println!("setup: {e}; retrying without --locked");
        install(false)?;
    }
    if matches() {
        Ok(())
    } else {
        Err(format!(
            "wasm-bindgen-cli {want} was installed, but `wasm-bindgen --version` on PATH reports {}; \
             remove the other copy ({}) or put ~/.cargo/bin first on PATH",
            tool_version("wasm-bindgen").unwrap_or_else(|| "nothing".into()),
            cmd::which("wasm-bindgen")
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "not found".into()),
        ))
    }
}

/// Installs wasm-pack from crates.io unless it runs already, so `wasm-pack test --headless
/// --chrome web` works; with wasm-bindgen-cli on PATH at the locked version it uses that one
/// and downloads nothing.
pub fn wasm_pack() -> Result<(), String> {
    if tool_version("wasm-pack").is_some() {
        return Ok(());
    }
    println!("setup: wasm-pack is missing; installing (~2 min)");
    let install = |locked: bool| {
        let mut c = cmd::cargo();
        c.args(["install", "wasm-pack"]);
        if locked {
            c.arg("--locked");
        }
        cmd::run(&mut c)
    };
    install(true).or_else(|e| {
        println!("setup: {e}; retrying without --locked");
        install(false)
    })
}

/// Installs the missing Debian packages of [`DEBIAN_TOOLS`] with apt-get (root only; otherwise
/// the error names the exact command).
pub fn debian_tools() -> Result<(), String> {
    let missing: Vec<&DebianTool> = DEBIAN_TOOLS
        .iter()
        .filter(|t| !present(t.program))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let programs: Vec<&str> = missing.iter().map(|t| t.program).collect();
    let packages: Vec<&str> = missing.iter().map(|t| t.package).collect();
    let packages = packages.join(" ");
    if cmd::which("apt-get").is_none() {
        return Err(format!(
            "missing {}; install them with your package manager (Debian names: {packages})",
            programs.join(", ")
        ));
    }
    if !is_root() {
        return Err(format!(
            "missing {}; run: sudo apt-get update && sudo apt-get install -y {packages}",
            programs.join(", ")
        ));
    }
    println!("setup: installing {packages} (for {})", programs.join(", "));
    if !APT_UPDATED.swap(true, Ordering::SeqCst) {
        cmd::run(apt().arg("update"))?;
    }
    cmd::run(apt().args(["install", "-y"]).args(packages.split(' ')))?;
    match DEBIAN_TOOLS.iter().find(|t| !present(t.program)) {
        None => Ok(()),
        Some(t) => Err(format!(
            "`{}` is still not on PATH after installing {}",
            t.program, t.package
        )),
    }
}

/// True if `program` is on PATH (or, for an absolute path, the file exists).
fn present(program: &str) -> bool {
    if program.starts_with('/') {
        Path::new(program).exists()
    } else {
        cmd::which(program).is_some()
    }
}

/// `apt-get` without prompts.
fn apt() -> Command {
    let mut c = Command::new("apt-get");
    c.env("DEBIAN_FRONTEND", "noninteractive");
    c
}

/// Whether this process runs as root (read from /proc, falling back to `id -u`).
fn is_root() -> bool {
    let from_proc = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().nth(1).map(|euid| euid == "0"))
        });
    from_proc.unwrap_or_else(|| cmd::output(Command::new("id").arg("-u")).as_deref() == Some("0"))
}

/// The browser the e2e checks drive.
pub fn chromium() -> Result<PathBuf, String> {
    debian_tools()?;
    cmd::which("chromium").ok_or_else(|| "chromium is not on PATH".into())
}

/// Checks Node.js and runs `npm ci` in tests/e2e when its node_modules is missing or older than
/// package-lock.json.
pub fn npm_deps(root: &Path) -> Result<(), String> {
    debian_tools()?;
    node_version_at_least(MIN_NODE)?;
    let dir = root.join("tests/e2e");
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (modified(&lock), modified(&installed)) {
        (Some(lock), Some(installed)) => installed >= lock,
        _ => false,
    };
    if fresh
        && dir
            .join("node_modules/playwright-core/package.json")
            .is_file()
    {
        return Ok(());
    }
    cmd::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir),
    )
}

/// Oldest Node.js major version playwright-core supports.
const MIN_NODE: u32 = 20;

/// Fails with the fix if `node --version` is older than `major` (Debian 12's own nodejs is 18).
fn node_version_at_least(major: u32) -> Result<(), String> {
    let version = cmd::output(Command::new("node").arg("--version")).unwrap_or_default();
    match node_major(&version) {
        Some(have) if have >= major => Ok(()),
        _ => Err(format!(
            "tests/e2e needs Node.js >= {major} (playwright-core), found `{version}`; install Node.js \
             {major} (e.g. the NodeSource nodejs package) and run cargo xtask setup again"
        )),
    }
}

/// The major version in `node --version` output such as `v20.20.2`.
fn node_major(version: &str) -> Option<u32> {
    version
        .trim()
        .strip_prefix('v')?
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// The modification time of `path`, if it exists.
pub fn modified(path: &Path) -> Option<std::time::SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_locked_version_of_a_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.80\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            package_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(package_version(lock, "yew"), None);
    }

    #[test]
    fn reads_the_node_major_version() {
        assert_eq!(node_major("v20.20.2\n"), Some(20));
        assert_eq!(node_major("v18.19.0"), Some(18));
        assert_eq!(node_major(""), None);
    }

    #[test]
    fn the_workspace_lock_pins_wasm_bindgen() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let version = locked_wasm_bindgen_version(&root).expect("Cargo.lock has wasm-bindgen");
        assert!(version.starts_with("0.2."), "odd version {version}");
    }
}
