//! Built-in workloads and scenarios, shipped inside the binary.

use crate::scenario::Scenario;

/// Built-in workloads: (name, assembly source).
const PROGRAMS: &[(&str, &str)] = &[
    ("first-fault", include_str!("../presets/first-fault.asm")),
    ("cyclic-scan", include_str!("../presets/cyclic-scan.asm")),
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
