//! Eviction policies: which resident page gives up its frame.
//!
//! One object-safe trait, [`EvictionPolicy`], so the pager (and the UI) can switch policies
//! at run time, and `simulate` runs the very same code on a reference string. A policy only
//! keeps an order over the resident pages; what it may learn about them comes through a
//! [`PolicyContext`]: pinned pages, hints, referenced bits (sampled and cleared), the
//! workload's eviction callback, and — offline only — the future.

mod app;
mod callback;
mod clock;
mod fifo;
mod opt;
mod random;
mod recency;

pub use app::AppDirected;
pub use callback::Callback;
pub use clock::Clock;
pub use fifo::Fifo;
pub use opt::Opt;
pub use random::Random;
pub use recency::{ByRecency, Recency};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The most candidates the workload's eviction callback is shown at once.
pub const CALLBACK_MAX_CANDIDATES: usize = 64;

/// The policies a task (or `simulate`) can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// First in, first out.
    Fifo,
    /// Second chance: a hand sweeps the pages and spares those referenced since its last visit.
    Clock,
    /// Least recently used (aging counters, or exact with the oracle).
    Lru,
    /// Most recently used (good for cyclic scans larger than memory).
    Mru,
    /// A page at random (seeded SplitMix64).
    Random,
    /// Belady's optimal policy: evict the page used furthest in the future. Offline only.
    Opt,
    /// Application-directed: priorities, discardable and read-once hints.
    App,
    /// The workload's own x86 eviction callback chooses, with Clock as fallback.
    Callback,
}

impl PolicyKind {
    /// Every policy, in gate-number order (OPT last).
    pub const ALL: [PolicyKind; 8] = [
        PolicyKind::Fifo,
        PolicyKind::Clock,
        PolicyKind::Lru,
        PolicyKind::Mru,
        PolicyKind::Random,
        PolicyKind::App,
        PolicyKind::Callback,
        PolicyKind::Opt,
    ];

    /// The names `parse` accepts (besides a few aliases), in gate-number order.
    pub const NAMES: [&'static str; 8] = [
        "fifo", "clock", "lru", "mru", "random", "app", "callback", "opt",
    ];

    /// The policy named `name` (case-insensitive; also "rand", "belady", "application",
    /// "second-chance"); `None` if unknown.
    pub fn parse(name: &str) -> Option<PolicyKind> {
        let n = name.trim().to_ascii_lowercase();
        let n = match n.as_str() {
            "rand" => "random",
            "belady" => "opt",
            "application" | "app-directed" => "app",
            "second-chance" => "clock",
            other => other,
        };
        PolicyKind::ALL.into_iter().find(|k| k.as_str() == n)
    }

    /// Whether a live pager can run it (OPT needs the future, so it cannot).
    pub fn is_live(self) -> bool {
        self != PolicyKind::Opt
    }

