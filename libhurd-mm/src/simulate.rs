//! Run a policy over a reference string, as the `selfpage policy` CLI and the comparison
//! charts do. The same policy code as the live pager, in oracle mode: every reference is an
//! access the policy sees, and Clock's referenced bits are set by each reference.

use crate::policy::{self, PageHints, PolicyContext, PolicyKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One reference of a simulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStep {
    /// The page referenced.
    pub page: u32,
    /// Whether it was resident.
    pub hit: bool,
    /// The page evicted to make room, if any.
    pub evicted: Option<u32>,
    /// Why the policy chose that page.
    pub reason: Option<String>,
}

/// The outcome of a simulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimReport {
    /// The policy's name.
    pub policy: String,
    /// Frames available.
    pub frames: u32,
    /// References that found their page resident.
    pub hits: u32,
    /// References that faulted.
    pub misses: u32,
    /// Every reference in order.
    pub steps: Vec<SimStep>,
}

/// The simulation's context: referenced bits set by each reference, and the future.
struct SimCtx<'a> {
    referenced: BTreeMap<u32, bool>,
    future: &'a [u32],
}

impl PolicyContext for SimCtx<'_> {
    fn pinned(&self, _page: u32) -> bool {
        false
    }
    fn hints(&self, _page: u32) -> PageHints {
        PageHints {
            used: true,
            ..PageHints::default()
        }
    }
    fn referenced(&mut self, page: u32) -> bool {
        self.referenced.insert(page, false).unwrap_or(false)
    }
    fn ask_callback(&mut self, _candidates: &[u32]) -> Option<u32> {
        None
    }
    fn future(&self) -> Option<&[u32]> {
        Some(self.future)
    }
}

/// Run `kind` with `frames` frames over the page reference string `refs`.
pub fn simulate(kind: PolicyKind, frames: u32, refs: &[u32], seed: u64) -> SimReport {
    let mut steps = Vec::with_capacity(refs.len());
    let (policy, hits, misses) = run(kind, frames, refs, seed, |s| steps.push(s));
    SimReport {
        policy,
        frames,
        hits,
        misses,
        steps,
    }
}

/// The misses of [`simulate`], without recording the steps (what a miss-ratio curve needs
/// at each frame count).
pub fn count_misses(kind: PolicyKind, frames: u32, refs: &[u32], seed: u64) -> u32 {
    run(kind, frames, refs, seed, |_| {}).2
}

