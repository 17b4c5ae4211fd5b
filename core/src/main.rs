//! `selfpage`: the command-line face of the playground.

use std::io::Write;
use std::process::ExitCode;

use libhurd_mm::{curve, stack_distance, PolicyKind};
use selfpage_core::{exec, presets, views, Scenario, Session, Stopped, Until};

const USAGE: &str = "\
selfpage — self-paging memory management on an emulated i386 (after the Hurd on L4)

USAGE:
  selfpage run SCENARIO [--trace FILE.jsonl] [--json] [--max-steps N] [--file-out PATH=OUT]
      Run a scenario to completion: per-task summary, the file server's and the ramdisk's
      counters, and the trace hash. SCENARIO is a .toml or .json file, or the name of a
      built-in scenario. --trace writes every record kept as a line of JSON (the fault of
      a task written in C adds c_line, the C line of the faulting access). --file-out
      writes file PATH, as on the ramdisk after the run, to OUT (may be given more than once).
  selfpage exec FILE.asm|FILE.c [--until LABEL] [--max-steps N] [--json]
      Assemble FILE (or compile it, for .c) and run it on the bare CPU in a flat address
      space with a stack. Stops at LABEL (before executing it; a function for C), at exit
      (int 0x30 with eax=8, or Linux int 0x80 with eax=1), at a fault, or after N
      instructions (default 10000000). Prints what the program printed; --json adds
      exit_code and output.
  selfpage policy --policy P --frames N --refs 0,1,2,... [--seed S] [--json]
      Run one eviction policy (fifo, lru, opt, clock, mru, rand) over a page-reference
      string with N frames.
  selfpage mrc SCENARIO [--task ID] | mrc --refs 1,2,3,...
        [--policies fifo,clock,lru,mru,random,opt] [--frames A..B] [--seed S] [--json]
      Miss-ratio curves: faults at every frame count from A to B (default 1 to the number
      of pages referenced) for each policy, over a typed reference string (at most
      16,777,216 references) or the pages a scenario's task touched in its run (the
      oracle's view: every fetch, read and write, which no live pager sees). LRU and OPT
      come from one pass of stack distances; the others are simulated at each count.
      --json prints {\"frames\": [...], \"policies\": {\"lru\": [...], ...}}.
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
        Some("mrc") => mrc(&args[1..]),
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
    let f = parse(args, &["--trace", "--max-steps", "--file-out"], &["--json"])?;
    let outs = file_outs(&f)?;
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
    for (path, out) in &outs {
        write_file_out(&session, path, out)?;
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
        if let Some(fs) = &summary.files {
            out!(
                "file server: {} cache hits, {} misses, {} pages written back, {} evicted; {} pages cached ({} dirty)",
                fs.cache.hits,
                fs.cache.misses,
                fs.cache.written_back,
                fs.cache.evicted,
                fs.cached,
                fs.dirty
            );
            out!(
                "ramdisk: {} blocks read, {} blocks written",
                fs.disk.blocks_read,
                fs.disk.blocks_written
            );
        }
        out!("trace hash {}", summary.trace_hash);
    }
    Ok(ExitCode::SUCCESS)
}

/// Every `--file-out PATH=OUT` of the command line (the flag may repeat).
fn file_outs(f: &Flags) -> Result<Vec<(String, String)>, CliError> {
    f.values
        .iter()
        .filter(|(name, _)| name == "--file-out")
        .map(|(_, v)| match v.split_once('=') {
            Some((path, out)) if !path.is_empty() && !out.is_empty() => {
                Ok((path.to_string(), out.to_string()))
            }
            _ => Err(CliError(format!(
                "--file-out {v}: give PATH=OUT, e.g. --file-out /data/table=table.bin"
            ))),
        })
        .collect()
}

/// Writes file `path` as it is on the ramdisk now to `out`.
fn write_file_out(session: &Session, path: &str, out: &str) -> Result<(), CliError> {
    let server = session
        .kernel()
        .file_server()
        .ok_or_else(|| CliError(format!("--file-out {path}: this scenario has no disk")))?;
    let bytes = server
        .contents(path)
        .map_err(|e| CliError(format!("--file-out {path}: {e}")))?;
    std::fs::write(out, bytes).map_err(|e| CliError(format!("--file-out {out}: {e}")))
}

