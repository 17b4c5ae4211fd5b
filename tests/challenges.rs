//! Challenges are graded from the real run: the starting program misses each goal, a known
//! solution meets it, and submissions that change what a challenge keeps fixed, or do not
//! assemble, are refused with a message.

use selfpage_core::challenges::{self, ChallengeError};
use selfpage_core::presets;

/// Challenge 1's solution, a new `choose` and nothing else: evict the page used most
/// recently, which is OPT's choice on a cyclic scan. The candidates come oldest first, so
/// the last is the page the previous fault brought in; the scan has hit every page after
/// it up to the one faulting now, so walk up from it (wrapping at the region's end) while
/// the next page is resident. The region's first page is the lowest candidate of the
/// first call (the first round is all resident then), kept at the bottom of the
/// callback's own pinned stack.
const MRU_CHOOSE: &str = "
choose:
    mov edx, ecx                ; the candidate count
    mov esi, [cb_stack]         ; the region's first page (0 before the first call)
    test esi, esi
    jnz .known
    mov esi, [ebx]
    xor ecx, ecx
.lowest:
    cmp [ebx + ecx*4], esi
    jae .higher
    mov esi, [ebx + ecx*4]
.higher:
    inc ecx
    cmp ecx, edx
    jb .lowest
    mov [cb_stack], esi
.known:
    mov eax, [ebx + edx*4 - 4]  ; the newest page
    mov ebp, edx                ; at most that many steps
.up:
    lea edi, [eax + 4096]       ; the page after it ...
    lea ecx, [esi + PAGES * 4096]
    cmp edi, ecx
    jb .look
    mov edi, esi                ; ... or, past the end, the first: the scan starts over
.look:
    xor ecx, ecx
.find:
    cmp [ebx + ecx*4], edi
    je .resident
    inc ecx
    cmp ecx, edx
    jb .find
    ret                         ; not resident: the fault is there, so eax was used last
.resident:
    mov eax, edi
    dec ebp
    jnz .up
    ret";

/// The starting program of challenge 1 with [`MRU_CHOOSE`] for its `choose`.
fn mru_solution() -> selfpage_core::Scenario {
    let mut s = challenges::challenge(1)
        .expect("1")
        .start_scenario()
        .expect("start");
    let source = s.tasks[0].source.take().expect("the starting program");
    let start = source.find("\nchoose:").expect("choose");
    let end = start + source[start..].find("ret").expect("its ret") + "ret".len();
    s.tasks[0].source = Some(format!(
        "{}{MRU_CHOOSE}{}",
        &source[..start],
        &source[end..]
    ));
    s
}

/// The starting scenario, then a solution (a preset that solves it, or the starting
/// scenario with a policy change), for each challenge.
fn solution(number: usize) -> selfpage_core::Scenario {
    match number {
        1 => mru_solution(),
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
    assert_eq!(
        v.yours.faults, opt,
        "on the cyclic scan, evicting the page used last is OPT"
    );
    let highest = c
        .grade(&presets::scenario("own-policy").expect("preset"))
        .expect("graded");
    assert!(
        !highest.met && highest.yours.faults == 37,
        "the task says evicting the highest address takes 37 faults: {}",
        highest.reason
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