/// The one simulation loop: hands each step to `each`; returns the policy's name, the hits
/// and the misses.
fn run(
    kind: PolicyKind,
    frames: u32,
    refs: &[u32],
    seed: u64,
    mut each: impl FnMut(SimStep),
) -> (String, u32, u32) {
    let mut pol = policy::build(kind, seed, true);
    let mut resident = BTreeSet::new();
    let mut ctx = SimCtx {
        referenced: BTreeMap::new(),
        future: &[],
    };
    let (mut hits, mut misses) = (0, 0);
    for (i, &page) in refs.iter().enumerate() {
        ctx.future = &refs[i + 1..];
        let hit = resident.contains(&page);
        let mut evicted = None;
        let mut reason = None;
        if hit {
            hits += 1;
        } else {
            misses += 1;
            if resident.len() as u32 >= frames {
                if let Some(v) = pol.choose(&mut ctx) {
                    resident.remove(&v.page);
                    ctx.referenced.remove(&v.page);
                    pol.remove(v.page);
                    evicted = Some(v.page);
                    reason = Some(v.reason);
                }
            }
            if (resident.len() as u32) < frames {
                resident.insert(page);
                pol.insert(page);
            }
        }
        if resident.contains(&page) {
            pol.access(page);
            ctx.referenced.insert(page, true);
        }
        each(SimStep {
            page,
            hit,
            evicted,
            reason,
        });
    }
    (pol.name(), hits, misses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TEXTBOOK: [u32; 20] = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1];
    const BELADY: [u32; 12] = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

    fn misses(kind: PolicyKind, frames: u32, refs: &[u32]) -> u32 {
        simulate(kind, frames, refs, 42).misses
    }

    #[test]
    fn textbook_string_with_three_frames() {
        assert_eq!(misses(PolicyKind::Fifo, 3, &TEXTBOOK), 15);
        assert_eq!(misses(PolicyKind::Lru, 3, &TEXTBOOK), 12);
        assert_eq!(misses(PolicyKind::Opt, 3, &TEXTBOOK), 9);
    }

    #[test]
    fn fifo_shows_beladys_anomaly() {
        assert_eq!(misses(PolicyKind::Fifo, 3, &BELADY), 9);
        assert_eq!(misses(PolicyKind::Fifo, 4, &BELADY), 10);
    }

    #[test]
    fn fifo_evicts_in_arrival_order_with_reasons() {
        let r = simulate(PolicyKind::Fifo, 3, &TEXTBOOK, 0);
        assert_eq!(r.steps[3].evicted, Some(7));
        assert_eq!(
            r.steps[3].reason.as_deref(),
            Some("oldest page in FIFO order")
        );
        assert_eq!(r.hits + r.misses, 20);
        assert_eq!(r.policy, "FIFO");
    }

    #[test]
    fn lru_in_simulate_is_labelled_oracle() {
        let r = simulate(PolicyKind::Lru, 3, &TEXTBOOK, 0);
        assert!(r.policy.contains("oracle"));
        // 7,0,1 then 2 evicts 7 (least recently used).
        assert_eq!(r.steps[3].evicted, Some(7));
    }

    #[test]
    fn mru_beats_lru_on_a_cyclic_scan_one_larger_than_memory() {
        let refs: Vec<u32> = (0..10).flat_map(|_| 0..5).collect();
        let lru = misses(PolicyKind::Lru, 4, &refs);
        let mru = misses(PolicyKind::Mru, 4, &refs);
        assert_eq!(lru, 50, "LRU misses every reference of the scan");
        assert!(mru < lru / 2, "MRU {mru} vs LRU {lru}");
    }

    #[test]
    fn random_replays_by_seed() {
        let a = simulate(PolicyKind::Random, 3, &TEXTBOOK, 9);
        let b = simulate(PolicyKind::Random, 3, &TEXTBOOK, 9);
        assert_eq!(a, b);
    }

    #[test]
    fn zero_frames_misses_everything_without_evicting() {
        let r = simulate(PolicyKind::Clock, 0, &[1, 1, 1], 0);
        assert_eq!((r.hits, r.misses), (0, 3));
        assert!(r.steps.iter().all(|s| s.evicted.is_none()));
    }

    #[test]
    fn clock_gives_referenced_pages_a_second_chance() {
        // 1,2,3 fill; 1 referenced again; 4 sweeps: all R=1 → cleared, then 1 (hand) goes.
        // Then 1 faults, and 2 (R=0 now) goes; the reason mentions the clock hand.
        let r = simulate(PolicyKind::Clock, 3, &[1, 2, 3, 1, 4, 1], 0);
        assert_eq!(r.steps[4].evicted, Some(1));
        assert_eq!(r.steps[5].evicted, Some(2));
        assert!(r.steps[5].reason.as_deref().unwrap_or("").contains("R=0"));
    }

    /// Run the live pager in oracle mode over `refs` (page numbers) and count its faults.
    fn live_faults(kind: PolicyKind, frames: u32, refs: &[u32]) -> u64 {
        use crate::fake::{FakeEnv, CONTAINER};
        use crate::{MemoryManager, MmConfig, Prot, RegionKind};
        let mut mm = MemoryManager::new(MmConfig {
            container: CONTAINER,
            frames,
            policy: kind,
            seed: 42,
            oracle: true,
        });
        let mut env = FakeEnv::new(1024);
        let a = mm
            .mmap(&mut env, None, 16 * 4096, Prot::RW, RegionKind::Anonymous)
            .unwrap();
        for &r in refs {
            let va = a + r * 4096;
            env.read(&mut mm, va).unwrap();
            mm.oracle_access(va);
        }
        mm.stats().faults
    }

    #[test]
    fn the_live_pager_in_oracle_mode_faults_exactly_as_simulate_misses() {
        assert_eq!(live_faults(PolicyKind::Fifo, 3, &TEXTBOOK), 15);
        assert_eq!(live_faults(PolicyKind::Lru, 3, &TEXTBOOK), 12);
    }

    proptest! {
        #[test]
        fn live_pager_and_simulate_run_the_same_policy_code(
            refs in proptest::collection::vec(0u32..10, 0..50),
            frames in 1u32..5,
        ) {
            for kind in PolicyKind::ALL.into_iter().filter(|k| k.is_live()) {
                let sim = simulate(kind, frames, &refs, 42).misses;
                prop_assert_eq!(live_faults(kind, frames, &refs), u64::from(sim), "{:?}", kind);
            }
        }

        #[test]
        fn opt_never_misses_more_than_any_policy(
            refs in proptest::collection::vec(0u32..8, 0..60),
            frames in 1u32..6,
            seed in any::<u64>(),
        ) {
            let opt = misses(PolicyKind::Opt, frames, &refs);
            for kind in PolicyKind::ALL {
                let m = simulate(kind, frames, &refs, seed).misses;
                prop_assert!(opt <= m, "OPT {} > {:?} {}", opt, kind, m);
            }
        }

        #[test]
        fn replaying_the_steps_never_holds_more_pages_than_frames(
            refs in proptest::collection::vec(0u32..8, 0..60),
            frames in 0u32..6,
        ) {
            for kind in PolicyKind::ALL {
                let r = simulate(kind, frames, &refs, 1);
                prop_assert_eq!((r.hits + r.misses) as usize, refs.len());
                let mut held = BTreeSet::new();
                for s in &r.steps {
                    prop_assert_eq!(s.hit, held.contains(&s.page));
                    if let Some(e) = s.evicted {
                        prop_assert!(held.remove(&e), "{:?} evicted {} which was not resident", kind, e);
                    }
                    if !s.hit && frames > 0 {
                        held.insert(s.page);
                    }
                    prop_assert!(held.len() as u32 <= frames);
                }
            }
        }
    }
}
