//! `cargo xtask`: developer commands for Selfpage (serve the site, run every check, set up tools).

mod bench;
mod cmd;
mod dist;
mod e2e;
mod fuzz;
mod lessons;
mod serve;
mod setup;
mod site;
mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `cargo xtask help` and every usage error print.
const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  serve [--port P] [--no-build]
        build the web crate into www/pkg (installing missing tools) and serve www/
        on http://127.0.0.1:P/ until Ctrl-C (default port 8080)
  test [--only STAGE,..] [--skip STAGE,..]
        run every check with a summary table; exits non-zero if any stage failed.
        stages: setup fmt clippy clippy-wasm native fuzz wasm-node browser e2e
  e2e [--no-build] [FILTER]
        build the site, serve it on a free port and run the end-to-end browser checks
        in tests/e2e/checks/ (only those whose file or name contains FILTER)
  bench [--json] [--quick]
        measure speed as ratios against references taken in the same run: emulator vs.
        real CPU, fault round trip vs. Linux, step back, UI frame time (--quick: < 2 min)
  fuzz [--seconds N] [--seed S]
        run every fuzz target (assembler, decoder/executor, physmem requests, pager,
        scenarios/URLs, kernel soak) with fresh seeds for N seconds (default 60)
  dist [DIR]
        build the static site (index, JS, wasm, CSS) into DIR (default target/dist),
        ready for any static host, also under a sub-path
  lessons
        write docs/lessons/*.md from the lesson sources core/lessons/*.toml
  setup
        install whatever is missing: rustfmt, clippy, wasm32 target, wasm-bindgen-cli
        (version from Cargo.lock), chromium, chromium-driver, nasm, node packages of tests/e2e
  help
        print this text";

/// A command line that could not be understood; printed with the usage text.
#[derive(Debug, PartialEq)]
struct UsageError(String);

/// One parsed command line.
#[derive(Debug, PartialEq)]
enum Command {
    /// `serve`: build (unless `build` is false) and serve `www/` on `port`.
    Serve { port: u16, build: bool },
    /// `test`: run the selected stages.
    Test(test::Selection),
    /// `e2e`: run only the end-to-end checks.
    E2e { build: bool, filter: Option<String> },
    /// `bench`: measure speed figures.
    Bench(bench::Options),
    /// `fuzz`: run the fuzz targets for a while.
    Fuzz(fuzz::Options),
    /// `dist`: build the static site into a folder.
    Dist(PathBuf),
    /// `lessons`: regenerate docs/lessons/ from core/lessons/.
    Lessons,
    /// `setup`: install missing tools.
    Setup,
    /// `help`: print usage.
    Help,
}

/// Parses the command line, enters the repository root and runs the command.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse(&args) {
        Ok(command) => command,
        Err(UsageError(message)) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = repo_root();
    if let Err(e) = std::env::set_current_dir(&root) {
        eprintln!(
            "error: cannot enter the repository root {}: {e}",
            root.display()
        );
        return ExitCode::FAILURE;
    }
    cmd::add_cargo_bin_to_path();
    let result = match command {
        Command::Help => {
            println!("{USAGE}");
            Ok(())
        }
        Command::Serve { port, build } => serve::run(&root, port, build),
        Command::Test(selection) => test::run(&root, &selection),
        Command::E2e { build, filter } => e2e::run(&root, build, filter.as_deref()),
        Command::Bench(options) => bench::run(&root, options),
        Command::Fuzz(options) => fuzz::run(options),
        Command::Lessons => lessons::run(&root),
        Command::Dist(dir) => dist::run(&root, &dir),
        Command::Setup => setup::all(&root),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's folder.
fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Turns the arguments after `cargo xtask` into a [`Command`].
fn parse(args: &[String]) -> Result<Command, UsageError> {
    let Some((first, rest)) = args.split_first() else {
        return Err(UsageError("no command given".into()));
    };
    let mut rest = rest.iter();
    match first.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "lessons" => Ok(Command::Lessons),
        "dist" => match (rest.next(), rest.next()) {
            (None, _) => Ok(Command::Dist(PathBuf::from(dist::DEFAULT_DIR))),
            (Some(arg), _) if arg.starts_with('-') => Err(unknown(arg, "dist")),
            (Some(dir), None) => Ok(Command::Dist(PathBuf::from(dir))),
            (Some(_), Some(extra)) => {
                Err(UsageError(format!("dist takes one DIR, got `{extra}` too")))
            }
        },
        "setup" => match rest.next() {
            None => Ok(Command::Setup),
            Some(arg) => Err(unknown(arg, "setup")),
        },
        "serve" => {
            let (mut port, mut build) = (8080, true);
            while let Some(arg) = rest.next() {
                match arg.as_str() {
                    "--port" | "-p" => port = parse_port(rest.next())?,
                    "--no-build" => build = false,
                    _ => match arg.strip_prefix("--port=") {
                        Some(value) => port = parse_port(Some(&value.to_string()))?,
                        None => return Err(unknown(arg, "serve")),
                    },
                }
            }
            Ok(Command::Serve { port, build })
        }
        "test" => {
            let mut selection = test::Selection::default();
            while let Some(arg) = rest.next() {
                let (flag, value) = match arg.split_once('=') {
                    Some((flag, value)) => (flag, Some(value.to_string())),
                    None => (arg.as_str(), None),
                };
                let list = match flag {
                    "--only" => &mut selection.only,
                    "--skip" => &mut selection.skip,
                    _ => return Err(unknown(arg, "test")),
                };
                let value = value
                    .or_else(|| rest.next().cloned())
                    .ok_or_else(|| UsageError(format!("{flag} needs a list of stages")))?;
                for name in value.split(',').filter(|s| !s.is_empty()) {
                    if !test::STAGES.contains(&name) {
                        return Err(UsageError(format!(
                            "unknown stage `{name}` (stages: {})",
                            test::STAGES.join(" ")
                        )));
                    }
                    list.push(name.to_string());
                }
            }
            Ok(Command::Test(selection))
        }
        "fuzz" => fuzz::parse(rest.as_slice())
            .map(Command::Fuzz)
            .map_err(UsageError),
        "bench" => bench::parse(rest.as_slice())
            .map(Command::Bench)
            .map_err(UsageError),
        "e2e" => {
            let (mut build, mut filter) = (true, None);
            for arg in rest {
                match arg.as_str() {
                    "--no-build" => build = false,
                    _ if arg.starts_with('-') => return Err(unknown(arg, "e2e")),
                    _ if filter.is_none() => filter = Some(arg.clone()),
                    _ => return Err(UsageError(format!("e2e takes one FILTER, got `{arg}` too"))),
                }
            }
            Ok(Command::E2e { build, filter })
        }
        other => Err(UsageError(format!("unknown command `{other}`"))),
    }
}

/// The error for an argument `command` does not take.
fn unknown(arg: &str, command: &str) -> UsageError {
    UsageError(format!("unknown option `{arg}` for `{command}`"))
}

/// Reads the value of `--port`.
fn parse_port(value: Option<&String>) -> Result<u16, UsageError> {
    let value =
        value.ok_or_else(|| UsageError("--port needs a number, e.g. --port 8081".into()))?;
    value
        .parse()
        .map_err(|_| UsageError(format!("`{value}` is not a port number (0-65535)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn dist_writes_to_target_dist_or_the_one_dir_given() {
        assert_eq!(
            parse(&args("dist")),
            Ok(Command::Dist(PathBuf::from("target/dist")))
        );
        assert_eq!(
            parse(&args("dist public")),
            Ok(Command::Dist(PathBuf::from("public")))
        );
        assert!(parse(&args("dist a b")).is_err());
        assert!(parse(&args("dist --fast")).is_err());
    }

    #[test]
    fn serve_defaults_to_port_8080_and_building() {
        assert_eq!(
            parse(&args("serve")),
            Ok(Command::Serve {
                port: 8080,
                build: true
            })
        );
        assert_eq!(
            parse(&args("serve --port 9000 --no-build")),
            Ok(Command::Serve {
                port: 9000,
                build: false
            })
        );
        assert_eq!(
            parse(&args("serve --port=9001")),
            Ok(Command::Serve {
                port: 9001,
                build: true
            })
        );
    }

    #[test]
    fn bad_input_is_a_usage_error() {
        for line in [
            "",
            "frobnicate",
            "serve --port",
            "serve --port eighty",
            "serve --verbose",
            "test --only nosuchstage",
            "test --fast",
            "setup now",
            "e2e a b",
            "bench --fast",
        ] {
            assert!(parse(&args(line)).is_err(), "`{line}` was accepted");
        }
    }

    #[test]
    fn test_stage_lists_are_split_on_commas() {
        let Ok(Command::Test(selection)) = parse(&args("test --only fmt,clippy --skip=e2e")) else {
            panic!("test not parsed");
        };
        assert_eq!(selection.only, ["fmt", "clippy"]);
        assert_eq!(selection.skip, ["e2e"]);
    }
}
