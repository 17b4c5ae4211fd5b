//! The Linux references for the fault figure: the kernel's own first-touch anonymous page
//! fault, and (where allowed) a userfaultfd round trip, the closest thing Linux has to a
//! user-space pager.

use super::clock::{process_cpu, thread_cpu};

/// ns per first-touch fault of an anonymous page: `vec![0u8; mib MiB]` (calloc, which
/// mmaps fresh zero pages for a block this size and does not touch them), one write per
/// 4 KiB page, minus a second pass over the now-present pages; CPU time of this thread.
pub fn first_touch_ns(mib: usize) -> Result<f64, String> {
    let pages = mib * 256;
    let mut v = vec![0u8; mib << 20];
    let pass = |v: &mut Vec<u8>, value: u8| {
        let t = thread_cpu();
        for i in 0..pages {
            v[i * 4096] = value;
        }
        std::hint::black_box(&mut *v);
        thread_cpu() - t
    };
    let first = pass(&mut v, 1);
    let second = pass(&mut v, 2);
    drop(v);
    if first <= second {
        return Err("the first pass was not slower than the second (huge pages?)".into());
    }
    Ok((first - second) * 1e9 / pages as f64)
}

/// ns per first touch of a page of a `MAP_SHARED` mapping of a file in `/dev/shm` whose
/// pages are all in the page cache already (written before mapping): one write per 4 KiB
/// page, minus a second pass; CPU time of this thread.
pub fn shm_first_touch_ns(mib: usize) -> Result<f64, String> {
    use std::os::fd::AsRawFd;
    let path = format!("/dev/shm/selfpage-bench-{}", std::process::id());
    let len = mib << 20;
    std::fs::write(&path, vec![7u8; len]).map_err(|e| format!("{path}: {e}"))?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| format!("{path}: {e}"));
    let _ = std::fs::remove_file(&path);
    let file = file?;
    // SAFETY: a fresh shared mapping of a file this function owns, `len` bytes long; it is
    // written only within those bytes and unmapped before returning.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        );
        if p == libc::MAP_FAILED {
            return Err(format!(
                "mmap of {path}: {}",
                std::io::Error::last_os_error()
            ));
        }
        let bytes = p.cast::<u8>();
        let pass = |value: u8| {
            let t = thread_cpu();
            for i in 0..mib * 256 {
                std::ptr::write_volatile(bytes.add(i * 4096), value);
            }
            thread_cpu() - t
        };
        let first = pass(1);
        let second = pass(2);
        libc::munmap(p, len);
        if first <= second {
            return Err("the first pass was not slower than the second".into());
        }
        Ok((first - second) * 1e9 / (mib * 256) as f64)
    }
}

/// ns per userfaultfd round trip (missing-page fault → event read by a handler thread →
/// `UFFDIO_ZEROPAGE` → the faulting thread resumes), CPU time of both threads (so time
/// spent waiting for a busy core does not count) over `pages` pages.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub fn userfaultfd_ns(pages: usize) -> Result<f64, String> {
    uffd::round_trip_ns(pages)
}

