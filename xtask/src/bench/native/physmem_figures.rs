//! physmem's own request paths timed by straight calls: allocate + map + deallocate, and a
//! copy-on-write copy and break.

use super::{least, Facts, CPU};
use crate::bench::clock::thread_cpu;
use crate::bench::table::Row;
use crate::bench::Scale;

/// The physmem figures (native); the browser rows add " (wasm, Chromium)".
pub const PHYSMEM_CHURN: &str = "physmem: allocate + map + deallocate a page (native)";
/// See [`PHYSMEM_CHURN`].
pub const PHYSMEM_COW: &str = "physmem: COW copy + write break of a page (native)";

/// Rounds of each physmem workload.
pub fn physmem_rounds(scale: Scale) -> u32 {
    (200_000 / scale.divisor()) as u32
}

/// physmem's own request paths, straight calls (no IPC, no trace): each round is what one
/// first-touch fault and release, or one fork-and-write, asks of the server.
pub(super) fn physmem_rows(scale: Scale, facts: &mut Facts) -> Vec<Row> {
    let rounds = physmem_rounds(scale);
    let time = |work: fn(u32) -> Result<(), physmem::PhysmemError>| {
        least(scale.repetitions(), || {
            let t = thread_cpu();
            work(rounds).map(|()| (thread_cpu() - t) * 1e9 / f64::from(rounds))
        })
        .map_err(|e| format!("physmem refused a request: {e}"))
    };
    let churn = time(physmem::bench::allocate_map_deallocate);
    let cow = time(physmem::bench::cow_copy_and_break);
    facts.physmem_churn_ns = churn.as_ref().ok().copied();
    facts.physmem_cow_ns = cow.as_ref().ok().copied();
    let linux = facts.linux_fault_ns;
    let row = |figure: &str, r: Result<f64, String>, what: &str| match r {
        Ok(ns) => Row::new(figure, ns, "ns/page")
            .vs(linux, "Linux first touch")
            .timed(CPU)
            .note(format!(
                "{what}; best of {} runs of {rounds} rounds, CPU time; requests to \
                 physmem::Physmem::handle directly (no IPC, no trace)",
                scale.repetitions()
            )),
        Err(e) => Row::skipped(figure, "ns/page", &e),
    };
    vec![
        row(
            PHYSMEM_CHURN,
            churn,
            "ContainerAllocate 1 page, ContainerMap RW (binds and zeroes a frame), \
             ContainerDeallocate",
        ),
        row(
            PHYSMEM_COW,
            cow,
            "ContainerCopy copy-on-write of a bound page, then ContainerMap RW of the copy \
             (the private copy)",
        ),
    ]
}
