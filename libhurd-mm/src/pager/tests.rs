//! Tests of the pager: faults, fills, eviction under every policy, pinning, policy switches
//! and determinism.

use super::*;
use crate::fake::{anon, FakeEnv, CONTAINER};
use crate::region::{Prot, RegionKind};
use physmem::{Request, Rights, PAGE_SIZE};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Every policy a live pager runs (all but OPT), in gate-number order.
fn live() -> Vec<PolicyKind> {
    PolicyKind::ALL
        .into_iter()
        .filter(|k| k.is_live())
        .collect()
}

#[test]
fn first_touch_zero_fills_and_maps_with_the_regions_rights() {
    let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
    let a = anon(&mut mm, &mut env, 2);
    assert_eq!(a, 0x4000);
    assert_eq!(env.read(&mut mm, a + 5), Ok(0));
    assert_eq!(env.mapped.get(&a), Some(&(0, Rights(6))));
    assert!(env.requests.contains(&Request::ContainerAllocate {
        container: CONTAINER,
        start: 0,
        size: PAGE_SIZE
    }));
    assert_eq!(
        env.count(|e| matches!(
            e,
            PagerEvent::ZeroFill {
                vaddr: 0x4000,
                offset: 0
            }
        )),
        1
    );
    assert_eq!(mm.stats().faults, 1);
    assert_eq!(mm.frames_held(), 1);
    // The next page gets the next container offset.
    env.write(&mut mm, a + PAGE_SIZE, 1).unwrap();
    assert_eq!(mm.resident()[1].offset, PAGE_SIZE);
}

#[test]
fn writing_read_only_text_is_a_segv_that_names_the_region() {
    let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
    mm.add_region(0x40_0000, 0x1000, Prot::READ | Prot::EXEC, vec![0x90, 0xC3])
        .unwrap();
    mm.add_region(0x40_1000, 0x1000, Prot::READ | Prot::WRITE, vec![0; 8])
        .unwrap();
    assert_eq!(mm.regions()[1].name, "bss");
    assert_eq!(env.read(&mut mm, 0x40_0001), Ok(0xC3));
    assert_eq!(
        env.mapped[&0x40_0000].1,
        Rights(5),
        "text is mapped without W"
    );
    let e = env.write(&mut mm, 0x40_0000, 1).unwrap_err();
    assert_eq!(e.addr, 0x40_0000);
    assert_eq!(
        e.reason,
        "write to read-only region 0x400000..0x401000 (text, r-x)"
    );
    assert_eq!(mm.stats().segvs, 1);
    assert_eq!(env.count(|e| matches!(e, PagerEvent::Segv { .. })), 1);
}

#[test]
fn an_address_in_no_region_is_a_segv() {
    let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
    let e = env.read(&mut mm, 0).unwrap_err();
    assert_eq!(
        e.reason,
        "address 0x0 is not in any region (page 0 is never mapped: a null pointer?)"
    );
    let e = env.read(&mut mm, 0x9000).unwrap_err();
    assert_eq!(e.reason, "address 0x9000 is not in any region");
    assert_eq!(mm.frames_held(), 0);
}

#[test]
fn program_pages_fill_from_the_image_and_bss_reads_zero() {
    let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Fifo);
    let mut data = vec![0u8; 0x1000 + 10];
    data[0x1000 + 3] = 42;
    mm.add_named_region(0x40_1000, 0x3000, Prot::RW, "data", data)
        .unwrap();
    assert_eq!(env.read(&mut mm, 0x40_2003), Ok(42));
    assert_eq!(env.read(&mut mm, 0x40_3000), Ok(0));
    assert_eq!(mm.stats().image_fills, 2);
}

#[test]
fn page_out_then_page_in_preserves_every_byte_under_every_policy() {
    for kind in live() {
        let (mut mm, mut env) = FakeEnv::setup(1, kind);
        let a = anon(&mut mm, &mut env, 4);
        for i in 0..PAGE_SIZE {
            env.write(&mut mm, a + i, (i * 7 + 3) as u8).unwrap();
        }
        // With one frame, touching any other page must evict page 0 whatever the policy.
        for p in 1..4 {
            env.write(&mut mm, a + p * PAGE_SIZE, 9).unwrap();
        }
        assert!(mm.stats().page_outs >= 1, "{kind:?}");
        for i in 0..PAGE_SIZE {
            assert_eq!(
                env.read(&mut mm, a + i),
                Ok((i * 7 + 3) as u8),
                "{kind:?} byte {i}"
            );
        }
        assert!(
            env.count(|e| matches!(e, PagerEvent::PageIn { vaddr: 0x4000, .. })) >= 1,
            "{kind:?}"
        );
        assert_eq!(mm.frames_held(), 1);
        assert_eq!(
            env.count(|e| matches!(e, PagerEvent::Evict { .. })),
            4,
            "{kind:?}"
        );
    }
}

