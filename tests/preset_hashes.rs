//! Every preset scenario, run to its end, gives the trace hash committed in
//! `preset_hashes.txt`: same scenario and seed, same trace, on every host and in every build.
//! A change that alters a preset's trace on purpose updates the file
//! (`UPDATE_GOLDEN=1 cargo test -p selfpage-tests --test preset_hashes`) and says why in
//! its commit; a new preset adds its line.

use selfpage_core::{presets, Session};

/// `name hash` for every preset, in the order of `presets::scenario_names()`.
fn hashes() -> String {
    presets::scenario_names()
        .into_iter()
        .map(|name| {
            let scenario = presets::scenario(name).unwrap_or_else(|| panic!("no preset {name}"));
            let mut session =
                Session::new(scenario).unwrap_or_else(|e| panic!("{name} does not boot: {e}"));
            session.run_to_end();
            format!("{name} {}\n", session.summary().trace_hash)
        })
        .collect()
}

#[test]
fn every_preset_keeps_its_trace_hash() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("preset_hashes.txt");
    let got = hashes();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).expect("write preset_hashes.txt");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("tests/preset_hashes.txt");
    let want: Vec<&str> = want.lines().collect();
    let got: Vec<&str> = got.lines().collect();
    let changed: Vec<String> = got
        .iter()
        .filter(|line| !want.contains(line))
        .map(|line| {
            let name = line.split(' ').next().unwrap_or(line);
            match want.iter().find(|w| w.split(' ').next() == Some(name)) {
                Some(old) => format!("{name}: was {old}, now {line}"),
                None => format!("{name}: new preset, add `{line}` to preset_hashes.txt"),
            }
        })
        .collect();
    assert!(
        changed.is_empty(),
        "preset traces changed:\n{}",
        changed.join("\n")
    );
    let name = |line: &&str| line.split(' ').next().map(str::to_owned);
    let names: Vec<Option<String>> = got.iter().map(name).collect();
    let gone: Vec<&&str> = want.iter().filter(|w| !names.contains(&name(w))).collect();
    assert!(gone.is_empty(), "presets gone or renamed: {gone:?}");
}
