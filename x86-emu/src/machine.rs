//! The machine: CPU registers, RAM, MMU state (CR3, TLB), the decode cache, and the
//! step/run loop with breakpoints and watchpoints.

use crate::addr::{PhysAddr, VirtAddr};
use crate::code_cache::CodeCache;
use crate::cpu::CpuState;
use crate::exception::{Exception, Vector};
use crate::flags::Flags;
use crate::page_log::PageLog;
use crate::ram::{Ram, RamError};
use crate::tlb::Tlb;
use crate::undefined::{Undef, UndefinedResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Which accesses a watchpoint reacts to, or which access hit it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WatchAccess {
    /// Data reads.
    Read,
    /// Data writes.
    Write,
    /// Both reads and writes.
    ReadWrite,
}

/// A data watchpoint on `len` bytes at a linear address; the machine stops after the
/// instruction that touched them (a trap, as x86 debug registers do).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Watchpoint {
    /// First watched byte.
    pub addr: VirtAddr,
    /// Number of watched bytes.
    pub len: u32,
    /// Which accesses trigger it.
    pub access: WatchAccess,
}

/// Why execution stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stop {
    /// The instruction budget of [`Machine::run`] is used up.
    Budget,
    /// EIP reached a breakpoint; the instruction there has not executed.
    Breakpoint(u32),
    /// A watched byte was accessed; the instruction that did it has retired.
    Watchpoint {
        /// Linear address of the access that hit.
        addr: u32,
        /// Whether it was a read or a write.
        access: WatchAccess,
    },
    /// A fault (EIP at the faulting instruction, nothing changed) or a trap (INT3, INTO:
    /// EIP after the instruction). A walk through tables outside RAM stops with
    /// [`Vector::MachineCheck`].
    Exception(Exception),
    /// `INT n` executed; EIP is already after it (a system call or library gate for core).
    Interrupt(u8),
}

/// The result of [`Machine::run`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// Why it stopped.
    pub stop: Stop,
    /// Instructions retired during this run.
    pub retired: u64,
}

/// An i386 running user code at CPL 3 with paging on.
pub struct Machine {
    pub(crate) ram: Ram,
    pub(crate) regs: [u32; 8],
    pub(crate) eip: u32,
    /// EIP of the instruction after the current one; branches overwrite it.
    pub(crate) next_eip: u32,
    pub(crate) flags: Flags,
    pub(crate) cr2: u32,
    pub(crate) cr3: PhysAddr,
    pub(crate) tlb: Tlb,
    pub(crate) code: CodeCache,
    breakpoints: BTreeSet<u32>,
    pub(crate) watchpoints: Vec<Watchpoint>,
    /// A stop that the current instruction asks for once it retires (INT n, trap, watchpoint).
    pub(crate) pending: Option<Stop>,
    /// The EIP of the breakpoint [`Machine::run`] last stopped at, until an instruction retires
    /// or faults: the next run executes that instruction instead of stopping again.
    reported_breakpoint: Option<u32>,
    retired: u64,
    /// The last instruction that left its destination undefined (see [`crate::undefined`]).
    undefined_result: Option<UndefinedResult>,
    /// Pages touched by guest code, when asked for ([`Machine::set_page_log`]).
    pub(crate) page_log: Option<Box<PageLog>>,
}

impl std::fmt::Debug for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machine")
            .field("cpu", &self.cpu())
            .field("cr3", &self.cr3)
            .field("ram", &self.ram)
            .field("retired", &self.retired)
            .finish()
    }
}

impl Machine {
    /// A machine with `ram`, CR3 = 0, all registers zero (EFLAGS = IF | bit 1) and an empty TLB.
    pub fn new(ram: Ram) -> Machine {
        let cpu = CpuState::default();
        let frames = ram.frames();
        Machine {
            ram,
            regs: cpu.regs,
            eip: cpu.eip,
            next_eip: cpu.eip,
            flags: Flags::new(cpu.eflags),
            cr2: 0,
            cr3: PhysAddr(0),
            tlb: Tlb::default(),
            code: CodeCache::new(frames),
            breakpoints: BTreeSet::new(),
            watchpoints: Vec::new(),
            pending: None,
            reported_breakpoint: None,
            retired: 0,
            undefined_result: None,
            page_log: None,
        }
    }

    /// Physical RAM (read-only; write through [`Machine::write_phys`]).
    pub fn ram(&self) -> &Ram {
        &self.ram
    }

    /// Copy bytes out of physical RAM.
    ///
    /// # Errors
    /// [`RamError::OutOfRange`] if any byte lies outside RAM.
    pub fn read_phys(&self, pa: PhysAddr, buf: &mut [u8]) -> Result<(), RamError> {
        self.ram.read(pa, buf)
    }

