//! The workloads every figure runs: two loops (for the emulator, the real CPU and the wasm
//! build alike) and the scenarios of the fault, pressure, step-back and UI figures.

use serde_json::json;

/// The 10-instruction register loop (8 ALU instructions, `dec`, `jnz`), `iters` times, then
/// Linux `exit(0)`, which `selfpage exec` also understands.
pub fn alu_loop(iters: u64) -> String {
    format!(
        "section .text
_start:
    mov esp, {iters}
top:
    add eax, ebx
    xor ecx, eax
    sub edx, 3
    inc esi
    shl edi, 1
    or edi, ecx
    mov ebp, eax
    and ebp, 0xff
    dec esp
    jnz top
    mov eax, 1
    xor ebx, ebx
    int 0x80
"
    )
}

/// Pages the page loop touches.
pub const LOOP_PAGES: u32 = 1024;

/// A loop of 10 instructions per page that reads and writes one dword in each of
/// [`LOOP_PAGES`] pages, `rounds` times over (4 more instructions per round), then exits.
pub fn page_loop(rounds: u64) -> String {
    format!(
        "section .text
_start:
    mov esp, {rounds}
    mov esi, buf
    mov ecx, {LOOP_PAGES}
top:
    mov eax, [esi]
    add eax, ecx
    mov [esi+4], eax
    add ebx, eax
    xor edx, ebx
    inc edi
    add esi, 4096
    sub ebp, 1
    dec ecx
    jnz top
    mov esi, buf
    mov ecx, {LOOP_PAGES}
    dec esp
    jnz top
    mov eax, 1
    xor ebx, ebx
    int 0x80
section .bss
buf: resb 4096*{LOOP_PAGES}
"
    )
}

/// The same source for `nasm -f elf32` and `ld -m elf_i386`: an exported `_start` and a
/// page-aligned `.bss` (the project's assembler page-aligns sections itself).
pub fn for_nasm_elf(source: &str) -> String {
    format!(
        "BITS 32\nglobal _start\n{}",
        source.replace("section .bss\n", "section .bss align=4096\n")
    )
}

/// The same source for `nasm -f bin` at the project assembler's text address `org`.
pub fn for_nasm_bin(source: &str, org: u32) -> String {
    format!(
        "BITS 32\norg {org:#x}\n{}",
        source.replace("section .bss\n", "section .bss align=4096\n")
    )
}

/// Frames of RAM in the fault-round-trip and UI scenarios.
pub const BIG_RAM_FRAMES: u32 = 4096;

/// The start of a program that maps `PAGES` anonymous read-write pages through the library
/// gate (mmap, function 1) and keeps their address in EBP.
const MAP_PAGES: &str = "_start:
    mov eax, 1
    xor ebx, ebx
    mov ecx, PAGES * 4096
    mov edx, 6
    xor esi, esi
    int 0x30
    mov ebp, eax";

/// A program that maps `pages` anonymous pages through the library gate and writes one
/// byte to each (one first-touch fault per page); then it spins, or with `forever` keeps
/// adding 1 to a dword of every page, round after round, without faulting.
fn touch_source(pages: u32, forever: bool) -> String {
    let tail = if forever {
        "again:
    mov edi, ebp
    mov ecx, PAGES
again_page:
    add dword [edi], 1
    add edi, 4096
    dec ecx
    jnz again_page
    jmp again
"
    } else {
        "spin:
    jmp spin
"
    };
    format!(
        "PAGES equ {pages}
section .text
{MAP_PAGES}
    mov edi, eax
    mov ecx, PAGES
touch:
    mov byte [edi], 1
    add edi, 4096
    dec ecx
    jnz touch
{tail}"
    )
}

/// Instructions the toucher spins for after its last fault, before its budget ends.
const TOUCH_SPIN: u64 = 2_000;

/// The fault-round-trip scenario as JSON: one task first-touching `pages` pages in
/// [`BIG_RAM_FRAMES`] frames of RAM, all guaranteed (no eviction), then spinning until its
/// budget ends. It does not exit: like the Linux reference (which does not count munmap),
/// the figure leaves out giving the frames back.
pub fn touch_scenario(pages: u32) -> String {
    json!({
        "name": format!("bench: first touch of {pages} pages"),
        "ram_frames": BIG_RAM_FRAMES,
        "seed": 1,
        "max_steps": 4 * u64::from(pages) + TOUCH_SPIN,
        "task": [{
            "name": "toucher",
            "source": touch_source(pages, false),
            "guaranteed": 3400,
            "extra": 0,
            "policy": "fifo",
        }],
    })
    .to_string()
}

