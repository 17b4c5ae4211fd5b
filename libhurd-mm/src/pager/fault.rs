//! Serving a page fault: find the region, check the access against its protection, remap a
//! resident page whose mapping was revoked, or bring the page in.

use super::live::{live, Live};
use super::{map_page, Cause, MemoryManager};
use crate::env::{Access, FaultMsg, PagerEnv, PagerEvent, Segv};
use crate::region::{page_of, Prot, Region, USER_BASE, USER_TOP};
use physmem::Rights;

/// Check the access against the region's protection.
fn check_access(r: &Region, access: Access) -> Result<(), String> {
    let (needed, what) = match access {
        Access::Read => (Prot::R, "read from"),
        Access::Write => (Prot::W, "write to"),
        Access::Execute => (Prot::X, "execute in"),
    };
    if r.prot.contains(needed) {
        return Ok(());
    }
    let kind = match access {
        Access::Write if r.prot.contains(Prot::R) => "read-only ",
        Access::Execute => "non-executable ",
        _ if r.prot == Prot::NONE => "no-access ",
        _ => "",
    };
    Err(format!(
        "{what} {kind}region {:#x}..{:#x} ({}, {})",
        r.start, r.end, r.name, r.prot
    ))
}
impl MemoryManager {
    /// Serve one page fault. `Ok` means: reply empty, the thread resumes and retries.
    ///
    /// # Errors
    /// A [`Segv`] whose reason a student can read: no region, wrong protection, or no frame.
    pub fn handle_fault(&mut self, env: &mut dyn PagerEnv, f: FaultMsg) -> Result<(), Segv> {
        self.flush(env);
        self.stats.faults += 1;
        self.fault(env, f).map_err(|reason| {
            self.stats.segvs += 1;
            env.event(PagerEvent::Segv {
                addr: f.addr,
                reason: reason.clone(),
            });
            Segv {
                addr: f.addr,
                reason,
            }
        })
    }

    fn fault(&mut self, env: &mut dyn PagerEnv, f: FaultMsg) -> Result<(), String> {
        let page = page_of(f.addr);
        let Some(region) = self.space.find(f.addr) else {
            let null = if f.addr < USER_BASE {
                " (page 0 is never mapped: a null pointer?)"
            } else if f.addr >= USER_TOP {
                " (kernel-reserved space)"
            } else {
                ""
            };
            return Err(format!("address {:#x} is not in any region{null}", f.addr));
        };
        check_access(region, f.access)?;
        let rights = region.prot.rights();
        // Sample referenced bits for the policy before it may have to choose.
        self.policy.tick(&mut live!(self, env, false));
        if let Some(r) = self.file_fault(env, page, f.access) {
            return r;
        }
        if let Some(p) = self.resident.get_mut(page) {
            // Resident but not mapped: the mapping was revoked ("a cache of mappings").
            p.used = true;
            let offset = p.offset;
            // A copy-on-write page is mapped read-only until it is written; asking for W
            // is what makes physmem break the sharing and copy the frame.
            let rights = if p.cow && f.access != Access::Write {
                rights.without(Rights::W)
            } else {
                p.cow = false;
                rights
            };
            map_page(env, self.container, page, offset, rights)?;
            self.stats.remaps += 1;
            env.event(PagerEvent::Remap {
                vaddr: page,
                offset,
            });
            return Ok(());
        }
        self.bring_in(env, page, Cause::Fault)
    }
}
