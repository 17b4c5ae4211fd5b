//! `selfpage`: the command-line face of the playground.

use std::io::Write;
use std::process::ExitCode;

use selfpage_core::{exec, presets, views, Scenario, Session, Stopped, Until};

const USAGE: &str = "\
selfpage — self-paging memory management on an emulated i386 (after the Hurd on L4)

USAGE:
  selfpage run SCENARIO [--trace FILE.jsonl] [--json] [--max-steps N]
      Run a scenario to completion: per-task summary and the trace hash.
      SCENARIO is a .toml or .json file, or the name of a built-in scenario.
  selfpage exec FILE.asm [--until LABEL] [--max-steps N] [--json]
      Assemble FILE and run it on the bare CPU in a flat address space with a stack.
      Stops at LABEL (before executing it), at exit (int 0x30 with eax=8, or Linux
      int 0x80 with eax=1), at a fault, or after N instructions (default 10000000).
  selfpage policy --policy P --frames N --refs 0,1,2,... [--seed S] [--json]
      Run one eviction policy (fifo, lru, opt, clock, mru, rand) over a page-reference
      string with N frames.
  selfpage presets
      List the built-in scenarios and workloads.
  selfpage --help
      This text.
";

/// Prints to stdout like `println!`. When the reader has gone (`selfpage presets | head -1`)
/// the program ends quietly, as Unix tools do, instead of panicking on the closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("selfpage: cannot write the output: {e}");
            std::process::exit(1);
        }
    };
}

/// A command-line error, printed with the usage hint.
struct CliError(String);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(code) => code,
        Err(CliError(msg)) => {
            eprintln!("selfpage: {msg}\n(try: selfpage --help)");
            ExitCode::from(2)
        }
    }
}

fn dispatch(args: &[String]) -> Result<ExitCode, CliError> {
    match args.first().map(String::as_str) {
        None | Some("--help" | "-h" | "help") => {
            out!("{}", USAGE.trim_end());
            Ok(ExitCode::SUCCESS)
        }
        Some("run") => run(&args[1..]),
        Some("exec") => exec_cmd(&args[1..]),
        Some("policy") => policy(&args[1..]),
        Some("presets") => {
            out!("scenarios: {}", presets::scenario_names().join(", "));
            out!("workloads: {}", presets::program_names().join(", "));
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(CliError(format!("unknown command '{other}'"))),
    }
}

/// Parsed flags: `--name value` pairs, `--switch` flags and positional words.
struct Flags {
    values: Vec<(String, String)>,
    switches: Vec<String>,
    positional: Vec<String>,
}

fn parse(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<Flags, CliError> {
    let mut f = Flags {
        values: Vec::new(),
        switches: Vec::new(),
        positional: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if with_value.contains(&a.as_str()) {
            let v = it
                .next()
                .ok_or_else(|| CliError(format!("{a} needs a value")))?;
            f.values.push((a.clone(), v.clone()));
        } else if switches.contains(&a.as_str()) {
            f.switches.push(a.clone());
        } else if a.starts_with("--") {
            return Err(CliError(format!("unknown flag '{a}'")));
        } else {
            f.positional.push(a.clone());
        }
    }
    Ok(f)
}

impl Flags {
    fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn number(&self, name: &str) -> Result<Option<u64>, CliError> {
        self.value(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| CliError(format!("{name}: '{v}' is not a whole number")))
            })
            .transpose()
    }
    fn has(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }
    fn one_positional(&self, what: &str) -> Result<&str, CliError> {
        match self.positional.as_slice() {
            [one] => Ok(one),
            [] => Err(CliError(format!("missing {what}"))),
            _ => Err(CliError(format!(
                "expected one {what}, got {}",
                self.positional.len()
            ))),
        }
    }
}

fn load_scenario(arg: &str) -> Result<Scenario, CliError> {
    if let Some(s) = presets::scenario(arg) {
        return Ok(s);
    }
    let text = std::fs::read_to_string(arg).map_err(|e| {
        CliError(format!(
            "cannot read scenario '{arg}': {e} (built-in scenarios: {})",
            presets::scenario_names().join(", ")
        ))
    })?;
    let parsed = if arg.ends_with(".json") {
        Scenario::from_json(&text)
    } else {
        Scenario::from_toml(&text)
    };
    parsed.map_err(|e| CliError(format!("{arg}: {e}")))
}

