//! The C presets against their assembly twins: the same evictions, and the fault counts
//! their scenario files explain (C's stack, and for the callback its globals' page); and C
//! sources in scenarios (`lang = "c"`), with compile errors reported like the assembler's.

use selfpage_core::{presets, LoadError, Scenario, Session, TaskSummary};

fn run(name: &str) -> TaskSummary {
    let scenario = presets::scenario(name).unwrap_or_else(|| panic!("no preset {name}"));
    let mut session = Session::new(scenario).unwrap_or_else(|e| panic!("{name}: {e}"));
    session.run_to_end();
    session.summary().tasks.remove(0)
}

#[test]
fn c_twins_fault_as_their_assembly_twins_plus_what_the_presets_explain() {
    // (assembly scenario, C scenario, extra faults in C)
    let pairs = [
        ("cyclic-scan-lru", "cyclic-scan-lru-c", 1),
        ("matrix-rows-tight", "matrix-rows-tight-c", 1),
        ("matrix-cols-tight", "matrix-cols-tight-c", 1),
        ("db-pool-lru", "db-pool-lru-c", 1),
        ("db-pool-app", "db-pool-app-c", 1),
        ("own-policy", "own-policy-c", 2),
    ];
    for (asm, c, extra) in pairs {
        let (a, b) = (run(asm), run(c));
        assert_eq!(b.status, "exited 0", "{c}");
        assert_eq!(b.faults, a.faults + extra, "{c} against {asm}");
        assert_eq!(
            (b.evictions, b.page_ins, b.page_outs),
            (a.evictions, a.page_ins, a.page_outs),
            "{c} against {asm}"
        );
    }
    // Under MRU the stack, always the most recent page, is what gets evicted (see the preset).
    assert!(run("cyclic-scan-mru-c").faults > run("cyclic-scan-mru").faults);
}

fn scenario(source: &str, lang: &str) -> String {
    format!(
        "name = \"c\"\nram_frames = 64\n[[task]]\nname = \"t\"\nlang = \"{lang}\"\nguaranteed = 8\nsource = '''\n{source}'''\n"
    )
}

#[test]
fn scenarios_take_c_sources_and_report_compile_errors_with_line_and_column() {
    let ok = "#include <selfpage.h>\nint main(void) {\n    printf(\"%d pages\\n\", 3);\n    return 7;\n}\n";
    let mut s =
        Session::new(Scenario::from_toml(&scenario(ok, "c")).expect("parses")).expect("boots");
    s.run_to_end();
    let t = s.summary().tasks.remove(0);
    assert_eq!(
        (t.status.as_str(), t.output.as_str()),
        ("exited 7", "3 pages\n")
    );

    let bad = "int main(void) {\n    return buf[0];\n}\n";
    match Session::new(Scenario::from_toml(&scenario(bad, "c")).expect("parses")) {
        Err(LoadError::Assemble { index, error, .. }) => {
            assert_eq!((index, error.line, error.column), (0, 2, 12));
            assert_eq!(error.message, "'buf' undeclared");
        }
        other => panic!("expected a compile error, got {:?}", other.map(|_| ())),
    }
    let e = Scenario::from_toml(&scenario(ok, "rust")).expect_err("refused");
    assert_eq!(
        e.to_string(),
        "task[0].lang: unknown language 'rust' (known: asm, c)"
    );
    let roundtrip = Scenario::from_toml(&scenario(ok, "c")).expect("parses");
    assert_eq!(
        Scenario::from_json(&roundtrip.to_json()).expect("json"),
        roundtrip
    );
}
