use x86_emu::asm::assemble;
#[test]
fn perf() {
    let mut s = String::new();
    for i in 0..2000 {
        s.push_str(&format!("l{i}: mov eax, [ebx+ecx*4+{i}]\n add eax, {i}\n jnz l{}\n cmp byte [v{}], 5\n", i + 1, i % 10));
    }
    s.push_str("l2000: ret\nsection .data\n");
    for i in 0..10 { s.push_str(&format!("v{i}: dd {i}\n")); }
    let t = std::time::Instant::now();
    let p = assemble(&s).unwrap();
    println!("8000 lines: {:?}, {} bytes", t.elapsed(), p.segments[0].bytes.len());
}
