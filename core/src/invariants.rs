//! The kernel's invariants, which the soak test checks after every event: page tables, the
//! mapping database and physmem agree, page tables live in kernel frames, and copy-on-write
//! frames are mapped read-only everywhere.

use physmem::{FrameInfo, Rights, TaskId};
use x86_emu::{Pfn, PteFlags};

use crate::kernel::Kernel;
use crate::pagetable;

impl Kernel {
    /// Checks every invariant; the first one broken, described.
    ///
    /// # Errors
    /// Which invariant does not hold, and where.
    pub fn check_invariants(&self) -> Result<(), String> {
        let s = &self.sys;
        s.physmem
            .check_invariants()
            .map_err(|e| format!("physmem: {e}"))?;
        for t in s.tasks.values() {
            let mapped = s.mapdb.of_task(t.id).count();
            if t.state.is_done() {
                if mapped > 0 {
                    return Err(format!("task {} is done but has {mapped} mappings", t.id));
                }
                continue;
            }
            let dir = Pfn(t.cr3.0 >> 12);
            let tables = pagetable::tables(&s.machine, t.cr3);
            if let Some(f) = std::iter::once(dir)
                .chain(tables.iter().map(|&(_, f)| f))
                .find(|&f| !s.pool.owns(f))
            {
                return Err(format!(
                    "task {}: page-table frame {} is not a kernel frame",
                    t.id, f.0
                ));
            }
            let ptes = pagetable::mappings(&s.machine, t.cr3);
            if ptes.len() != mapped {
                return Err(format!(
                    "task {}: {} present PTEs but {mapped} mappings in the database",
                    t.id,
                    ptes.len()
                ));
            }
            for (va, pte) in ptes {
                self.check_pte(t.id, va, pte)?;
            }
        }
        Ok(())
    }

    /// One present PTE: recorded in the mapping database, of a frame the task's containers
    /// hold, and writable only when the mapping grants W and the frame is not COW.
    fn check_pte(&self, task: u32, va: u32, pte: u32) -> Result<(), String> {
        let s = &self.sys;
        let at = format!("task {task} at {va:#010x}");
        let pfn = pte >> 12;
        let node = s
            .mapdb
            .get((task, va))
            .ok_or_else(|| format!("{at}: a PTE without a mapping-database entry"))?;
        if node.pfn != pfn {
            return Err(format!(
                "{at}: the PTE maps frame {pfn}, the database says {}",
                node.pfn
            ));
        }
        if pte & PteFlags::USER.bits() == 0 {
            return Err(format!("{at}: a mapping without the U/S bit"));
        }
        let writable = pte & PteFlags::WRITABLE.bits() != 0;
        if writable && !node.rights.contains(Rights::W) {
            return Err(format!("{at}: writable PTE of a mapping without W"));
        }
        match s.physmem.frame(physmem::Pfn(pfn)) {
            FrameInfo::Bound { owners, cow, .. } => {
                if !owners.iter().any(|o| o.task == TaskId(task)) {
                    return Err(format!(
                        "{at}: frame {pfn} is in none of the task's containers"
                    ));
                }
                if cow && writable {
                    return Err(format!("{at}: copy-on-write frame {pfn} mapped writable"));
                }
                Ok(())
            }
            other => Err(format!("{at}: frame {pfn} is mapped but {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::kernel::{Kernel, KernelConfig, Until};
    use crate::{pagetable, presets};
    use x86_emu::Pfn;

    #[test]
    fn a_pte_the_mapping_database_does_not_know_is_reported() {
        let scenario = presets::scenario("first-fault").expect("preset");
        let mut k = Kernel::boot(&scenario, KernelConfig::default()).expect("boots");
        k.run(10_000, Until::Event("resumed"));
        assert_eq!(k.check_invariants(), Ok(()));
        let (cr3, pfn) = {
            let t = k.sys.tasks.values().next().expect("a task");
            let (_, node) = k.sys.mapdb.of_task(t.id).next().expect("a mapping");
            (t.cr3, node.pfn)
        };
        let s = &mut k.sys;
        pagetable::map(
            &mut s.machine,
            &mut s.pool,
            cr3,
            0x7000_0000,
            Pfn(pfn),
            true,
        );
        let err = k.check_invariants().expect_err("a stray PTE");
        assert!(err.contains("present PTEs"), "{err}");
    }
}
