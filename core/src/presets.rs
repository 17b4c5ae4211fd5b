//! Built-in workloads and scenarios, shipped inside the binary.

use crate::scenario::Scenario;

/// Built-in workloads: (name, assembly or, for names ending in `.c`, C source).
const PROGRAMS: &[(&str, &str)] = &[
    ("first-fault", include_str!("../presets/first-fault.asm")),
    ("cyclic-scan", include_str!("../presets/cyclic-scan.asm")),
    ("own-policy", include_str!("../presets/own-policy.asm")),
    ("fork-cow", include_str!("../presets/fork-cow.asm")),
    ("lazy-binding", include_str!("../presets/lazy-binding.asm")),
    ("seq-scan", include_str!("../presets/seq-scan.asm")),
    (
        "random-access",
        include_str!("../presets/random-access.asm"),
    ),
    ("matrix-rows", include_str!("../presets/matrix-rows.asm")),
    ("matrix-cols", include_str!("../presets/matrix-cols.asm")),
    ("cyclic-hints", include_str!("../presets/cyclic-hints.asm")),
    ("db-pool", include_str!("../presets/db-pool.asm")),
    ("zipf-cache", include_str!("../presets/zipf-cache.asm")),
    (
        "zipf-cache-anon",
        include_str!("../presets/zipf-cache-anon.asm"),
    ),
    ("hog", include_str!("../presets/hog.asm")),
    ("latecomer", include_str!("../presets/latecomer.asm")),
    ("callback-pin", include_str!("../presets/callback-pin.asm")),
    // C twins of five workloads (the `.c` names are compiled by selfpage-cc).
    ("cyclic-scan.c", include_str!("../presets/cyclic-scan.c")),
    ("matrix-rows.c", include_str!("../presets/matrix-rows.c")),
    ("matrix-cols.c", include_str!("../presets/matrix-cols.c")),
    ("db-pool.c", include_str!("../presets/db-pool.c")),
    ("own-policy.c", include_str!("../presets/own-policy.c")),
    ("file-writer", include_str!("../presets/file-writer.asm")),
    ("file-reader", include_str!("../presets/file-reader.asm")),
    ("file-private", include_str!("../presets/file-private.asm")),
    ("file-scan", include_str!("../presets/file-scan.asm")),
];

/// Built-in scenarios: (name, TOML).
const SCENARIOS: &[(&str, &str)] = &[
    ("first-fault", include_str!("../presets/first-fault.toml")),
    (
        "cyclic-scan-lru",
        include_str!("../presets/cyclic-scan-lru.toml"),
    ),
    (
        "cyclic-scan-mru",
        include_str!("../presets/cyclic-scan-mru.toml"),
    ),
    ("own-policy", include_str!("../presets/own-policy.toml")),
    ("fork-cow", include_str!("../presets/fork-cow.toml")),
    ("lazy-binding", include_str!("../presets/lazy-binding.toml")),
    ("seq-scan", include_str!("../presets/seq-scan.toml")),
    (
        "random-access",
        include_str!("../presets/random-access.toml"),
    ),
    ("matrix-rows", include_str!("../presets/matrix-rows.toml")),
    ("matrix-cols", include_str!("../presets/matrix-cols.toml")),
    (
        "matrix-rows-tight",
        include_str!("../presets/matrix-rows-tight.toml"),
    ),
    (
        "matrix-cols-tight",
        include_str!("../presets/matrix-cols-tight.toml"),
    ),
    (
        "cyclic-hints-lru",
        include_str!("../presets/cyclic-hints-lru.toml"),
    ),
    (
        "cyclic-hints-app",
        include_str!("../presets/cyclic-hints-app.toml"),
    ),
    ("db-pool-lru", include_str!("../presets/db-pool-lru.toml")),
    ("db-pool-app", include_str!("../presets/db-pool-app.toml")),
    ("zipf-cache", include_str!("../presets/zipf-cache.toml")),
    (
        "zipf-cache-anon",
        include_str!("../presets/zipf-cache-anon.toml"),
    ),
    (
        "competing-tasks",
        include_str!("../presets/competing-tasks.toml"),
    ),
    ("callback-pin", include_str!("../presets/callback-pin.toml")),
    ("stale-tlb", include_str!("../presets/stale-tlb.toml")),
    (
        "competing-tasks-polite",
        include_str!("../presets/competing-tasks-polite.toml"),
    ),
    (
        "zipf-pressure",
        include_str!("../presets/zipf-pressure.toml"),
    ),
    (
        "zipf-anon-pressure",
        include_str!("../presets/zipf-anon-pressure.toml"),
    ),
    (
        "stale-tlb-broken",
        include_str!("../presets/stale-tlb-broken.toml"),
    ),
    (
        "cyclic-scan-lru-c",
        include_str!("../presets/cyclic-scan-lru-c.toml"),
    ),
    (
        "cyclic-scan-mru-c",
        include_str!("../presets/cyclic-scan-mru-c.toml"),
    ),
    (
        "matrix-rows-tight-c",
        include_str!("../presets/matrix-rows-tight-c.toml"),
    ),
    (
        "matrix-cols-tight-c",
        include_str!("../presets/matrix-cols-tight-c.toml"),
    ),
    (
        "db-pool-lru-c",
        include_str!("../presets/db-pool-lru-c.toml"),
    ),
    (
        "db-pool-app-c",
        include_str!("../presets/db-pool-app-c.toml"),
    ),
    ("own-policy-c", include_str!("../presets/own-policy-c.toml")),
    ("file-shared", include_str!("../presets/file-shared.toml")),
    ("file-private", include_str!("../presets/file-private.toml")),
    ("file-scan", include_str!("../presets/file-scan.toml")),
    (
        "file-pressure",
        include_str!("../presets/file-pressure.toml"),
    ),
];

/// The source of a built-in workload.
pub fn program(name: &str) -> Option<&'static str> {
    PROGRAMS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// Names of the built-in workloads.
pub fn program_names() -> Vec<&'static str> {
    PROGRAMS.iter().map(|(n, _)| *n).collect()
}

/// Names of the built-in scenarios.
pub fn scenario_names() -> Vec<&'static str> {
    SCENARIOS.iter().map(|(n, _)| *n).collect()
}

/// A built-in scenario, parsed.
pub fn scenario(name: &str) -> Option<Scenario> {
    let text = SCENARIOS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)?;
    Scenario::from_toml(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_scenario_parses() {
        for name in scenario_names() {
            assert!(
                scenario(name).is_some(),
                "preset scenario {name} does not parse"
            );
        }
    }
}