#[test]
fn discardable_pages_come_back_zeroed_not_from_swap() {
    let (mut mm, mut env) = FakeEnv::setup(1, PolicyKind::Fifo);
    let d = mm
        .mmap(&mut env, None, PAGE_SIZE, Prot::RW, RegionKind::Discardable)
        .unwrap();
    let a = anon(&mut mm, &mut env, 1);
    env.write(&mut mm, d, 0xAA).unwrap();
    env.write(&mut mm, a, 0xBB).unwrap();
    assert_eq!(
        env.count(|e| matches!(e, PagerEvent::Discard { vaddr } if *vaddr == d)),
        1
    );
    assert_eq!(mm.stats().page_outs, 0);
    assert_eq!(mm.swap_used(), 0);
    assert_eq!(env.read(&mut mm, d), Ok(0));
    // The anonymous page, evicted dirty, comes back from swap.
    assert_eq!(env.read(&mut mm, a), Ok(0xBB));
}

#[test]
fn a_revoked_mapping_is_mapped_again_without_a_new_frame() {
    let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Clock);
    let a = anon(&mut mm, &mut env, 1);
    env.write(&mut mm, a, 5).unwrap();
    env.revoke_all();
    assert_eq!(env.read(&mut mm, a), Ok(5));
    assert_eq!(mm.stats().remaps, 1);
    assert_eq!(mm.stats().allocations, 1);
}

#[test]
fn physmem_out_of_frames_makes_the_pager_evict_instead() {
    let (mut mm, mut env) = FakeEnv::setup(10, PolicyKind::Fifo);
    env.capacity = 2;
    let a = anon(&mut mm, &mut env, 3);
    for p in 0..3 {
        env.write(&mut mm, a + p * PAGE_SIZE, p as u8 + 1).unwrap();
    }
    assert_eq!(mm.frames_held(), 2);
    assert_eq!(
        env.count(|e| matches!(e, PagerEvent::AllocRefused { .. })),
        1
    );
    assert_eq!(env.read(&mut mm, a), Ok(1));
}

#[test]
fn when_every_frame_is_pinned_the_fault_is_a_clear_out_of_memory() {
    let (mut mm, mut env) = FakeEnv::setup(2, PolicyKind::Clock);
    env.capacity = 1;
    let a = anon(&mut mm, &mut env, 2);
    mm.pin(&mut env, a, PAGE_SIZE).unwrap();
    let e = env.read(&mut mm, a + PAGE_SIZE).unwrap_err();
    assert!(e.reason.starts_with("out of memory"), "{}", e.reason);
}

#[test]
fn pinned_pages_are_never_evicted_by_any_policy() {
    for kind in live() {
        let (mut mm, mut env) = FakeEnv::setup(3, kind);
        let a = anon(&mut mm, &mut env, 8);
        mm.pin(&mut env, a, PAGE_SIZE).unwrap();
        env.callback = Some(Box::new(|c: &[u32]| c.first().copied()));
        for round in 0..3 {
            for p in 1..8 {
                env.write(&mut mm, a + p * PAGE_SIZE, round).unwrap();
            }
        }
        assert!(
            mm.resident().iter().any(|r| r.vaddr == a && r.pinned),
            "{kind:?}"
        );
        assert_eq!(
            env.count(|e| matches!(e, PagerEvent::Evict { vaddr, .. } if *vaddr == a)),
            0
        );
    }
}

#[test]
fn approximate_lru_evicts_the_page_not_referenced_lately() {
    let run = |kind| {
        let (mut mm, mut env) = FakeEnv::setup(3, kind);
        let a = anon(&mut mm, &mut env, 4);
        for p in [0, 1, 2, 0, 3] {
            env.read(&mut mm, a + p * PAGE_SIZE).unwrap();
        }
        env.events
            .iter()
            .find_map(|e| match e {
                PagerEvent::Evict { vaddr, reason, .. } => Some((*vaddr, reason.clone())),
                _ => None,
            })
            .unwrap()
    };
    let (fifo, _) = run(PolicyKind::Fifo);
    assert_eq!(
        fifo, 0x4000,
        "FIFO evicts the oldest page even though it was just used"
    );
    let (lru, why) = run(PolicyKind::Lru);
    assert_eq!(lru, 0x5000, "LRU keeps page 0, referenced since");
    assert!(why.starts_with("least recently used"), "{why}");
}

