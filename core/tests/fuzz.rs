//! Bad input never panics: random text as a scenario (TOML or JSON), scenarios with random
//! field values, and random programs are refused with a reason or run to their budget.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use selfpage_core::{Scenario, Session, TaskSpec};

fn task(source: String, guaranteed: u32, extra: u32, policy: String) -> TaskSpec {
    TaskSpec {
        name: "t".into(),
        source: Some(source),
        preset: None,
        lang: None,
        guaranteed,
        extra,
        policy,
        ignore_pressure: false,
        start_at: 0,
    }
}

/// Lines a student might write, and some they might not.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("mov eax, [ebx]".to_string()),
        Just("mov [ecx+edx*4], eax".to_string()),
        Just("int 0x30".to_string()),
        Just("push eax".to_string()),
        Just("jmp _start".to_string()),
        (0u32..12).prop_map(|f| format!("mov eax, {f}")),
        any::<u32>().prop_map(|a| format!("mov ebx, {a:#x}")),
        any::<u32>().prop_map(|a| format!("mov ecx, {a:#x}")),
        any::<u32>().prop_map(|a| format!("add dword [{a:#x}], 1")),
    ]
}

/// Mostly valid lines, now and then a garbled one.
fn any_line() -> impl Strategy<Value = String> {
    prop_oneof![30 => line(), 1 => "[ -~]{0,20}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_text_is_refused_with_a_reason(text in "\\PC{0,300}") {
        if let Err(e) = Scenario::from_toml(&text) {
            prop_assert!(!e.to_string().is_empty());
        }
        if let Err(e) = Scenario::from_json(&text) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn random_programs_and_settings_run_to_their_budget_or_are_refused(
        lines in proptest::collection::vec(any_line(), 1..30),
        ram_frames in prop_oneof![9 => 32u32..300, 1 => 0u32..40],
        guaranteed in prop_oneof![9 => 1u32..12, 1 => 0u32..200],
        extra in 0u32..20,
        policy in prop_oneof![Just("lru"), Just("fifo"), Just("clock"), Just("mru"), Just("rand"), Just("app"), Just("callback"), Just("bogus")],
        seed in any::<u64>(),
    ) {
        let scenario = Scenario {
            name: "fuzz".into(),
            ram_frames,
            kernel_frames: None,
            seed,
            max_steps: 20_000,
            invlpg: seed % 2 == 0,
            tasks: vec![task(format!("_start:\n{}", lines.join("\n")), guaranteed, extra, policy.to_string())],
            disk: None,
            fs: None,
            files: Vec::new(),
        };
        match Session::new(scenario) {
            Ok(mut s) => {
                s.run_to_end();
                prop_assert!(s.kernel().retired() <= 20_000);
                prop_assert!(s.kernel().physmem().check_invariants().is_ok());
                s.step_back();
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
