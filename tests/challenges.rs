//! Challenges are graded from the real run: the starting program misses each goal, a known
//! solution meets it, and submissions that change what a challenge keeps fixed, or do not
//! assemble, are refused with a message.

use selfpage_core::challenges::{self, ChallengeError};
use selfpage_core::presets;

/// The starting scenario, then a solution (a preset that solves it, or the starting
/// scenario with a policy change), for each challenge.
fn solution(number: usize) -> selfpage_core::Scenario {
    match number {
        1 => presets::scenario("own-policy").expect("preset"),
        2 => presets::scenario("db-pool-app").expect("preset"),
        _ => {
            let mut s = challenges::challenge(3)
                .expect("3")
                .start_scenario()
                .expect("start");
            s.tasks[0].guaranteed = 26;
            s
        }
    }
}

#[test]
fn every_challenge_starts_below_its_goal_and_a_known_solution_meets_it() {
    let all = challenges::all().expect("every challenge parses");
    assert!(all.len() >= 3);
    for c in &all {
        let start = c.start_scenario().expect("the starting program builds");
        let v = c.grade(&start).expect("the start is gradable");
        assert!(
            !v.met,
            "challenge {}: the start already meets the goal: {}",
            c.number, v.reason
        );
        let v = c
            .grade(&solution(c.number))
            .expect("the solution is gradable");
        assert!(
            v.met,
            "challenge {}: the solution fails: {}",
            c.number, v.reason
        );
        assert!(v.yours.time.is_some());
        if c.goal != challenges::Goal::ExitsCleanly {
            assert!(
                v.lru.is_some(),
                "challenge {} has an LRU baseline",
                c.number
            );
        }
    }
}

#[test]
fn the_eviction_challenge_measures_against_opt_and_lru_on_the_scan() {
    let c = challenges::challenge(1).expect("1");
    let v = c.grade(&solution(1)).expect("graded");
    let (opt, lru) = (v.opt.expect("OPT").faults, v.lru.expect("LRU").faults);
    assert!(opt < lru, "OPT {opt} vs LRU {lru}");
    assert!(
        v.yours.faults * 100 <= opt * 125,
        "{} vs OPT {opt}",
        v.yours.faults
    );
    let start = c
        .grade(&c.start_scenario().expect("start"))
        .expect("graded");
    assert!(start.yours.faults > v.yours.faults);
}

#[test]
fn the_buffer_pool_challenge_halves_lrus_faults_with_hints() {
    let c = challenges::challenge(2).expect("2");
    let v = c.grade(&solution(2)).expect("graded");
    let lru = v.lru.expect("LRU");
    assert_eq!(lru.faults, 400, "db-pool-lru");
    assert_eq!(v.yours.faults, 166);
    assert!(v.yours.time.expect("time") * 10 < lru.time.expect("time"));
}

#[test]
fn submissions_that_change_what_is_fixed_or_do_not_assemble_are_refused() {
    let c = challenges::challenge(1).expect("1");
    let mut more = c.start_scenario().expect("start");
    more.tasks[0].guaranteed += 5;
    assert!(matches!(c.grade(&more), Err(ChallengeError::Changed(_))));
    let mut broken = c.start_scenario().expect("start");
    broken.tasks[0].source = Some("_start:\n    mov eax, [\n".into());
    match c.grade(&broken) {
        Err(ChallengeError::Boot(msg)) => assert!(msg.contains("line"), "{msg}"),
        other => panic!("{other:?}"),
    }
    let c3 = challenges::challenge(3).expect("3");
    let mut on = c3.start_scenario().expect("start");
    on.invlpg = true;
    assert!(matches!(c3.grade(&on), Err(ChallengeError::Changed(_))));
    assert!(challenges::challenge(0).is_err());
    assert!(challenges::challenge(99).is_err());
}