#[test]
fn the_callback_chooses_and_a_bad_answer_falls_back_to_clock() {
    let (mut mm, mut env) = FakeEnv::setup(2, PolicyKind::Callback);
    let a = anon(&mut mm, &mut env, 3);
    env.callback = Some(Box::new(|c: &[u32]| c.last().copied()));
    for p in 0..3 {
        env.read(&mut mm, a + p * PAGE_SIZE).unwrap();
    }
    let reasons: Vec<String> = env
        .events
        .iter()
        .filter_map(|e| match e {
            PagerEvent::Evict { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert!(reasons[0].contains("callback chose"), "{reasons:?}");
    env.callback = Some(Box::new(|_: &[u32]| Some(0xDEAD_0000)));
    let missing = (0..3)
        .map(|p| a + p * PAGE_SIZE)
        .find(|v| !mm.resident().iter().any(|r| r.vaddr == *v))
        .unwrap();
    env.read(&mut mm, missing).unwrap();
    let last = env.events.iter().rev().find_map(|e| match e {
        PagerEvent::Evict { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert!(last.unwrap_or_default().contains("fell back to Clock"));
}

#[test]
fn switching_policy_keeps_resident_pages_and_refuses_opt() {
    let (mut mm, mut env) = FakeEnv::setup(4, PolicyKind::Fifo);
    let a = anon(&mut mm, &mut env, 3);
    for p in 0..3 {
        env.read(&mut mm, a + p * PAGE_SIZE).unwrap();
    }
    mm.set_policy(PolicyKind::Lru).unwrap();
    assert_eq!(mm.policy_queue().entries.len(), 3);
    assert!(mm.policy_name().contains("approximate"));
    assert_eq!(mm.set_policy(PolicyKind::Opt), Err(MmError::OfflinePolicy));
    assert_eq!(mm.policy_kind(), PolicyKind::Lru);
    env.revoke_all();
    env.read(&mut mm, a).unwrap();
    assert_eq!(
        env.count(|e| matches!(e, PagerEvent::PolicySwitch { .. })),
        1
    );
    let cfg = MmConfig {
        container: CONTAINER,
        frames: 1,
        policy: PolicyKind::Opt,
        seed: 0,
        oracle: false,
    };
    assert!(MemoryManager::try_new(cfg.clone()).is_err());
    let mut mm = MemoryManager::new(cfg);
    assert_eq!(mm.policy_kind(), PolicyKind::Lru);
    let mut env = FakeEnv::new(4);
    anon(&mut mm, &mut env, 1);
    assert!(matches!(
        env.events[0],
        PagerEvent::PolicyUnavailable { .. }
    ));
}

#[test]
fn oracle_lru_is_exact_and_labelled() {
    let mut mm = MemoryManager::new(MmConfig {
        container: CONTAINER,
        frames: 2,
        policy: PolicyKind::Lru,
        seed: 0,
        oracle: true,
    });
    let mut env = FakeEnv::new(64);
    assert!(mm.policy_name().contains("oracle"));
    let a = anon(&mut mm, &mut env, 3);
    env.read(&mut mm, a).unwrap();
    mm.oracle_access(a);
    env.read(&mut mm, a + PAGE_SIZE).unwrap();
    mm.oracle_access(a + PAGE_SIZE);
    env.read(&mut mm, a).unwrap();
    mm.oracle_access(a);
    env.read(&mut mm, a + 2 * PAGE_SIZE).unwrap();
    assert!(env
        .events
        .iter()
        .any(|e| matches!(e, PagerEvent::Evict { vaddr: 0x5000, .. })));
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    let run = |seed| {
        let mut mm = MemoryManager::new(MmConfig {
            container: CONTAINER,
            frames: 3,
            policy: PolicyKind::Random,
            seed,
            oracle: false,
        });
        let mut env = FakeEnv::new(64);
        let a = anon(&mut mm, &mut env, 8);
        for i in 0..40u32 {
            env.write(&mut mm, a + (i * 5 % 8) * PAGE_SIZE, i as u8)
                .unwrap();
        }
        env.events
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[derive(Clone, Debug)]
enum Op {
    Write(u8, u16, u8),
    Read(u8, u16),
    Revoke,
    Pressure,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..6, any::<u16>(), any::<u8>()).prop_map(|(p, o, b)| Op::Write(p, o, b)),
        4 => (0u8..6, any::<u16>()).prop_map(|(p, o)| Op::Read(p, o)),
        1 => Just(Op::Revoke),
        1 => Just(Op::Pressure),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn memory_reads_back_what_was_written_whatever_the_policy(
        ops in proptest::collection::vec(op(), 1..80),
        frames in 1u32..4,
        kind in proptest::sample::select(live()),
    ) {
        let (mut mm, mut env) = FakeEnv::setup(frames, kind);
        let a = anon(&mut mm, &mut env, 6);
        let mut model = BTreeMap::new();
        for o in ops {
            match o {
                Op::Write(p, off, b) => {
                    let va = a + u32::from(p) * PAGE_SIZE + u32::from(off) % PAGE_SIZE;
                    env.write(&mut mm, va, b).unwrap();
                    model.insert(va, b);
                }
                Op::Read(p, off) => {
                    let va = a + u32::from(p) * PAGE_SIZE + u32::from(off) % PAGE_SIZE;
                    prop_assert_eq!(env.read(&mut mm, va).unwrap(), model.get(&va).copied().unwrap_or(0));
                }
                Op::Revoke => env.revoke_all(),
                Op::Pressure => {
                    let held = mm.frames_held();
                    let got = mm.return_frames(&mut env, 1);
                    prop_assert_eq!(got, held.min(1));
                    mm.set_frame_limit(frames);
                }
            }
            prop_assert!(mm.frames_held() <= frames);
            prop_assert_eq!(mm.frames_held() as usize, env.frames.len());
        }
    }
}
