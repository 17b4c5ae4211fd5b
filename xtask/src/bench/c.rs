//! The C compiler's figures: compile time of a 2,000-line program against the assembler's
//! time on the assembly it produced, and a compiled C loop on the emulator against the same
//! C compiled by `gcc -m32 -O0` and run natively. CPU times of this process and its children;
//! the compile is also timed in the page (wasm), against the assembler there.

use std::path::Path;
use std::process::Command;

use selfpage_core::exec;
use serde_json::{json, Value};

use super::browser::{browser_error, PAGE_CLOCK};
use super::clock::{children_cpu, thread_cpu};
use super::native::{Facts, CPU};
use super::table::{num, Row, Spread};
use super::{progress, Scale};

/// The figures this module adds, with their units.
pub const FIGURES: &[(&str, &str)] = &[(COMPILE, "ms"), (LOOP, "ns/iteration")];
/// The native compile figure (the wasm one goes right after it in the table).
pub const COMPILE: &str = "C compile of a 2,000-line program (native)";
/// The compile figure measured in the page.
pub const COMPILE_WASM: &str = "C compile of a 2,000-line program (wasm, Chromium)";
const LOOP: &str = "compiled C loop, emulated (native)";

/// A 2,000-line C program: functions of 20 lines over arrays, structs and loops.
pub fn two_thousand_lines() -> String {
    let mut s = String::from(
        "#include <selfpage.h>\nstruct acc { int sum; unsigned mix; char tag; };\nint table[64];\n",
    );
    let mut k = 0;
    while s.lines().count() < 1980 {
        s.push_str(&format!(
            "int step{k}(struct acc *a, int n) {{\n    int i, t = {k};\n    for (i = 0; i < n; i++) {{\n        t += table[(i + {k}) & 63] * (i ^ {k});\n        if (t > 100000) t -= 99991;\n        else if (t < -100000) t += 99991;\n        switch (i & 3) {{\n        case 0: a->sum += t; break;\n        case 1: a->mix ^= (unsigned)t << 3; break;\n        default: a->tag = (char)(t & 127);\n        }}\n    }}\n    a->mix = a->mix * 31u + (unsigned)t;\n    while (n > 0 && (a->mix & 1u)) {{\n        a->mix >>= 1;\n        n--;\n    }}\n    return t + a->sum % 7;\n}}\n"
        ));
        k += 1;
    }
    s.push_str("int main(void) {\n    struct acc a = {0, 1u, 0};\n    int r = 0;\n");
    for j in 0..k.min(8) {
        s.push_str(&format!("    r += step{j}(&a, 10);\n"));
    }
    s.push_str("    printf(\"%d %u\\n\", r, a.mix);\n    return r & 0xff;\n}\n");
    s
}

/// A loop of `n` iterations: array reads and writes, arithmetic and a branch.
fn c_loop(n: u64) -> String {
    format!(
        "int data[256];\nint main(void) {{\n    unsigned i, sum = 0;\n    for (i = 0; i < {n}u; i++) {{\n        data[i & 255] += (int)i;\n        sum += (unsigned)data[(i * 7u) & 255] ^ i;\n        if (sum & 1u) sum >>= 1;\n    }}\n    return (int)(sum & 0x7f);\n}}\n"
    )
}

/// The best (least) of `runs` measurements.
fn least(runs: usize, mut f: impl FnMut() -> Result<f64, String>) -> Result<f64, String> {
    let mut best: Option<f64> = None;
    for _ in 0..runs.max(1) {
        let v = f()?;
        best = Some(best.map_or(v, |b: f64| b.min(v)));
    }
    best.ok_or_else(|| "no run".into())
}

/// Timed runs of the compile and of the assembler, natively and in the page.
fn compile_reps(scale: Scale) -> usize {
    scale.repetitions() * 3
}

