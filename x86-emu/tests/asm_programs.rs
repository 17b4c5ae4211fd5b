//! Whole programs: directives, sections, labels, forward references and the line map.

use x86_emu::asm::{assemble, Program, SegmentKind, TEXT_BASE};

fn asm(src: &str) -> Program {
    assemble(src).unwrap_or_else(|e| panic!("{e}\n{src}"))
}

fn text(src: &str) -> Vec<u8> {
    asm(src).segments[0].bytes.clone()
}

#[test]
fn no_section_means_all_text_at_text_base() {
    let p = asm("mov eax, 1\nret");
    assert_eq!(p.segments.len(), 1);
    assert_eq!(p.segments[0].kind, SegmentKind::Text);
    assert_eq!(p.segments[0].addr, TEXT_BASE);
    assert_eq!(p.segments[0].bytes, vec![0xB8, 1, 0, 0, 0, 0xC3]);
    assert_eq!(p.segments[0].size, 6);
    assert_eq!(p.entry, TEXT_BASE);
}

#[test]
fn sections_are_page_aligned_in_order() {
    let p = asm("section .data\nmsg db 'hi', 0\nsection .text\n_start: mov eax, msg\nsection .bss\nbuf resd 4\nbuf2 resb 1");
    let kinds: Vec<_> = p
        .segments
        .iter()
        .map(|s| (s.kind, s.addr, s.size))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (SegmentKind::Text, TEXT_BASE, 5),
            (SegmentKind::Data, TEXT_BASE + 0x1000, 3),
            (SegmentKind::Bss, TEXT_BASE + 0x2000, 17)
        ]
    );
    assert!(p.segments[2].bytes.is_empty());
    assert_eq!(p.symbols["msg"], TEXT_BASE + 0x1000);
    assert_eq!(p.symbols["buf2"], TEXT_BASE + 0x2010);
    assert_eq!(
        &p.segments[0].bytes[1..],
        &(TEXT_BASE + 0x1000).to_le_bytes()
    );
    assert_eq!(p.entry, TEXT_BASE);
}

#[test]
fn entry_is_start_label() {
    let p = asm("nop\nnop\n_start:\nhlt");
    assert_eq!(p.entry, TEXT_BASE + 2);
}

#[test]
fn org_moves_text() {
    let p = asm("org 0x1000\nstart: jmp start\nsection .data\nx dd start");
    assert_eq!(p.segments[0].addr, 0x1000);
    assert_eq!(p.segments[1].addr, 0x2000);
    assert_eq!(p.segments[1].bytes, vec![0, 0x10, 0, 0]);
}

#[test]
fn data_directives() {
    assert_eq!(text("db \"hi\", 10, 0"), b"hi\n\0");
    assert_eq!(text("db 'a', \"b\", -1, 255"), vec![b'a', b'b', 0xFF, 0xFF]);
    assert_eq!(text("dw 1, 0x1234, -1"), vec![1, 0, 0x34, 0x12, 0xFF, 0xFF]);
    assert_eq!(
        text("dd 1, 0xdeadbeef"),
        vec![1, 0, 0, 0, 0xEF, 0xBE, 0xAD, 0xDE]
    );
    assert_eq!(text("dw 'abc'"), vec![b'a', b'b', b'c', 0]);
    assert_eq!(text("dd 'ab'"), vec![b'a', b'b', 0, 0]);
    assert_eq!(text("db `a\\tb\\n`"), b"a\tb\n");
    assert_eq!(text("x: dd x"), TEXT_BASE.to_le_bytes());
}

