//! Error messages: the first error's line, column and wording, as a student sees them.

use x86_emu::asm::{assemble, assemble_all_errors};

fn err(src: &str) -> (u32, u32, String) {
    match assemble(src) {
        Ok(p) => panic!("{src:?} assembled: {p:?}"),
        Err(e) => (e.line, e.column, e.message),
    }
}

fn check(src: &str, line: u32, column: u32, message: &str) {
    assert_eq!(err(src), (line, column, message.to_string()), "{src:?}");
}

#[test]
fn unknown_names() {
    check("mov ebz, 5", 1, 5, "unknown register 'ebz'");
    check("nop\n  mov eax, [ebz+4]", 2, 13, "unknown register 'ebz'");
    check("  mvo eax, 1", 1, 3, "unknown instruction 'mvo'");
    check("jmp foo", 1, 5, "'foo' is not defined");
    check("start:\n jmp .nowhere", 2, 6, "'.nowhere' is not defined");
    check(
        "extern printf\ncall printf",
        2,
        6,
        "'printf' is extern; a workload is a single file, so define it here",
    );
}

#[test]
fn operand_mismatches() {
    check(
        "mov al, ebx",
        1,
        9,
        "operand sizes do not match (byte and dword)",
    );
    check(
        "add ax, byte [ebx]",
        1,
        9,
        "operand sizes do not match (word and byte)",
    );
    check(
        "mov eax, ebx, ecx",
        1,
        15,
        "this instruction takes 2 operands, found 3",
    );
    check("inc", 1, 1, "this instruction takes 1 operand, found 0");
    check("ret eax", 1, 5, "invalid combination of operands for 'ret'");
    check(
        "cdq eax",
        1,
        5,
        "this instruction takes no operands, found 1",
    );
    check(
        "mov [eax], 1",
        1,
        5,
        "operation size not specified; write byte, word or dword",
    );
    check(
        "inc [ebx]",
        1,
        5,
        "operation size not specified; write byte, word or dword",
    );
    check(
        "mov [eax], [ebx]",
        1,
        12,
        "an instruction can use at most one memory operand",
    );
    check(
        "mov 5, eax",
        1,
        5,
        "the first operand cannot be a number; use a register or memory",
    );
}

#[test]
fn syntax() {
    check("mov eax ebx", 1, 9, "expected ',' after the first operand");
    check(
        "imul eax, ebx 3",
        1,
        15,
        "expected ',' after the second operand",
    );
    check(
        "mov eax, [ebx",
        1,
        14,
        "expected ']' to close the memory operand",
    );
    check("mov eax,", 1, 9, "expected an operand after ','");
    check("db 'abc", 1, 4, "missing closing '");
    check("mov eax, 12z", 1, 10, "invalid number '12z'");
    check("mov eax, (1+2", 1, 14, "expected ')'");
    check("x: nop\nx: nop", 2, 1, "'x' is already defined on line 1");
    check(
        "eax: nop",
        1,
        1,
        "'eax' is a register and cannot be a label",
    );
    check(
        "section .rom",
        1,
        9,
        "unknown section '.rom'; use .text, .data or .bss",
    );
    check("bits 16", 1, 6, "only 'bits 32' is supported");
    check(
        "dq 1",
        1,
        1,
        "'dq' is not supported; use db, dw, dd or resb, resw, resd",
    );
    check(
        "mov eax, es:[ebx]",
        1,
        12,
        "segment overrides and far pointers are not supported",
    );
    check(
        "mov eax, ebx+1",
        1,
        10,
        "a register in an address must be inside [ ]",
    );
}

#[test]
fn memory_operands() {
    check(
        "mov eax, [ebx+ecx*3]",
        1,
        15,
        "invalid memory operand: scale must be 1, 2, 4 or 8",
    );
    check(
        "mov eax, [ebx+ecx+edx]",
        1,
        19,
        "invalid memory operand: at most two registers",
    );
    check(
        "mov eax, [bx]",
        1,
        11,
        "only 32-bit registers (eax, ebx, ...) can address memory",
    );
    check(
        "mov eax, [esp*2]",
        1,
        11,
        "invalid memory operand: esp cannot be scaled",
    );
    check(
        "mov eax, [ebx*ecx]",
        1,
        14,
        "invalid memory operand: write [base + index*scale + displacement]",
    );
}

#[test]
fn values_and_ranges() {
    check("mov al, 300", 1, 9, "value 300 does not fit in a byte");
    check("mov ax, 70000", 1, 9, "value 70000 does not fit in a word");
    check(
        "add eax, 0x100000000",
        1,
        10,
        "value 4294967296 does not fit in a dword",
    );
    check("db 1, 300", 1, 7, "value 300 does not fit in a byte");
    check("dw -40000", 1, 4, "value -40000 does not fit in a word");
    check("int 256", 1, 5, "value 256 does not fit in a byte");
    check("mov eax, 1/0", 1, 11, "division by zero");
    check(
        "align 3",
        1,
        1,
        "align needs a power of two up to 4096, not 3",
    );
    check("times -1 nop", 1, 10, "times count -1 is negative");
}

#[test]
fn jumps() {
    check(
        "jecxz far\ntimes 200 nop\nfar: ret",
        1,
        7,
        "jump target out of range",
    );
    check(
        "jmp short far\ntimes 200 nop\nfar: ret",
        1,
        5,
        "jump target out of range",
    );
    check("loop $+1000", 1, 6, "jump target out of range");
}

#[test]
fn sections_and_placement() {
    check(
        "section .bss\nmov eax, 1",
        2,
        1,
        "instructions cannot go in .bss; use section .text",
    );
    check(
        "section .bss\ndb 1",
        2,
        1,
        "data in .bss must be reserved with resb, resw or resd",
    );
    check(
        "rep add eax, 1",
        1,
        1,
        "rep prefixes only go with string instructions (movsb, stosd, ...)",
    );
    check(
        "a equ b\nb equ a",
        1,
        7,
        "'b' cannot be computed (is its definition circular?)",
    );
    check("org 0x1000\norg 0x2000", 2, 1, "org may appear only once");
}

#[test]
fn all_errors_are_reported_in_order() {
    let errors = assemble_all_errors("mvo eax, 1\nmov eax ebx\nnop\nmov al,").unwrap_err();
    let lines: Vec<u32> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 2, 4]);
    let errors = assemble_all_errors("mov al, 300\njmp nowhere").unwrap_err();
    assert_eq!(errors.len(), 2);
}

#[test]
fn display_format() {
    let e = assemble("\n\nmov eax, ebz").unwrap_err();
    assert_eq!(e.to_string(), "line 3, column 10: unknown register 'ebz'");
}