fn compile_row(scale: Scale, facts: &mut Facts) -> Row {
    let source = two_thousand_lines();
    let compiled = match selfpage_cc::compile_to_asm(&source) {
        Ok(o) => o,
        Err(e) => {
            return Row::skipped(COMPILE, "ms", &format!("the program does not compile: {e}"))
        }
    };
    let reps = compile_reps(scale);
    let compile = least(reps, || {
        let t = thread_cpu();
        selfpage_cc::compile_to_asm(&source).map_err(|e| e.to_string())?;
        Ok((thread_cpu() - t) * 1e3)
    });
    let assemble = least(reps, || {
        let t = thread_cpu();
        x86_emu::asm::assemble(&compiled.asm).map_err(|e| e.to_string())?;
        Ok((thread_cpu() - t) * 1e3)
    });
    match (compile, assemble) {
        (Ok(c), Ok(a)) => {
            facts.c_compile_ratio = Some(c / a);
            let note = format!(
                "lexer to assembly text (best of {reps}, thread CPU time), {} lines of C → {} \
                 lines of assembly; the reference is x86_emu::asm on that text",
                source.lines().count(),
                compiled.asm.lines().count()
            );
            Row::new(COMPILE, c, "ms")
                .vs(Some(a), "assembling the generated assembly")
                .timed(CPU)
                .note(note)
        }
        (Err(e), _) | (_, Err(e)) => Row::skipped(COMPILE, "ms", &e),
    }
}

/// What the page is given to compile (tests/e2e/bench.mjs, `c_compile`): the same program
/// and as many timed runs as the native figure.
pub fn browser_config(scale: Scale) -> Value {
    json!({ "source": two_thousand_lines(), "reps": compile_reps(scale) })
}

