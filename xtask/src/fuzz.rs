//! `cargo xtask fuzz --seconds N [--seed S]`: runs every fuzz target (proptest properties fed
//! random input) round robin with a fresh seed each time until N seconds have passed. A
//! failure stops the run with the seed that reproduces it and proptest's minimal failing
//! input, which becomes a named regression test (proptest cannot always save it to a
//! `.proptest-regressions` file for integration tests).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cmd;

/// One fuzz target: a package and the test binary (or library filter) holding its properties.
struct Target {
    /// Shown in progress lines.
    name: &'static str,
    /// `cargo test` arguments selecting it (after `--`: the test binary's filter).
    args: &'static [&'static str],
    /// Extra environment for a fuzz run.
    env: &'static [(&'static str, &'static str)],
}

/// Every fuzz target: the assembler, the C compiler, the decoder/executor on random bytes, physmem request
/// sequences, the pager's properties, scenario text and programs, and the kernel soak.
const TARGETS: &[Target] = &[
    Target {
        name: "assembler (random source text)",
        args: &["-p", "x86-emu", "--test", "asm_fuzz"],
        env: &[],
    },
    Target {
        name: "C compiler (token soup, mutated programs, 64 KiB extremes)",
        args: &["-p", "selfpage-cc", "--test", "fuzz"],
        env: &[],
    },
    Target {
        name: "decoder/executor (random bytes as code)",
        args: &["-p", "x86-emu", "--test", "robust"],
        env: &[],
    },
    Target {
        name: "physmem (random request sequences, several tasks)",
        args: &["-p", "physmem", "--lib", "proptests"],
        env: &[("PHYSMEM_PROP_CASES", "256")],
    },
    Target {
        name: "libhurd-mm (regions, policies, pager)",
        args: &["-p", "libhurd-mm", "--lib"],
        env: &[],
    },
    Target {
        name: "scenarios and URLs (random TOML/JSON, fields, programs)",
        args: &["-p", "selfpage-core", "--test", "fuzz"],
        env: &[],
    },
    Target {
        name: "kernel soak (random scenarios; invariants after every event)",
        args: &[
            "-p",
            "selfpage-tests",
            "--test",
            "soak",
            "--",
            "--skip",
            "with_files",
        ],
        env: &[("SOAK_STEPS", "2000000"), ("SOAK_CASES", "100")],
    },
    // Files make every event dearer to check (the file server's state, a rewind and replay
    // per case): fewer and shorter runs, so one round stays within the CI pass's minute.
    Target {
        name: "kernel soak with files (ramdisk, file server, mappings; invariants, rewind)",
        args: &["-p", "selfpage-tests", "--test", "soak", "--", "with_files"],
        env: &[("SOAK_STEPS", "300000"), ("SOAK_CASES", "24")],
    },
];

/// The options of `cargo xtask fuzz`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// How long to fuzz, in seconds.
    pub seconds: u64,
    /// The first seed (each run adds one); default: from the clock.
    pub seed: Option<u64>,
}

/// Parses the arguments after `fuzz`.
pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        seconds: 60,
        seed: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = |what: &str| {
            let v = inline.clone().or_else(|| args.next().cloned());
            v.and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| format!("{flag} needs {what}"))
        };
        match flag {
            "--seconds" => o.seconds = value("a whole number of seconds, e.g. --seconds 300")?,
            "--seed" => o.seed = Some(value("a number, e.g. --seed 42")?),
            _ => return Err(format!("unknown option `{arg}` for `fuzz`")),
        }
    }
    if o.seconds == 0 {
        return Err("--seconds must be at least 1".into());
    }
    Ok(o)
}

/// Builds the targets, then runs them round robin, each time with the next seed, until the
/// time is up (every target runs at least once).
pub fn run(options: Options) -> Result<(), String> {
    println!("fuzz: building the {} targets", TARGETS.len());
    for t in TARGETS {
        // Only cargo's own arguments: what follows `--` selects tests when it runs.
        let cargo_args = t.args.split(|a| *a == "--").next().unwrap_or_default();
        cmd::run(cmd::cargo().arg("test").args(cargo_args).arg("--no-run"))?;
    }
    let mut seed = options.seed.unwrap_or_else(clock_seed);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(options.seconds);
    let mut runs = vec![0u32; TARGETS.len()];
    'rounds: loop {
        for (i, t) in TARGETS.iter().enumerate() {
            if runs[i] > 0 && Instant::now() >= deadline {
                break 'rounds;
            }
            let mut c = cmd::cargo();
            c.arg("test").args(t.args).arg("--quiet");
            c.env("PROPTEST_RNG_SEED", seed.to_string());
            for (k, v) in t.env {
                c.env(k, v);
            }
            println!(
                "fuzz [{:5.0} s]: {} — seed {seed}",
                start.elapsed().as_secs_f64(),
                t.name
            );
            if let Err(e) = cmd::run(&mut c) {
                return Err(format!(
                    "{}: {e}\nreproduce with: {}\nproptest printed the minimal failing input \
                     above: add it as a named regression test",
                    t.name,
                    cmd::display(&c)
                ));
            }
            runs[i] += 1;
            seed = seed.wrapping_add(1);
        }
    }
    println!("fuzz: no failure in {:.0} s", start.elapsed().as_secs_f64());
    for (t, n) in TARGETS.iter().zip(runs) {
        println!("  {n:4} runs  {}", t.name);
    }
    Ok(())
}

/// A seed from the clock, so each fuzz session explores new input.
fn clock_seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_are_parsed_and_bad_ones_refused() {
        assert_eq!(
            parse(&args("--seconds 300 --seed=7")),
            Ok(Options {
                seconds: 300,
                seed: Some(7)
            })
        );
        assert_eq!(parse(&args("")).map(|o| o.seconds), Ok(60));
        for bad in ["--seconds", "--seconds ten", "--seconds 0", "--fast"] {
            assert!(parse(&args(bad)).is_err(), "`{bad}` was accepted");
        }
    }
}