fn write_trace(session: &Session, path: &str) -> Result<(), CliError> {
    use std::io::Write;
    let file = std::fs::File::create(path).map_err(|e| CliError(format!("--trace {path}: {e}")))?;
    let mut w = std::io::BufWriter::new(file);
    let kernel = session.kernel();
    for r in kernel.trace().records() {
        let line = kernel.trace_json(r);
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
    let run = if path.ends_with(".c") {
        exec::exec_c
    } else {
        exec::exec
    };
    let report = run(
        &source,
        f.value("--until"),
        f.number("--max-steps")?.unwrap_or(10_000_000),
    );
    if f.has("--json") {
        out!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        if !report.output.is_empty() {
            out!("{}", report.output.trim_end_matches('\n'));
        }
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

/// The reference string `mrc` draws from: typed, or a scenario task's recorded run.
struct Stream {
    what: String,
    refs: Vec<u32>,
    seed: u64,
    frames: Option<u32>,
}

fn mrc_stream(f: &Flags) -> Result<Stream, CliError> {
    let seed = f.number("--seed")?;
    if let Some(text) = f.value("--refs") {
        if !f.positional.is_empty() || f.value("--task").is_some() {
            return Err(CliError(
                "give either --refs or a SCENARIO (with --task), not both".into(),
            ));
        }
        let refs = curve::parse_refs(text).map_err(|e| CliError(format!("--refs: {e}")))?;
        return Ok(Stream {
            what: format!("{} typed references", refs.len()),
            refs,
            seed: seed.unwrap_or(1),
            frames: None,
        });
    }
    let scenario = load_scenario(f.one_positional("SCENARIO (or --refs 1,2,3,...)")?)?;
    let name = scenario.name.clone();
    let scenario_seed = scenario.seed;
    let mut session = Session::new(scenario).map_err(|e| CliError(e.to_string()))?;
    session.run_to_end();
    let refs = session.references();
    let ids = || {
        refs.tasks
            .iter()
            .map(|t| format!("{} ({})", t.id, t.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let id = match f.number("--task")? {
        Some(id) => u32::try_from(id).unwrap_or(u32::MAX),
        None => refs.tasks.first().map_or(0, |t| t.id),
    };
    let task = refs.task(id).ok_or_else(|| {
        CliError(format!(
            "--task: scenario '{name}' has no task {id}; its tasks are {}",
            ids()
        ))
    })?;
    curve::check_refs(&task.pages)
        .map_err(|e| CliError(format!("task {id} ({}) of '{name}': {e}", task.name)))?;
    let dropped = if task.dropped > 0 {
        format!(
            ", the first {} kept of {}",
            task.pages.len(),
            task.pages.len() as u64 + task.dropped
        )
    } else {
        String::new()
    };
    Ok(Stream {
        what: format!(
            "task {id} ({}) of '{name}': {} page references{dropped}, recorded as the oracle sees them",
            task.name,
            task.pages.len()
        ),
        refs: task.pages.clone(),
        seed: seed.unwrap_or_else(|| selfpage_core::pager_seed(scenario_seed, id)),
        frames: Some(task.frames),
    })
}

fn mrc(args: &[String]) -> Result<ExitCode, CliError> {
    let f = parse(
        args,
        &["--task", "--refs", "--policies", "--frames", "--seed"],
        &["--json"],
    )?;
    let stream = mrc_stream(&f)?;
    let policies = match f.value("--policies") {
        None => curve::CURVE_POLICIES.to_vec(),
        Some(list) => list
            .split(',')
            .filter(|w| !w.trim().is_empty())
            .map(|w| w.parse().map_err(|e| CliError(format!("--policies: {e}"))))
            .collect::<Result<Vec<PolicyKind>, _>>()?,
    };
    if policies.is_empty() {
        return Err(CliError("--policies: name at least one policy".into()));
    }
    let range = match f.value("--frames") {
        Some(text) => {
            curve::FrameRange::parse(text).map_err(|e| CliError(format!("--frames: {e}")))?
        }
        None => {
            let pages = stack_distance::dense(&stream.refs).1 as u64;
            curve::FrameRange::new(1, pages.clamp(1, u64::from(curve::MAX_FRAMES)))
                .map_err(|e| CliError(format!("--frames: {e}")))?
        }
    };
    let curves: Vec<(PolicyKind, Vec<u64>)> = policies
        .iter()
        .map(|&k| (k, curve::miss_curve(k, &stream.refs, range, stream.seed)))
        .collect();
    if f.has("--json") {
        let json = serde_json::json!({
            "frames": range.counts().collect::<Vec<u32>>(),
            "policies": curves
                .iter()
                .map(|(k, c)| (k.as_str().to_string(), serde_json::json!(c)))
                .collect::<serde_json::Map<String, serde_json::Value>>(),
        });
        out!("{json}");
        return Ok(ExitCode::SUCCESS);
    }
    out!("Faults by frame count, {}", stream.what);
    let mut head = format!("{:>7}", "frames");
    for (k, _) in &curves {
        head += &format!(" {:>9}", k.as_str());
    }
    out!("{head}");
    for (i, frames) in range.counts().enumerate() {
        let mark = if stream.frames == Some(frames) {
            " ◀ the task's frames"
        } else {
            ""
        };
        let mut row = format!("{frames:>7}");
        for (_, c) in &curves {
            row += &format!(" {:>9}", c[i]);
        }
        out!("{row}{mark}");
    }
    let mut knees = format!("{:>7}", "knee");
    for (_, c) in &curves {
        let k = curve::knee(range.first(), c).map_or("-".to_string(), |k| k.to_string());
        knees += &format!(" {k:>9}");
    }
    out!("{knees}");
    for (k, c) in &curves {
        for at in curve::belady_points(range.first(), c) {
            let i = (at - range.first()) as usize;
            out!(
                "Belady's anomaly: {} faults more with {at} frames ({}) than with {} ({})",
                k.as_str(),
                c[i],
                at - 1,
                c[i - 1]
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
