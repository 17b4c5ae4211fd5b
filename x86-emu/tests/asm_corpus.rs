//! The instruction corpus (`asm_corpus.txt`, one instruction per line) checked two ways:
//! against NASM's bytes (`nasm -f bin`, skipped with a message if nasm is absent) and by a
//! round trip through the disassembler.

use std::path::Path;
use std::process::Command;

use x86_emu::asm::{assemble, TEXT_BASE};
use x86_emu::disasm::disassemble;

const CORPUS: &str = include_str!("asm_corpus.txt");

fn corpus() -> impl Iterator<Item = &'static str> {
    CORPUS.lines().map(str::trim).filter(|l| !l.is_empty())
}

fn ours(line: &str) -> Vec<u8> {
    match assemble(line) {
        Ok(p) => p.segments[0].bytes.clone(),
        Err(e) => panic!("{line:?}: {e}"),
    }
}

/// NASM's bytes for one line (`ptr` is defined away so MASM-style lines assemble too).
fn nasm_bytes(dir: &Path, i: usize, line: &str) -> Option<Vec<u8>> {
    let src = dir.join(format!("l{i}.asm"));
    let bin = dir.join(format!("l{i}.bin"));
    std::fs::write(
        &src,
        format!("bits 32\n%define ptr\norg 0x{TEXT_BASE:x}\n{line}\n"),
    )
    .ok()?;
    let out = Command::new("nasm")
        .arg("-f")
        .arg("bin")
        .arg("-o")
        .arg(&bin)
        .arg(&src)
        .output()
        .ok()?;
    if !out.status.success() {
        panic!(
            "nasm rejects {line:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::read(&bin).ok()
}

/// Lines where NASM picks a different but equivalent encoding; none so far.
const KNOWN_DIFFERENCES: &[&str] = &[];

#[test]
fn corpus_matches_nasm() {
    if Command::new("nasm").arg("-v").output().is_err() {
        println!("nasm not installed; skipping the NASM comparison");
        return;
    }
    let dir = std::env::temp_dir().join(format!("selfpage-asm-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut same = 0;
    let mut diffs = Vec::new();
    for (i, line) in corpus().enumerate() {
        let Some(theirs) = nasm_bytes(&dir, i, line) else {
            continue;
        };
        let mine = ours(line);
        if mine == theirs {
            same += 1;
        } else if !KNOWN_DIFFERENCES.contains(&line) {
            diffs.push(format!("{line:<32} ours {mine:02x?} nasm {theirs:02x?}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{same} of {} corpus lines match nasm byte for byte",
        corpus().count()
    );
    assert!(
        diffs.is_empty(),
        "differences from nasm:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn corpus_round_trips_through_the_disassembler() {
    for line in corpus() {
        let bytes = ours(line);
        let lines = disassemble(&bytes, TEXT_BASE, 16);
        assert_eq!(lines.len(), 1, "{line:?} disassembles to {lines:?}");
        let text = &lines[0].text;
        let again = assemble(text).unwrap_or_else(|e| panic!("{line:?} -> {text:?}: {e}"));
        let again = &again.segments[0].bytes;
        if line.starts_with("xchg") && again != &bytes {
            // `xchg r32, r32` has two encodings (either register in ModRM.reg) that mean the
            // same; the text must still be the same instruction.
            let sorted = |t: &str| {
                let mut ops: Vec<String> = t.split([' ', ',']).map(String::from).collect();
                ops.sort();
                ops
            };
            let back = disassemble(again, TEXT_BASE, 1);
            assert_eq!(sorted(&back[0].text), sorted(text), "{line:?}");
            continue;
        }
        assert_eq!(again, &bytes, "{line:?} -> {text:?}");
    }
}

#[test]
fn whole_program_round_trips() {
    let src = "_start: mov dword [ebx+4], 5\nlea eax, [ebx+ecx*4+8]\nmovzx eax, byte [ebx]\n\
               push 0x400000\nint 0x30\nrep movsb\ncall _start\njz _start\njnz far\n\
               mov eax, [0x401000]\nmov byte [esi-1], -1\nadd esp, -4\nshl eax, 1\nret 8\n\
               enter 16, 0\nsetne al\ncmovg eax, [ebx]\nmov al, 'a'\nxchg eax, ebx\n\
               jmp [eax*4+0x401000]\nlock xadd [eax], ebx\nrepne scasb\nimul eax, ebx, -3\n\
               loop _start\ntimes 300 nop\nfar: jmp _start";
    let p = assemble(src).unwrap_or_else(|e| panic!("{e}"));
    let text = &p.segments[0];
    let listing: Vec<String> = disassemble(&text.bytes, text.addr, 1000)
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert!(!listing.iter().any(|l| l == "(bad)"));
    let again = assemble(&listing.join("\n")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.segments[0].bytes, text.bytes);
}