#[test]
fn times_align_and_reserve() {
    assert_eq!(text("times 3 db 7"), vec![7, 7, 7]);
    assert_eq!(text("times 2 nop"), vec![0x90, 0x90]);
    assert_eq!(text("db 1\ntimes 4-($-$$) db 0"), vec![1, 0, 0, 0]);
    assert_eq!(text("db 1\nalign 4\ndb 2"), vec![1, 0x90, 0x90, 0x90, 2]);
    assert_eq!(
        text("resb 2\nresw 1\nresd 1\ndb 9"),
        vec![0, 0, 0, 0, 0, 0, 0, 0, 9]
    );
    let p = asm("section .data\ndb 1\nalign 8\ny: db 2");
    assert_eq!(p.segments[1].bytes, vec![1, 0, 0, 0, 0, 0, 0, 0, 2]);
    assert_eq!(p.symbols["y"], TEXT_BASE + 0x1008);
}

#[test]
fn equ_and_expressions() {
    let p = asm(
        "N equ 4\nSIZE equ N * 4 + (1 << 2)\nmov eax, SIZE\nmov ebx, LATER\nLATER equ 0x10 | 1",
    );
    assert_eq!(p.symbols["SIZE"], 20);
    assert_eq!(
        p.segments[0].bytes,
        vec![0xB8, 20, 0, 0, 0, 0xBB, 0x11, 0, 0, 0]
    );
    assert_eq!(
        text("mov eax, 1010b + 0b1 + 0Ah + 'A' + ~0 + 7 % 4 - 8 / 2 ^ 1"),
        {
            let v: i32 = (10 + 1 + 10 + 65 + -1 + 3 - 4) ^ 1;
            let mut b = vec![0xB8];
            b.extend(v.to_le_bytes());
            b
        }
    );
}

#[test]
fn local_labels_are_scoped() {
    let p = asm("a:\n.loop: dec ecx\njnz .loop\nb:\n.loop: dec edx\njnz .loop");
    assert_eq!(p.symbols["a.loop"], TEXT_BASE);
    assert_eq!(p.symbols["b.loop"], TEXT_BASE + 3);
    assert_eq!(
        p.segments[0].bytes,
        vec![0x49, 0x75, 0xFD, 0x4A, 0x75, 0xFD]
    );
}

#[test]
fn forward_jumps_shrink_to_short_when_in_range() {
    assert_eq!(
        text("jmp done\nnop\ndone: ret"),
        vec![0xEB, 0x01, 0x90, 0xC3]
    );
    let b = text("jmp done\ntimes 200 nop\ndone: ret");
    assert_eq!(&b[..5], &[0xE9, 200, 0, 0, 0]);
    // A chain where one jump growing pushes another out of short range.
    let chain = "jz a\njz b\ntimes 124 nop\na: nop\nb: ret";
    let b = text(chain);
    assert_eq!(&b[..2], &[0x74, 0x7E]);
    assert_eq!(&b[2..4], &[0x74, 0x7D]);
}

#[test]
fn memory_operand_forms() {
    assert_eq!(
        text("mov eax, [ecx*4 + ebx + 8]"),
        text("mov eax, [ebx+ecx*4+8]")
    );
    assert_eq!(text("mov eax, dword ptr [ebx]"), text("mov eax, [ebx]"));
    assert_eq!(text("x equ 8\nmov eax, [ebp - x]"), vec![0x8B, 0x45, 0xF8]);
    assert_eq!(text("mov eax, [label]\nlabel: dd 0")[0], 0xA1);
    assert_eq!(text("mov byte [esi], 'A'"), vec![0xC6, 0x06, 0x41]);
}

#[test]
fn case_insensitive_and_comments() {
    assert_eq!(text("MOV EAX, 5 ; five"), text("mov eax, 5"));
    assert_eq!(
        text("  ; only a comment\n\nbits 32\nglobal _start\n_start: Ret"),
        vec![0xC3]
    );
    assert_eq!(text("[bits 32]\n[section .text]\nret"), vec![0xC3]);
}