fn run(args: &[String]) -> Result<ExitCode, CliError> {
    let f = parse(args, &["--trace", "--max-steps"], &["--json"])?;
    let mut scenario = load_scenario(f.one_positional("SCENARIO")?)?;
    if let Some(n) = f.number("--max-steps")? {
        scenario.max_steps = n.max(1);
    }
    let mut session = Session::new(scenario).map_err(|e| CliError(e.to_string()))?;
    let total = session.scenario().max_steps;
    let progress = !f.has("--json") && total > 50_000_000;
    loop {
        let stop = session.run(10_000_000, Until::Budget);
        if progress {
            eprint!("\r{} instructions…", session.kernel().retired());
        }
        if stop != Stopped::Budget || session.kernel().retired() >= total {
            break;
        }
    }
    if progress {
        eprintln!();
    }
    if let Some(path) = f.value("--trace") {
        write_trace(&session, path)?;
    }
    let summary = session.summary();
    if f.has("--json") {
        out!(
            "{}",
            serde_json::to_string_pretty(&summary).unwrap_or_default()
        );
    } else {
        out!(
            "{} (seed {}): {} instructions, {} events, time {}",
            summary.scenario,
            summary.seed,
            summary.instructions,
            summary.events,
            summary.time
        );
        out!(
            "{:<4} {:<16} {:>12} {:>8} {:>8} {:>9} {:>9} {:>6}  status",
            "id",
            "task",
            "instructions",
            "faults",
            "page-ins",
            "page-outs",
            "evictions",
            "frames"
        );
        for t in &summary.tasks {
            out!(
                "{:<4} {:<16} {:>12} {:>8} {:>8} {:>9} {:>9} {:>6}  {}",
                t.id,
                t.name,
                t.instructions,
                t.faults,
                t.page_ins,
                t.page_outs,
                t.evictions,
                t.frames_held,
                t.status
            );
        }
        out!(
            "TLB: {} hits, {} misses",
            summary.tlb_hits,
            summary.tlb_misses
        );
        out!("trace hash {}", summary.trace_hash);
    }
    Ok(ExitCode::SUCCESS)
}

fn write_trace(session: &Session, path: &str) -> Result<(), CliError> {
    use std::io::Write;
    let file = std::fs::File::create(path).map_err(|e| CliError(format!("--trace {path}: {e}")))?;
    let mut w = std::io::BufWriter::new(file);
    let trace = session.kernel().trace();
    for r in trace.records() {
        let line = serde_json::to_string(r).unwrap_or_default();
        writeln!(w, "{line}").map_err(|e| CliError(format!("--trace {path}: {e}")))?;
    }
    w.flush()
        .map_err(|e| CliError(format!("--trace {path}: {e}")))
}

fn exec_cmd(args: &[String]) -> Result<ExitCode, CliError> {
    let f = parse(args, &["--until", "--max-steps"], &["--json"])?;
    let path = f.one_positional("FILE.asm")?;
    let source = std::fs::read_to_string(path)
        .map_err(|e| CliError(format!("cannot read '{path}': {e}")))?;
    let report = exec::exec(
        &source,
        f.value("--until"),
        f.number("--max-steps")?.unwrap_or(10_000_000),
    );
    if f.has("--json") {
        out!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        out!(
            "stop: {}{}",
            report.stop,
            report
                .message
                .as_deref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        );
        out!(
            "eip={:08x} eax={:08x} ebx={:08x} ecx={:08x} edx={:08x}",
            report.eip,
            report.eax,
            report.ebx,
            report.ecx,
            report.edx
        );
        out!(
            "esi={:08x} edi={:08x} ebp={:08x} esp={:08x} eflags={:08x} steps={}",
            report.esi,
            report.edi,
            report.ebp,
            report.esp,
            report.eflags,
            report.steps
        );
        if report.undefined_flags != 0 {
            let undefined = views::flag_names(report.undefined_flags);
            out!("undefined flags (the architecture does not define them): {undefined}");
        }
    }
    Ok(if report.stop == "error" {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn policy(args: &[String]) -> Result<ExitCode, CliError> {
    let f = parse(
        args,
        &["--policy", "--frames", "--refs", "--seed"],
        &["--json"],
    )?;
    let name = f
        .value("--policy")
        .ok_or_else(|| CliError("--policy is required".into()))?;
    let kind = libhurd_mm::PolicyKind::parse(name).ok_or_else(|| {
        CliError(format!(
            "--policy: unknown policy '{name}' (fifo, lru, opt, clock, mru, rand)"
        ))
    })?;
    let frames = f
        .number("--frames")?
        .ok_or_else(|| CliError("--frames is required".into()))?;
    let frames = u32::try_from(frames)
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| CliError("--frames must be between 1 and 4294967295".into()))?;
    let refs = f
        .value("--refs")
        .ok_or_else(|| CliError("--refs is required".into()))?;
    let refs: Vec<u32> = refs
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse()
                .map_err(|_| CliError(format!("--refs: '{s}' is not a page number")))
        })
        .collect::<Result<_, _>>()?;
    let report = libhurd_mm::simulate(kind, frames, &refs, f.number("--seed")?.unwrap_or(1));
    if f.has("--json") {
        out!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        out!(
            "{name} with {frames} frames: {} hits, {} misses",
            report.hits,
            report.misses
        );
    }
    Ok(ExitCode::SUCCESS)
}