    /// Write bytes into physical RAM: the one write path for the kernel. Drops decoded
    /// instructions of the frames written. Does not touch the TLB (use [`Machine::invlpg`]).
    ///
    /// # Errors
    /// [`RamError::OutOfRange`] if any byte lies outside RAM (nothing is written).
    pub fn write_phys(&mut self, pa: PhysAddr, bytes: &[u8]) -> Result<(), RamError> {
        self.ram.write(pa, bytes)?;
        self.written(pa, bytes.len());
        Ok(())
    }

    /// Set `len` bytes of physical RAM to zero (a frame handed out afresh), keeping the decode
    /// cache coherent as [`Machine::write_phys`] does. A fill, not a copy of a page of zeroes:
    /// in wasm a copy is a `memory.copy`, which the browser runs with the C library's
    /// `memmove`, and on some CPUs (AMD Zen 3 and 4 with `rep movsb`) that is many times
    /// slower when source and destination lie at certain distances mod 4 KiB.
    ///
    /// # Errors
    /// [`RamError::OutOfRange`] if any byte lies outside RAM (nothing is written).
    pub fn zero_phys(&mut self, pa: PhysAddr, len: usize) -> Result<(), RamError> {
        self.ram.zero(pa, len)?;
        self.written(pa, len);
        Ok(())
    }

    /// Drops the decoded instructions of the frames that `len` bytes written at `pa` touch.
    fn written(&mut self, pa: PhysAddr, len: usize) {
        if let Some(last) = len.checked_sub(1) {
            let first = pa.0 >> 12;
            let end = (pa.0 as usize + last) as u32 >> 12;
            for pfn in first..=end {
                self.code.invalidate(pfn);
            }
        }
    }

    /// Write one little-endian u32 into physical RAM (e.g. a PTE), keeping the decode cache
    /// coherent. A store of four bytes: through [`Machine::write_phys`]'s slice it was a
    /// `memory.copy` in wasm, which the browser runs as a call to the C library's `memmove`.
    ///
    /// # Errors
    /// [`RamError::OutOfRange`] outside RAM.
    pub fn write_phys_u32(&mut self, pa: PhysAddr, v: u32) -> Result<(), RamError> {
        if !self.ram.write_u32(pa, v) {
            return Err(RamError::OutOfRange { addr: pa.0, len: 4 });
        }
        self.written(pa, 4);
        Ok(())
    }

    /// Read one little-endian u32 from physical RAM (e.g. a PTE): a load of four bytes, not
    /// a copy through a slice (see [`Machine::write_phys_u32`]).
    ///
    /// # Errors
    /// [`RamError::OutOfRange`] outside RAM.
    pub fn read_phys_u32(&self, pa: PhysAddr) -> Result<u32, RamError> {
        self.ram
            .read_u32(pa)
            .ok_or(RamError::OutOfRange { addr: pa.0, len: 4 })
    }

    /// The CPU registers with EFLAGS materialized.
    pub fn cpu(&self) -> CpuState {
        CpuState {
            regs: self.regs,
            eip: self.eip,
            eflags: self.flags.get(),
            cr2: self.cr2,
            undefined: self.flags.undefined(),
        }
    }

    /// The last instruction whose result the architecture leaves undefined, if any has run.
    pub fn undefined_result(&self) -> Option<UndefinedResult> {
        self.undefined_result
    }

    /// The current instruction left its destination undefined, by `rule`.
    pub(crate) fn note_undefined_result(&mut self, rule: Undef) {
        let count = self.undefined_result.map_or(0, |u| u.count) + 1;
        self.undefined_result = Some(UndefinedResult {
            rule,
            eip: self.eip,
            count,
        });
    }

    /// Load all CPU registers (a context switch in). EFLAGS bit 1 is forced to 1.
    pub fn set_cpu(&mut self, s: CpuState) {
        self.regs = s.regs;
        self.eip = s.eip;
        self.next_eip = s.eip;
        self.flags
            .put(s.eflags | crate::cpu::eflags::RESERVED1, s.undefined);
        self.cr2 = s.cr2;
        self.pending = None;
        self.reported_breakpoint = None;
    }

    /// CR3: the physical address of the page directory.
    pub fn cr3(&self) -> PhysAddr {
        self.cr3
    }

    /// Load CR3 and flush the whole TLB, as `MOV CR3` does.
    pub fn set_cr3(&mut self, cr3: PhysAddr) {
        self.cr3 = cr3;
        self.tlb.flush();
    }