/// The compile figure in the page from the browser script's `c_compile` measurements: the
/// best compile against the best assembly of its output, both in wasm; `wall` says how the
/// page's clock ticks.
pub fn wasm_row(m: &Value, facts: &Facts, wall: &str) -> Row {
    let runs = |name: &str| -> Vec<f64> {
        m.pointer(&format!("/c_compile/{name}"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    let (compile, assemble) = (
        Spread::of(&runs("compile_ms"), false),
        Spread::of(&runs("assemble_ms"), false),
    );
    let (Some(c), Some(a)) = (compile, assemble) else {
        return Row::skipped(COMPILE_WASM, "ms", &browser_error(m, "c_compile"));
    };
    let lines = |name: &str| {
        m.pointer(&format!("/c_compile/{name}"))
            .and_then(Value::as_f64)
            .unwrap_or_default()
    };
    Row::new(COMPILE_WASM, c.best, "ms")
        .vs(
            Some(a.best),
            "assembling the generated assembly, in the page",
        )
        .timed(PAGE_CLOCK)
        .spread(compile)
        .note(format!(
            "{wall}, lexer to assembly text in wasm, best of {} runs after 2 warm-up runs, {} \
             lines of C → {} lines of assembly; the reference is x86_emu::asm on that text in \
             wasm (best {} ms, median {} ms); the native ratio: {}",
            c.runs,
            lines("c_lines"),
            lines("asm_lines"),
            num(a.best),
            num(a.median),
            facts
                .c_compile_ratio
                .map(|r| format!("{r:.3}"))
                .unwrap_or_else(|| "not measured".into())
        ))
}

/// Emulated seconds per iteration: the large run minus the small one (compile, load).
fn emulated(small: u64, large: u64) -> Result<f64, String> {
    let run = |n: u64| -> Result<f64, String> {
        let source = c_loop(n);
        let t = thread_cpu();
        let r = exec::exec_c(&source, None, u64::MAX);
        let dt = thread_cpu() - t;
        if r.stop != "exit" {
            return Err(format!(
                "the C loop stopped with {}: {:?}",
                r.stop, r.message
            ));
        }
        Ok(dt)
    };
    Ok((run(large)? - run(small)?) / (large - small) as f64)
}

/// Native seconds per iteration of the same C by gcc -m32 -O0.
fn native(small: u64, large: u64, dir: &Path) -> Result<f64, String> {
    let build = |n: u64| -> Result<std::path::PathBuf, String> {
        let c = dir.join(format!("loop{n}.c"));
        let exe = dir.join(format!("loop{n}"));
        std::fs::write(&c, c_loop(n)).map_err(|e| e.to_string())?;
        let out = Command::new("gcc")
            .args(["-m32", "-O0", "-o"])
            .arg(&exe)
            .arg(&c)
            .output()
            .map_err(|e| format!("gcc: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "gcc -m32 failed (install gcc-multilib): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(exe)
    };
    let (s, l) = (build(small)?, build(large)?);
    let run = |exe: &Path| -> Result<f64, String> {
        let t = children_cpu();
        Command::new(exe).status().map_err(|e| e.to_string())?;
        Ok(children_cpu() - t)
    };
    Ok((run(&l)? - run(&s)?) / (large - small) as f64)
}

/// The C compiler's rows.
pub fn rows(scale: Scale, facts: &mut Facts) -> Vec<Row> {
    progress("native: compiling a 2,000-line C program");
    let mut rows = vec![compile_row(scale, facts)];
    progress("native: a compiled C loop, emulated and by gcc -m32 -O0");
    let (small, large) = if scale.quick {
        (10_000, 200_000)
    } else {
        (100_000, 2_000_000)
    };
    let dir = std::env::temp_dir().join(format!("selfpage-bench-c-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let emu = least(scale.repetitions(), || emulated(small, large));
    let gcc = least(scale.repetitions(), || native(small, large, &dir));
    let _ = std::fs::remove_dir_all(&dir);
    rows.push(match emu {
        Err(e) => Row::skipped(LOOP, "ns/iteration", &e),
        Ok(e) => {
            let (reference, why) = match gcc {
                Ok(g) => (Some(g * 1e9), String::new()),
                Err(why) => (None, format!("; native skipped: {why}")),
            };
            Row::new(LOOP, e * 1e9, "ns/iteration")
                .vs(reference, "the same C by gcc -m32 -O0, run natively")
                .timed(CPU)
                .note(format!(
                    "CPU time of {large} minus {small} iterations of an array loop compiled by selfpage-cc and run by exec{why}"
                ))
        }
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_programs_compile_and_run() {
        let big = two_thousand_lines();
        assert!(big.lines().count() >= 2000);
        let r = exec::exec_c(&big, None, 50_000_000);
        assert_eq!(r.stop, "exit", "{:?}", r.message);
        let r = exec::exec_c(&c_loop(100), None, 1_000_000);
        assert_eq!(r.stop, "exit", "{:?}", r.message);
    }

    #[test]
    fn the_page_compile_row_is_the_best_compile_against_the_best_assembly() {
        let m = json!({ "c_compile": {
            "compile_ms": [30.0, 20.0, 25.0],
            "assemble_ms": [12.0, 10.0, 11.0],
            "c_lines": 2000,
            "asm_lines": 9000,
        }});
        let facts = Facts {
            c_compile_ratio: Some(1.5),
            ..Facts::default()
        };
        let row = wasm_row(&m, &facts, "wall time");
        assert_eq!(
            (row.value, row.reference, row.ratio),
            (Some(20.0), Some(10.0), Some(2.0))
        );
        assert_eq!(row.spread.map(|s| (s.median, s.runs)), Some((25.0, 3)));
        assert!(row.note.contains("native ratio: 1.500"), "{}", row.note);
        let failed = json!({ "errors": { "c_compile": "benchCompileC is not a function" } });
        let row = wasm_row(&failed, &facts, "wall time");
        assert_eq!(row.value, None);
        assert!(
            row.note.contains("benchCompileC is not a function"),
            "{}",
            row.note
        );
    }
}