#[test]
fn line_map() {
    let p = asm("_start:\n  mov eax, 1\n\n  ret\nsection .data\nx db 1, 2");
    assert_eq!(p.line_of(TEXT_BASE), Some(2));
    assert_eq!(p.line_of(TEXT_BASE + 4), Some(2));
    assert_eq!(p.line_of(TEXT_BASE + 5), Some(4));
    assert_eq!(p.line_of(TEXT_BASE + 6), None);
    assert_eq!(p.addr_of_line(4), Some(TEXT_BASE + 5));
    assert_eq!(p.addr_of_line(6), Some(TEXT_BASE + 0x1000));
    assert_eq!(p.addr_of_line(3), None);
}

#[test]
fn program_serializes() {
    let p = asm("_start: mov eax, 1\nsection .bss\nb resb 4");
    let json = serde_json::to_string(&p).unwrap();
    let back: Program = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whole programs against NASM: text and data laid out as one flat image.
#[test]
fn programs_match_nasm() {
    if std::process::Command::new("nasm")
        .arg("-v")
        .output()
        .is_err()
    {
        println!("nasm not installed; skipping");
        return;
    }
    let programs = [
        "_start:\n  mov ecx, 10\n.loop:\n  dec ecx\n  jnz .loop\n  jmp .done\n  times 130 nop\n.done:\n  call func\n  ret\nfunc:\n  push ebp\n  mov ebp, esp\n  mov eax, [ebp+8]\n  leave\n  ret 4",
        "jmp near fwd\njmp short fwd\nje fwd\nfwd: jecxz back\nback: loop fwd\nN equ 3\nmov eax, N*4\nadd eax, N\nmov [N*4+ebx], al",
        "section .text\n_start: mov esi, msg\n mov ecx, len\n rep movsb\n mov eax, [count]\n inc dword [count]\n int 0x30\nsection .data\nmsg db 'hello', 10\nlen equ $ - msg\ncount dd 0, msg, $$",
        "a: times 3 db 1\nalign 16\nb: dw b - a\ndd 'abcd', -1\nmov eax, b - a\ncmp eax, c\nc equ 5",
        "jz a\njz b\njz c\ntimes 120 nop\na: nop\nb: nop\nc: ret",
        "top: jmp mid\ntimes 60 nop\nmid: jnz top\njnz end\ntimes 124 nop\njmp top\nend: jmp top",
        "s: mov eax, [ebp+off]\nlea ecx, [ebx+ecx*2+big]\npush n\nadd eax, n\nimul eax, n\noff equ -8\nbig equ 1000\nn equ 3",
    ];
    let dir = std::env::temp_dir().join(format!("selfpage-asm-programs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, src) in programs.iter().enumerate() {
        let p = asm(src);
        let mut image = Vec::new();
        for s in p.segments.iter().filter(|s| s.kind != SegmentKind::Bss) {
            image.resize((s.addr - TEXT_BASE) as usize, 0);
            image.extend_from_slice(&s.bytes);
        }
        let nasm_src = format!(
            "bits 32\norg 0x{TEXT_BASE:x}\n{}\n",
            src.replace("section .data", "section .data align=4096")
        );
        let asm_path = dir.join(format!("p{i}.asm"));
        let bin_path = dir.join(format!("p{i}.bin"));
        std::fs::write(&asm_path, nasm_src).unwrap();
        let out = std::process::Command::new("nasm")
            .args(["-f", "bin", "-o"])
            .arg(&bin_path)
            .arg(&asm_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = std::fs::read(&bin_path).unwrap();
        assert!(
            image == theirs,
            "program {i}:\n{src}\nours {}\nnasm {}",
            hex(&image),
            hex(&theirs)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn percent_define_is_a_constant() {
    assert_eq!(text("%define N 5\nmov eax, N"), vec![0xB8, 5, 0, 0, 0]);
    let e = assemble("%macro foo 1").unwrap_err();
    assert_eq!((e.line, e.column), (1, 1));
    assert_eq!(
        e.message,
        "'%macro' is not supported; only %define NAME value works"
    );
}
