//! Four tasks under memory pressure: instructions and faults per second in a Session, and
//! the same run on a bare Kernel without snapshots.

use selfpage_core::{Kernel, KernelConfig, Scenario, Stopped, Until};

use super::{num_u, run_scenario, session, Facts, CPU};
use crate::bench::clock::thread_cpu;
use crate::bench::table::Row;
use crate::bench::{programs, Scale};

/// Rows of the pressure scenario: instructions and faults per second.
pub(super) fn pressure(scale: Scale, facts: &Facts) -> Vec<Row> {
    let json = programs::pressure_scenario(50, scale.pressure_steps());
    let figure_i = "4 tasks under pressure: instructions/s (native Session)";
    let figure_f = "4 tasks under pressure: faults/s (native Session)";
    let (faults, instructions, secs) = match run_scenario(&json) {
        Ok(r) => r,
        Err(e) => {
            return vec![
                Row::skipped(figure_i, "MIPS", &e),
                Row::skipped(figure_f, "faults/s", &e),
            ]
        }
    };
    let (pressure_events, snapshot_every) = session(&json)
        .map(|mut s| {
            // In chunks, so records are counted before the trace's limit drops them.
            let (mut seen, mut count) = (0, 0);
            loop {
                let before = s.kernel().retired();
                let stop = s.run(200_000, Until::Budget);
                let trace = s.kernel().trace();
                count += trace
                    .since(seen)
                    .iter()
                    .filter(|r| matches!(r.event.kind(), "pressure_request" | "revoked"))
                    .count();
                seen = trace.len();
                if stop != Stopped::Budget || s.kernel().retired() == before {
                    return (count, s.snapshot_every());
                }
            }
        })
        .unwrap_or_default();
    let mips = instructions as f64 / secs / 1e6;
    let fps = faults as f64 / secs;
    let figure_k = "4 tasks under pressure: instructions/s (native Kernel::run)";
    let kernel_row = match kernel_only(&json) {
        Ok((k_instructions, k_secs)) => {
            Row::new(figure_k, k_instructions as f64 / k_secs / 1e6, "MIPS")
                .vs(Some(mips), "the same run in a Session")
                .timed(CPU)
                .note(format!(
            "Kernel::boot + Kernel::run as Session::new configures them, without snapshots \
                 (every {} instructions a Session copies the kernel and its RAM); ratio = \
                 speed-up without snapshots",
            num_u(snapshot_every)
        ))
        }
        Err(e) => Row::skipped(figure_k, "MIPS", &e),
    };
    vec![
        Row::new(figure_i, mips, "MIPS")
            .vs(facts.emu_alu_mips, "emulator, register loop")
            .timed(CPU)
            .note(format!(
                "{} instructions, {faults} faults in {secs:.2} s CPU; 3 cyclic scanners \
                 (LRU, Clock, FIFO; guaranteed + extra < pages) and a 4th task arriving at \
                 time {} (start_at): {pressure_events} pressure-request/revoke records",
                num_u(instructions),
                num_u(programs::LATE_START)
            )),
        Row::new(figure_f, fps, "faults/s")
            .timed(CPU)
            .vs(
                facts.fault_ns.map(|ns| 1e9 / ns),
                "first-touch round trips/s",
            )
            .note(format!(
                "{:.0} instructions per fault; under pressure a fault also evicts and pages out",
                instructions as f64 / faults.max(1) as f64
            )),
        kernel_row,
    ]
}

/// Runs a scenario on a bare [`Kernel`] (no Session, so no snapshots) to the end of its
/// budget: (instructions, CPU seconds).
fn kernel_only(json: &str) -> Result<(u64, f64), String> {
    let scenario = Scenario::from_json(json).map_err(|e| e.to_string())?;
    let config = KernelConfig {
        invlpg: scenario.invlpg,
        ..KernelConfig::default()
    };
    let mut kernel = Kernel::boot(&scenario, config).map_err(|e| e.to_string())?;
    let t = thread_cpu();
    kernel.run(scenario.max_steps, Until::Budget);
    Ok((kernel.retired(), thread_cpu() - t))
}