    /// The short name used on the command line and in scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Fifo => "fifo",
            PolicyKind::Clock => "clock",
            PolicyKind::Lru => "lru",
            PolicyKind::Mru => "mru",
            PolicyKind::Random => "random",
            PolicyKind::Opt => "opt",
            PolicyKind::App => "app",
            PolicyKind::Callback => "callback",
        }
    }

    /// The number a workload passes to `set_policy` through the gate.
    pub fn gate_number(self) -> u32 {
        PolicyKind::ALL.iter().position(|&k| k == self).unwrap_or(0) as u32
    }

    /// The policy with this gate number.
    pub fn from_gate_number(n: u32) -> Option<PolicyKind> {
        PolicyKind::ALL.get(n as usize).copied()
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy name that is not one of [`PolicyKind::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown policy {0:?}: expected one of fifo, clock, lru, mru, random, opt, app, callback")]
pub struct UnknownPolicy(pub String);

impl FromStr for PolicyKind {
    type Err = UnknownPolicy;
    fn from_str(s: &str) -> Result<PolicyKind, UnknownPolicy> {
        PolicyKind::parse(s).ok_or_else(|| UnknownPolicy(s.trim().to_string()))
    }
}

/// The hints that apply to one resident page (from its region and its history).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageHints {
    /// Region priority: lowest is evicted first by the application-directed policy.
    pub priority: i32,
    /// The page can be dropped instead of written out.
    pub discardable: bool,
    /// The workload reads it once: evict it first after use.
    pub read_once: bool,
    /// The page was accessed since it was brought in (prefetched pages start unused).
    pub used: bool,
}

/// What a policy may ask about the pages while it chooses.
pub trait PolicyContext {
    /// Pinned (or busy) pages must never be chosen.
    fn pinned(&self, page: u32) -> bool;
    /// The page's hints.
    fn hints(&self, page: u32) -> PageHints;
    /// Read and clear the page's referenced bit (an L4 status flush in the live pager).
    fn referenced(&mut self, page: u32) -> bool;
    /// Ask the workload's eviction callback; `None` if it has none or gave no valid answer.
    fn ask_callback(&mut self, candidates: &[u32]) -> Option<u32>;
    /// The references still to come, when known (only in `simulate`).
    fn future(&self) -> Option<&[u32]>;
}

/// A policy's choice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Victim {
    /// The page to evict.
    pub page: u32,
    /// Why, in one short sentence.
    pub reason: String,
}

/// One page in a policy's order, for the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// The page.
    pub vaddr: u32,
    /// What the policy knows of it ("age 0b0100_0000", "next use in 3", "priority -5").
    pub note: String,
}

/// A policy's view of the resident pages, next victim first where the policy has an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyQueue {
    /// The policy's name.
    pub policy: String,
    /// Where the clock hand points, for Clock and Callback.
    pub hand: Option<u32>,
    /// The pages.
    pub entries: Vec<QueueEntry>,
}

/// An eviction policy. Object safe: the pager holds a `Box<dyn EvictionPolicy>`.
///
/// The pager calls `insert` when a page becomes resident, `remove` when it leaves (for any
/// reason, including after being chosen), `tick` on every fault, and `access` on every access
/// only in oracle mode. `choose` must never return a page for which `ctx.pinned` is true.
pub trait EvictionPolicy: PolicyClone {
    /// Which policy this is.
    fn kind(&self) -> PolicyKind;
    /// Its name for the UI and the trace ("LRU (oracle: sees every access)").
    fn name(&self) -> String;
    /// A page became resident.
    fn insert(&mut self, page: u32);
    /// A page left memory.
    fn remove(&mut self, page: u32);
    /// The page was accessed (oracle mode only: a real pager never sees this).
    fn access(&mut self, _page: u32) {}
    /// A fault happened: a chance to sample referenced bits.
    fn tick(&mut self, _ctx: &mut dyn PolicyContext) {}
    /// Choose a resident, unpinned victim; `None` if there is none.
    fn choose(&mut self, ctx: &mut dyn PolicyContext) -> Option<Victim>;
    /// The policy's current order, for the UI.
    fn queue(&self, ctx: &dyn PolicyContext) -> PolicyQueue;
}

/// Cloning a boxed policy, so a memory manager can be snapshotted with its policy state.
pub trait PolicyClone {
    /// A boxed copy of this policy, state and all.
    fn clone_box(&self) -> Box<dyn EvictionPolicy>;
}

impl<T: EvictionPolicy + Clone + 'static> PolicyClone for T {
    fn clone_box(&self) -> Box<dyn EvictionPolicy> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn EvictionPolicy> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// Build a policy. `oracle` makes LRU, MRU and App exact (they see every access); `seed`
/// seeds Random.
pub fn build(kind: PolicyKind, seed: u64, oracle: bool) -> Box<dyn EvictionPolicy> {
    match kind {
        PolicyKind::Fifo => Box::new(Fifo::default()),
        PolicyKind::Clock => Box::new(Clock::default()),
        PolicyKind::Lru => Box::new(ByRecency::lru(oracle)),
        PolicyKind::Mru => Box::new(ByRecency::mru(oracle)),
        PolicyKind::Random => Box::new(Random::new(seed)),
        PolicyKind::Opt => Box::new(Opt::default()),
        PolicyKind::App => Box::new(AppDirected::new(oracle)),
        PolicyKind::Callback => Box::new(Callback::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// A context where some pages are pinned and every page was referenced at random.
    struct Pins {
        pinned: BTreeSet<u32>,
        refs: u64,
    }

    impl PolicyContext for Pins {
        fn pinned(&self, page: u32) -> bool {
            self.pinned.contains(&page)
        }
        fn hints(&self, page: u32) -> PageHints {
            PageHints {
                priority: (page % 3) as i32 - 1,
                discardable: page % 2 == 0,
                read_once: page % 5 == 0,
                used: true,
            }
        }
        fn referenced(&mut self, page: u32) -> bool {
            // Reading clears the bit, as an L4 status flush does.
            let bit = 1u64 << (page % 64);
            let was = self.refs & bit != 0;
            self.refs &= !bit;
            was
        }
        fn ask_callback(&mut self, candidates: &[u32]) -> Option<u32> {
            candidates.last().copied()
        }
        fn future(&self) -> Option<&[u32]> {
            None
        }
    }

    #[test]
    fn names_parse_and_gate_numbers_round_trip() {
        for k in PolicyKind::ALL {
            assert_eq!(k.as_str().parse::<PolicyKind>(), Ok(k));
            assert_eq!(PolicyKind::from_gate_number(k.gate_number()), Some(k));
        }
        assert!("lfu".parse::<PolicyKind>().is_err());
        assert_eq!(PolicyKind::parse(" Rand "), Some(PolicyKind::Random));
        assert_eq!(PolicyKind::parse("belady"), Some(PolicyKind::Opt));
        for (i, n) in PolicyKind::NAMES.iter().enumerate() {
            assert_eq!(
                PolicyKind::parse(n).map(PolicyKind::gate_number),
                Some(i as u32)
            );
        }
        assert!(!PolicyKind::Opt.is_live());
    }

    proptest! {
        #[test]
        fn no_policy_ever_evicts_a_pinned_page(
            pages in proptest::collection::btree_set(0u32..40, 1..20),
            pin_mask in any::<u64>(),
            refs in any::<u64>(),
            accesses in proptest::collection::vec(0u32..40, 0..30),
        ) {
            for kind in PolicyKind::ALL {
                let mut p = build(kind, 1, kind == PolicyKind::Lru);
                for &pg in &pages { p.insert(pg); }
                for &a in &accesses { if pages.contains(&a) { p.access(a); } }
                let pinned: BTreeSet<u32> =
                    pages.iter().copied().filter(|pg| pin_mask >> pg & 1 == 1).collect();
                let mut ctx = Pins { pinned: pinned.clone(), refs };
                p.tick(&mut ctx);
                let mut left: BTreeSet<u32> = pages.clone();
                // Evict until only pinned pages remain.
                while let Some(v) = p.choose(&mut ctx) {
                    prop_assert!(!pinned.contains(&v.page), "{:?} chose pinned {}", kind, v.page);
                    prop_assert!(left.remove(&v.page), "{:?} chose non-resident {}", kind, v.page);
                    p.remove(v.page);
                }
                prop_assert_eq!(left, pinned, "{:?} gave up with unpinned pages left", kind);
            }
        }
    }
}