    /// Drop the TLB entry of the page holding `va`, as `INVLPG` does.
    pub fn invlpg(&mut self, va: VirtAddr) {
        self.tlb.invalidate(va.vpn());
    }

    /// Drop every TLB entry without changing CR3.
    pub fn flush_tlb(&mut self) {
        self.tlb.flush();
    }

    /// The TLB, for display and statistics.
    pub fn tlb(&self) -> &Tlb {
        &self.tlb
    }

    /// Replace the TLB (e.g. one of another size, or one restored from a snapshot).
    pub fn set_tlb(&mut self, tlb: Tlb) {
        self.tlb = tlb;
    }

    /// Breakpoints: linear EIPs where [`Machine::run`] stops before executing.
    pub fn breakpoints_mut(&mut self) -> &mut BTreeSet<u32> {
        &mut self.breakpoints
    }

    /// Data watchpoints checked on every guest data access.
    pub fn watchpoints_mut(&mut self) -> &mut Vec<Watchpoint> {
        &mut self.watchpoints
    }

    /// Start (`true`) or stop recording the pages guest code touches. Recording runs one
    /// instruction per fetch, so it is slower; it changes nothing the guest can observe.
    pub fn set_page_log(&mut self, on: bool) {
        self.page_log = on.then(Box::default);
    }

    /// Take the page log away (`None` if not recording), so that accesses made for someone
    /// else (an eviction callback) are not recorded; give it back with
    /// [`Machine::resume_page_log`].
    pub fn pause_page_log(&mut self) -> Option<Box<PageLog>> {
        self.page_log.take()
    }

    /// Put back a page log taken by [`Machine::pause_page_log`].
    pub fn resume_page_log(&mut self, log: Option<Box<PageLog>>) {
        self.page_log = log;
    }

    /// The page log, when recording.
    pub fn page_log_mut(&mut self) -> Option<&mut PageLog> {
        self.page_log.as_deref_mut()
    }

    /// Total instructions retired since the machine was made.
    pub fn retired(&self) -> u64 {
        self.retired
    }

    /// Execute one instruction; `None` if it retired without stopping. Breakpoints are not
    /// checked (stepping from a breakpoint executes the instruction there).
    pub fn step(&mut self) -> Option<Stop> {
        self.exec_blocks(1, false)
    }

    /// Execute up to `budget` instructions. Stops at a breakpoint before executing its
    /// instruction, once: running again executes that instruction (so that continuing from a
    /// breakpoint makes progress), but if it faults instead of retiring, the run after the
    /// fault is served stops at the breakpoint again. Loading registers with
    /// [`Machine::set_cpu`] forgets which breakpoint was reported.
    pub fn run(&mut self, budget: u64) -> Run {
        let start = self.retired;
        let check_bp = !self.breakpoints.is_empty();
        loop {
            let done = self.retired - start;
            if done >= budget {
                return Run {
                    stop: Stop::Budget,
                    retired: done,
                };
            }
            if check_bp && self.stops_at_breakpoint() {
                return Run {
                    stop: Stop::Breakpoint(self.eip),
                    retired: done,
                };
            }
            // With a page log, one instruction per fetch: each one's fetch is then recorded.
            let max = if self.page_log.is_some() {
                1
            } else {
                budget - done
            };
            if let Some(stop) = self.exec_blocks(max, check_bp) {
                return Run {
                    stop,
                    retired: self.retired - start,
                };
            }
        }
    }

    /// Whether a breakpoint at EIP stops the run now: it does unless this very breakpoint was
    /// reported and its instruction has neither retired nor faulted since.
    fn stops_at_breakpoint(&mut self) -> bool {
        if self.reported_breakpoint == Some(self.eip) || !self.breakpoints.contains(&self.eip) {
            return false;
        }
        self.reported_breakpoint = Some(self.eip);
        true
    }

    /// Whether a breakpoint is set at `eip`.
    pub(crate) fn breakpoints_contain(&self, eip: u32) -> bool {
        self.breakpoints.contains(&eip)
    }

    /// Count `n` instructions retired by one block.
    #[inline(always)]
    pub(crate) fn retired_block(&mut self, n: u64) {
        self.retired += n;
        if n != 0 {
            self.reported_breakpoint = None;
        }
    }

    /// Record a fault: CR2 for #PF; nothing else changes, EIP stays at the instruction.
    pub(crate) fn fault(&mut self, e: Exception) -> Stop {
        if e.vector == Vector::PageFault {
            if let Some(a) = e.cr2 {
                self.cr2 = a;
            }
        }
        self.next_eip = self.eip;
        self.pending = None;
        self.reported_breakpoint = None; // the instruction did not retire: stop there again
        Stop::Exception(e)
    }

