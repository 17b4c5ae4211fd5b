//! The claims of lessons 11 and 12 (docs/lessons/11-beladys-anomaly.md,
//! docs/lessons/12-reading-a-miss-ratio-curve.md), on the curves the page and `selfpage mrc`
//! draw.

use libhurd_mm::curve::{belady_points, knee, miss_curve, FrameRange, CURVE_POLICIES};
use libhurd_mm::{simulate, PolicyKind};
use selfpage_core::{presets, Session, Stopped};

const BELADY: [u32; 12] = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

fn range(a: u64, b: u64) -> FrameRange {
    FrameRange::new(a, b).expect("valid range")
}

/// The pages task 1 of a preset touched in its whole run, and the session.
fn recorded(name: &str) -> (Vec<u32>, Session) {
    let scenario = presets::scenario(name).expect("preset");
    let mut s = Session::new(scenario).expect("boots");
    assert_eq!(s.run_to_end(), Stopped::AllDone);
    let refs = s.references();
    (refs.task(1).expect("task 1").pages.clone(), s)
}

#[test]
fn lesson_11_the_table_of_faults() {
    let want: [(PolicyKind, [u64; 5]); 6] = [
        (PolicyKind::Fifo, [12, 12, 9, 10, 5]),
        (PolicyKind::Clock, [12, 12, 9, 10, 5]),
        (PolicyKind::Lru, [12, 12, 10, 8, 5]),
        (PolicyKind::Mru, [12, 10, 7, 6, 5]),
        (PolicyKind::Random, [12, 11, 8, 8, 5]),
        (PolicyKind::Opt, [12, 9, 7, 6, 5]),
    ];
    for (kind, faults) in want {
        assert_eq!(
            miss_curve(kind, &BELADY, range(1, 5), 1),
            faults,
            "{kind:?}"
        );
    }
    assert_eq!(
        belady_points(1, &miss_curve(PolicyKind::Fifo, &BELADY, range(1, 5), 1)),
        [4]
    );
}

#[test]
fn lesson_11_fifos_small_memory_holds_pages_its_large_one_lacks_and_lrus_never_does() {
    let held = |kind: PolicyKind, frames: u32| {
        let mut set = std::collections::BTreeSet::new();
        simulate(kind, frames, &BELADY, 1)
            .steps
            .iter()
            .map(|s| {
                if let Some(e) = s.evicted {
                    set.remove(&e);
                }
                set.insert(s.page);
                set.clone()
            })
            .collect::<Vec<_>>()
    };
    let (three, four) = (held(PolicyKind::Fifo, 3), held(PolicyKind::Fifo, 4));
    let not_included: Vec<usize> = (0..BELADY.len())
        .filter(|&t| !three[t].is_subset(&four[t]))
        .map(|t| t + 1)
        .collect();
    assert_eq!(not_included, [7, 8, 11]);
    assert_eq!(three[6].iter().copied().collect::<Vec<_>>(), [1, 2, 5]);
    assert_eq!(four[6].iter().copied().collect::<Vec<_>>(), [2, 3, 4, 5]);
    for kind in [PolicyKind::Lru, PolicyKind::Opt] {
        for k in 1..5 {
            let (small, large) = (held(kind, k), held(kind, k + 1));
            assert!(
                small.iter().zip(&large).all(|(a, b)| a.is_subset(b)),
                "{kind:?} {k}"
            );
        }
    }
}

#[test]
fn lesson_12_the_column_walk_needs_every_page_it_touches() {
    let (refs, session) = recorded("matrix-cols-tight");
    assert_eq!(refs.len(), 8_193);
    let all = range(1, 17);
    let curve = |k| miss_curve(k, &refs, all, selfpage_core::pager_seed(1, 1));
    let (lru, fifo, clock, mru, opt) = (
        curve(PolicyKind::Lru),
        curve(PolicyKind::Fifo),
        curve(PolicyKind::Clock),
        curve(PolicyKind::Mru),
        curve(PolicyKind::Opt),
    );
    assert!(lru[1..16].iter().all(|&f| f == 4_097), "{lru:?}");
    for c in [&lru, &fifo, &clock, &mru, &opt] {
        assert_eq!(c[16], 17, "at 17 frames only first touches fault");
    }
    let at = |c: &[u64], f: usize| c[f - 1];
    assert_eq!(
        [at(&fifo, 2), at(&clock, 2), at(&mru, 2), at(&opt, 2)],
        [6_145, 6_145, 7_682, 4_097]
    );
    assert_eq!(
        [at(&fifo, 8), at(&clock, 8), at(&mru, 8), at(&opt, 8)],
        [4_609, 4_098, 4_616, 2_465]
    );
    assert_eq!(
        [at(&fifo, 12), at(&clock, 12), at(&mru, 12), at(&opt, 12)],
        [4_438, 4_098, 2_572, 1_377]
    );
    assert_eq!(
        [at(&fifo, 16), at(&clock, 16), at(&mru, 16), at(&opt, 16)],
        [4_353, 4_098, 528, 289]
    );
    assert!(
        opt.windows(2).skip(1).take(14).all(|w| w[0] - w[1] == 272),
        "{opt:?}"
    );
    assert_eq!(knee(1, &lru), Some(2));
    // The live LRU pager with the task's 12 frames.
    assert_eq!(session.summary().tasks[0].faults, 4_096);
    for k in CURVE_POLICIES {
        assert!(curve(k).len() == 17);
    }
}

#[test]
fn lesson_12_the_row_walk_needs_two_frames() {
    let (refs, _) = recorded("matrix-rows-tight");
    assert_eq!(refs.len(), 8_193);
    for kind in [PolicyKind::Lru, PolicyKind::Opt] {
        let c = miss_curve(kind, &refs, range(1, 17), 1);
        assert!(c[1..].iter().all(|&f| f == 17), "{kind:?}: {c:?}");
    }
}