/// A task that maps `/bench` (`pages` pages) shared and writes one byte to each page, then
/// exits (`spin` false) or spins until its budget ends.
fn file_touch_source(pages: u32, spin: bool) -> String {
    let end = if spin {
        "spin:\n    jmp spin"
    } else {
        "    mov eax, 8\n    xor ebx, ebx\n    int 0x30"
    };
    format!(
        "section .text
_start:
    mov eax, 11             ; open(\"/bench\", 6, read-write)
    mov ebx, path
    mov ecx, 6
    mov edx, 1
    int 0x30
    mov esi, eax
    mov eax, 13             ; mmap_file(any, pages, rw + shared, fd, 0)
    xor ebx, ebx
    mov ecx, {pages} * 4096
    mov edx, 0x106
    xor edi, edi
    int 0x30
    mov edi, eax
    mov ecx, {pages}
touch:
    mov byte [edi], 1
    add edi, 4096
    dec ecx
    jnz touch
{end}
section .data
path: db \"/bench\"
"
    )
}

/// When the toucher of [`file_touch_scenario`] arrives: after the warm-up task is done.
pub const FILE_TOUCH_START: u64 = 1_000_000_000;

/// The file-page round trip scenario as JSON: a task first writes every page of a
/// `pages`-page file through a shared mapping (the file server reads each from the ramdisk
/// into its cache, which holds them all) and exits; then a second task maps the file shared
/// and first-touches every page: each fault is thread → pager → file server (a cache hit) →
/// map → restart. It spins at the end, like [`touch_scenario`], for about [`TOUCH_SPIN`]
/// instructions whatever `pages` is: each task retires four instructions a page, so a budget
/// growing faster than eight a page would charge the figure for spinning.
pub fn file_touch_scenario(pages: u32) -> String {
    json!({
        "name": format!("bench: first touch of {pages} cached file pages"),
        "ram_frames": BIG_RAM_FRAMES,
        "seed": 1,
        "max_steps": 8 * u64::from(pages) + TOUCH_SPIN,
        "disk": { "blocks": pages + 1 },
        "fs": { "guaranteed": pages + 1, "extra": 0 },
        "file": [{ "path": "/bench", "size": pages * 4096 }],
        "task": [
            {
                "name": "warm-up",
                "source": file_touch_source(pages, false),
                "guaranteed": 8,
                "policy": "fifo",
            },
            {
                "name": "toucher",
                "source": file_touch_source(pages, true),
                "guaranteed": 8,
                "policy": "fifo",
                "start_at": FILE_TOUCH_START,
            }
        ],
    })
    .to_string()
}

/// Pages the UI scenario's task keeps in use (the frame map shows all [`BIG_RAM_FRAMES`]).
pub const UI_PAGES: u32 = 3000;

/// The UI scenario as JSON: [`BIG_RAM_FRAMES`] frames, one task that faults in
/// [`UI_PAGES`] pages and then runs until the budget ends.
pub fn ui_scenario() -> String {
    json!({
        "name": "bench: 4,096 frames",
        "ram_frames": BIG_RAM_FRAMES,
        "seed": 1,
        "max_steps": 2_000_000_000u64,
        "task": [{
            "name": "toucher",
            "source": touch_source(UI_PAGES, true),
            "guaranteed": 3400,
            "extra": 0,
            "policy": "fifo",
        }],
    })
    .to_string()
}

/// A task that cycles over `pages` anonymous pages forever, adding 1 to each and then
/// computing for `work` loop iterations (2 instructions each).
fn scan_source(pages: u32, work: u32) -> String {
    format!(
        "PAGES equ {pages}
WORK equ {work}
section .text
{MAP_PAGES}
round:
    mov edi, ebp
    mov ecx, PAGES
page:
    add dword [edi], 1
    mov esi, WORK
work:
    dec esi
    jnz work
    add edi, 4096
    dec ecx
    jnz page
    jmp round
"
    )
}

/// Logical time at which the pressure scenario's fourth task arrives (about 700,000
/// instructions in: page-ins and page-outs cost 5,000 time units each).
pub const LATE_START: u64 = 50_000_000;

/// The 4-task scenario under memory pressure as JSON: three cyclic scanners that each
/// want more frames than they hold (guaranteed + extra, LRU/Clock/FIFO), and a fourth
/// that arrives at [`LATE_START`] and claims its guarantee, so physmem revokes extras.
/// `work` is the loop iterations between two page touches; the run ends at `max_steps`.
pub fn pressure_scenario(work: u32, max_steps: u64) -> String {
    let task = |name: &str, pages: u32, guaranteed: u32, extra: u32, policy: &str| {
        json!({
            "name": name,
            "source": scan_source(pages, work),
            "guaranteed": guaranteed,
            "extra": extra,
            "policy": policy,
        })
    };
    let mut late = task("late", 30, 36, 0, "lru");
    late["start_at"] = json!(LATE_START);
    json!({
        "name": "bench: 4 tasks under memory pressure",
        "ram_frames": 160,
        "seed": 1,
        "max_steps": max_steps,
        "task": [
            task("scan-lru", 40, 16, 24, "lru"),
            task("scan-clock", 40, 16, 24, "clock"),
            task("scan-fifo", 60, 16, 30, "fifo"),
            late,
        ],
    })
    .to_string()
}