    /// Read bytes at a linear address as a CPL-3 access through the MMU (sets A bits, uses
    /// and fills the TLB). All pages are translated before anything is read.
    ///
    /// # Errors
    /// The #PF a user read of these bytes would raise.
    pub fn read_virt(&mut self, va: VirtAddr, buf: &mut [u8]) -> Result<(), Exception> {
        let pending = self.pending.take(); // the kernel's accesses do not hit watchpoints
        let log = self.page_log.take(); // nor reach the page log
        let r = self.read_bytes(va.0, buf);
        self.pending = pending;
        self.page_log = log;
        r
    }

    /// Write bytes at a linear address as a CPL-3 access through the MMU (sets A and D bits).
    /// All pages are translated before anything is written, so a fault writes nothing.
    ///
    /// # Errors
    /// The #PF a user write of these bytes would raise.
    pub fn write_virt(&mut self, va: VirtAddr, bytes: &[u8]) -> Result<(), Exception> {
        let pending = self.pending.take();
        let log = self.page_log.take();
        let r = self.write_bytes(va.0, bytes);
        self.pending = pending;
        self.page_log = log;
        r
    }

    /// A serializable copy of the CPU, MMU and counters (the decode cache is rebuilt on demand).
    pub fn snapshot(&self) -> MachineState {
        MachineState {
            cpu: self.cpu(),
            cr3: self.cr3,
            tlb: self.tlb.clone(),
            retired: self.retired,
            ram: self.ram.clone(),
        }
    }

    /// A machine in state `s`, without breakpoints or watchpoints.
    pub fn from_snapshot(s: MachineState) -> Machine {
        let MachineState {
            cpu,
            cr3,
            tlb,
            retired,
            ram,
        } = s;
        let mut m = Machine::new(ram);
        m.set_cpu(cpu);
        m.cr3 = cr3;
        m.tlb = tlb;
        m.retired = retired;
        m
    }

    /// Restore a [`MachineState`] taken by [`Machine::snapshot`] (breakpoints and watchpoints stay).
    pub fn restore(&mut self, s: MachineState) {
        let mut m = Machine::from_snapshot(s);
        m.breakpoints = std::mem::take(&mut self.breakpoints);
        m.watchpoints = std::mem::take(&mut self.watchpoints);
        m.page_log = self.page_log.take();
        *self = m;
    }
}

/// Everything of a [`Machine`] that a snapshot must keep, as plain data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineState {
    /// Registers.
    pub cpu: CpuState,
    /// Page directory base.
    pub cr3: PhysAddr,
    /// TLB contents and counters (stale entries included: they are observable).
    pub tlb: Tlb,
    /// Instructions retired.
    pub retired: u64,
    /// Physical memory.
    pub ram: Ram,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{asm, machine, DATA};
    use iced_x86::code_asm::*;

    #[test]
    fn snapshot_round_trips_through_json() {
        let (mut m, _) = machine(&asm(|a| {
            a.mov(eax, 0x1234u32)?;
            a.add(dword_ptr(DATA), eax)?;
            a.stc()
        }));
        assert_eq!(m.run(100).stop, Stop::Interrupt(0x80));
        let snap = m.snapshot();
        let json = serde_json::to_string(&snap).unwrap();
        let back: MachineState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, snap);
        let mut other = Machine::new(Ram::new(1).unwrap());
        other.restore(back);
        assert_eq!(other.cpu(), m.cpu());
        assert_eq!(other.tlb(), m.tlb());
        assert_eq!(other.retired(), m.retired());
        assert!(other.cpu().flag(crate::cpu::eflags::CF));
    }

    #[test]
    fn kernel_accesses_do_not_trigger_watchpoints_and_steps_ignore_breakpoints() {
        let (mut m, _) = machine(&asm(|a| a.mov(eax, dword_ptr(DATA))));
        m.watchpoints_mut().push(Watchpoint {
            addr: VirtAddr(DATA),
            len: 4,
            access: WatchAccess::ReadWrite,
        });
        let mut buf = [0u8; 4];
        m.read_virt(VirtAddr(DATA), &mut buf).unwrap();
        let eip = m.cpu().eip;
        m.breakpoints_mut().insert(eip);
        assert_eq!(
            m.step(),
            Some(Stop::Watchpoint {
                addr: DATA,
                access: WatchAccess::Read
            }),
            "the guest's own read hits; the kernel's did not"
        );
        assert_eq!(m.retired(), 1);
    }
}