/// userfaultfd is measured on x86-64 Linux only.
#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
pub fn userfaultfd_ns(_pages: usize) -> Result<f64, String> {
    Err("userfaultfd is measured on x86-64 Linux only".into())
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod uffd {
    //! The few userfaultfd definitions of <linux/userfaultfd.h> the libc crate lacks.

    use super::process_cpu;
    use std::io::Error;

    /// `UFFD_API`.
    const API: u64 = 0xAA;
    /// `UFFD_USER_MODE_ONLY`: enough for us, and allowed without privileges.
    const USER_MODE_ONLY: libc::c_int = 1;
    /// `_IOWR(0xAA, 0x3F, struct uffdio_api)`.
    const IOCTL_API: libc::c_ulong = 0xC018_AA3F;
    /// `_IOWR(0xAA, 0x00, struct uffdio_register)`.
    const IOCTL_REGISTER: libc::c_ulong = 0xC020_AA00;
    /// `_IOWR(0xAA, 0x04, struct uffdio_zeropage)`.
    const IOCTL_ZEROPAGE: libc::c_ulong = 0xC020_AA04;
    /// `UFFDIO_REGISTER_MODE_MISSING`.
    const MODE_MISSING: u64 = 1;
    /// `UFFD_EVENT_PAGEFAULT`.
    const EVENT_PAGEFAULT: u8 = 0x12;

    /// `struct uffdio_api`.
    #[repr(C)]
    struct ApiArg {
        api: u64,
        features: u64,
        ioctls: u64,
    }

    /// `struct uffdio_range`.
    #[repr(C)]
    struct Range {
        start: u64,
        len: u64,
    }

    /// `struct uffdio_register` and `struct uffdio_zeropage` (same layout).
    #[repr(C)]
    struct RangeArg {
        range: Range,
        mode: u64,
        result: u64,
    }

    /// `struct uffd_msg` (32 bytes; for a page fault the address is at byte 16).
    #[repr(C)]
    struct Msg {
        event: u8,
        _reserved: [u8; 7],
        flags: u64,
        address: u64,
        _feat: u64,
    }

    /// The last OS error, in words, after `what`.
    fn os_error(what: &str) -> String {
        format!("{what}: {}", Error::last_os_error())
    }

    /// Measures `pages` round trips; see [`super::userfaultfd_ns`].
    pub fn round_trip_ns(pages: usize) -> Result<f64, String> {
        // SAFETY: plain system calls on a descriptor and a mapping this function owns; every
        // pointer passed points to a live, correctly laid-out struct or into the mapping,
        // which is unmapped only after the handler thread has been joined.
        unsafe {
            let mut fd =
                libc::syscall(libc::SYS_userfaultfd, libc::O_CLOEXEC | USER_MODE_ONLY) as i32;
            if fd < 0 {
                fd = libc::syscall(libc::SYS_userfaultfd, libc::O_CLOEXEC) as i32;
            }
            if fd < 0 {
                return Err(os_error("userfaultfd() is not allowed here"));
            }
            let result = measure(fd, pages);
            libc::close(fd);
            result
        }
    }

    /// The body of [`round_trip_ns`] once the descriptor is open.
    unsafe fn measure(fd: i32, pages: usize) -> Result<f64, String> {
        let mut api = ApiArg {
            api: API,
            features: 0,
            ioctls: 0,
        };
        if libc::ioctl(fd, IOCTL_API, &mut api) != 0 {
            return Err(os_error("UFFDIO_API"));
        }
        let len = pages * 4096;
        let base = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if base == libc::MAP_FAILED {
            return Err(os_error("mmap"));
        }
        let mut reg = RangeArg {
            range: Range {
                start: base as u64,
                len: len as u64,
            },
            mode: MODE_MISSING,
            result: 0,
        };
        if libc::ioctl(fd, IOCTL_REGISTER, &mut reg) != 0 {
            libc::munmap(base, len);
            return Err(os_error("UFFDIO_REGISTER"));
        }
        let handler = std::thread::spawn(move || -> Result<(), String> {
            let mut served = 0;
            while served < pages {
                let mut msg = Msg {
                    event: 0,
                    _reserved: [0; 7],
                    flags: 0,
                    address: 0,
                    _feat: 0,
                };
                let n = libc::read(
                    fd,
                    (&mut msg as *mut Msg).cast(),
                    std::mem::size_of::<Msg>(),
                );
                if n != std::mem::size_of::<Msg>() as isize {
                    return Err(os_error("reading a userfaultfd event"));
                }
                if msg.event != EVENT_PAGEFAULT {
                    continue;
                }
                let _ = msg.flags;
                let mut zero = RangeArg {
                    range: Range {
                        start: msg.address & !4095,
                        len: 4096,
                    },
                    mode: 0,
                    result: 0,
                };
                if libc::ioctl(fd, IOCTL_ZEROPAGE, &mut zero) != 0 {
                    return Err(os_error("UFFDIO_ZEROPAGE"));
                }
                served += 1;
            }
            Ok(())
        });
        let p = base.cast::<u8>();
        let t = process_cpu();
        for i in 0..pages {
            // Reading faults (a missing page); the zero page then maps read-only.
            std::ptr::read_volatile(p.add(i * 4096));
        }
        let served = handler
            .join()
            .map_err(|_| "the handler thread panicked".to_string())?;
        let dt = process_cpu() - t;
        libc::munmap(base, len);
        served?;
        Ok(dt * 1e9 / pages as f64)
    }
}
