//! Seeded random instruction sequences for the differential tests, as nasm lines.

/// SplitMix64: a portable, seeded generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    pub fn imm(&mut self) -> u32 {
        const EDGE: [u32; 12] = [
            0,
            1,
            2,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0xffff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
        ];
        match self.below(3) {
            0 => EDGE[self.below(EDGE.len() as u64) as usize],
            1 => self.below(64) as u32,
            _ => self.next() as u32,
        }
    }
}

pub fn regs_from(rng: &mut Rng) -> [u32; 8] {
    let mut r = [0u32; 8];
    for v in r.iter_mut() {
        *v = rng.imm();
    }
    r
}

pub const R32: [&str; 7] = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp"];
pub const R16: [&str; 7] = ["ax", "bx", "cx", "dx", "si", "di", "bp"];
pub const R8: [&str; 8] = ["al", "bl", "cl", "dl", "ah", "bh", "ch", "dh"];
pub const CC: [&str; 16] = [
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
];

/// A register or memory operand of `size` bytes.
pub fn rm(rng: &mut Rng, size: u32, allow_mem: bool) -> String {
    if allow_mem && rng.below(3) == 0 {
        let kw = match size {
            1 => "byte",
            2 => "word",
            _ => "dword",
        };
        return format!("{kw} [BUF+{}]", rng.below(120));
    }
    reg(rng, size)
}

pub fn reg(rng: &mut Rng, size: u32) -> String {
    match size {
        1 => rng.pick(&R8).to_string(),
        2 => rng.pick(&R16).to_string(),
        _ => rng.pick(&R32).to_string(),
    }
}

pub fn size(rng: &mut Rng) -> u32 {
    [1, 2, 4, 4][rng.below(4) as usize]
}

pub fn masked_imm(rng: &mut Rng, size: u32) -> u32 {
    let v = rng.imm();
    match size {
        1 => v & 0xff,
        2 => v & 0xffff,
        _ => v,
    }
}

/// One random instruction (or a short safe sequence), as nasm lines.
pub fn random_instr(rng: &mut Rng, label: &mut u32) -> String {
    *label += 1;
    let l = *label;
    match rng.below(24) {
        0..=4 => {
            let op = rng.pick(&[
                "add", "adc", "sub", "sbb", "and", "or", "xor", "cmp", "test",
            ]);
            let s = size(rng);
            let dst = rm(rng, s, true);
            let src = if rng.below(2) == 0 {
                format!("{}", masked_imm(rng, s))
            } else if dst.contains('[') {
                reg(rng, s)
            } else {
                rm(rng, s, true)
            };
            if src.contains('[') && dst.contains('[') {
                return format!("{op} {dst}, {}", reg(rng, s));
            }
            format!("{op} {dst}, {src}")
        }
        5 => {
            let op = rng.pick(&["inc", "dec", "neg", "not"]);
            let s = size(rng);
            format!("{op} {}", rm(rng, s, true))
        }
        6..=8 => {
            let op = rng.pick(&["shl", "shr", "sar", "rol", "ror", "rcl", "rcr"]);
            let s = size(rng);
            let dst = rm(rng, s, true);
            match rng.below(3) {
                0 => format!("{op} {dst}, 1"),
                1 => format!("{op} {dst}, {}", rng.below(34)),
                _ => {
                    let dst = if dst.contains("cl")
                        || dst.contains("ch")
                        || dst == "cx"
                        || dst == "ecx"
                    {
                        "eax".to_string()
                    } else {
                        dst
                    };
                    let dst = if s != 4 && !dst.contains('[') {
                        reg_of_size_not_c(rng, s)
                    } else {
                        dst
                    };
                    format!("mov cl, {}\n{op} {dst}, cl", rng.below(40))
                }
            }
        }
        9 => {
            let op = rng.pick(&["shld", "shrd"]);
            let s = if rng.below(2) == 0 { 2 } else { 4 };
            let dst = rm(rng, s, true);
            let src = reg(rng, s);
            if rng.below(2) == 0 {
                format!("{op} {dst}, {src}, {}", rng.below(32))
            } else {
                let (dst, src) = (
                    dst.replace("ecx", "eax").replace("cx", "ax"),
                    src.replace("ecx", "edx").replace("cx", "dx"),
                );
                format!("mov cl, {}\n{op} {dst}, {src}, cl", rng.below(40))
            }
        }
        10 => {
            let s = size(rng);
            match rng.below(4) {
                0 => format!("mul {}", rm(rng, s, true)),
                1 => format!("imul {}", rm(rng, s, true)),
                2 if s != 1 => format!("imul {}, {}", reg(rng, s), rm(rng, s, true)),
                _ => {
                    let s = if s == 1 { 4 } else { s };
                    let imm = rng.imm() as i32 as i64;
                    let imm = if s == 2 { imm as i16 as i64 } else { imm };
                    format!("imul {}, {}, {}", reg(rng, s), rm(rng, s, true), imm)
                }
            }
        }
        11 => {
            let mut d = rng.imm() | 1;
            if d == 0xffff_ffff {
                d = 3;
            }
            match rng.below(4) {
                0 => format!("xor edx, edx\nmov ebx, {d:#x}\ndiv ebx"),
                1 => format!("cdq\nmov ebx, {d:#x}\nidiv ebx"),
                2 => format!("movzx eax, al\nmov bl, {:#x}\ndiv bl", (d & 0xff).max(1)),
                _ => {
                    let b = ((d & 0x7f) | 2) as u8;
                    format!(
                        "cbw\nmov bl, {b:#x}\nidiv bl\nmov dword [BUF+4], {}",
                        rng.below(1000)
                    )
                }
            }
        }
        12 => {
            let op = rng.pick(&["bt", "bts", "btr", "btc"]);
            let s = if rng.below(2) == 0 { 2 } else { 4 };
            match rng.below(3) {
                0 => format!("{op} {}, {}", reg(rng, s), reg(rng, s)),
                1 => format!("{op} {}, {}", rm(rng, s, true), rng.below(64)),
                _ => {
                    let kw = if s == 2 { "word" } else { "dword" };
                    let r = if s == 2 { "cx" } else { "ecx" };
                    format!("and ecx, 0x1ff\n{op} {kw} [BUF+{}], {r}", rng.below(32) * 2)
                }
            }
        }
        13 => {
            let op = rng.pick(&["bsf", "bsr"]);
            let s = if rng.below(2) == 0 { 2 } else { 4 };
            format!("{op} {}, {}", reg(rng, s), rm(rng, s, true))
        }
        14 => match rng.below(3) {
            0 => format!("set{} {}", rng.pick(&CC), rm(rng, 1, true)),
            1 => format!(
                "cmov{} {}, {}",
                rng.pick(&CC),
                reg(rng, 4),
                rm(rng, 4, true)
            ),
            _ => format!("j{} .l{l}\n{}\n.l{l}:", rng.pick(&CC), "add eax, 0x1234"),
        },
        15 => {
            let s = size(rng);
            match rng.below(5) {
                0 => format!("xchg {}, {}", rm(rng, s, true), reg(rng, s)),
                1 => format!("xadd {}, {}", rm(rng, s, true), reg(rng, s)),
                2 => format!("cmpxchg {}, {}", rm(rng, s, true), reg(rng, s)),
                3 => format!("bswap {}", reg(rng, 4)),
                _ => format!("mov {}, {}", reg(rng, s), rm(rng, s, true)),
            }
        }
        16 => match rng.below(5) {
            0 => {
                let s = [1, 2][rng.below(2) as usize];
                let src = rm(rng, s, true);
                format!("movzx {}, {src}", reg(rng, 4))
            }
            1 => format!("movsx {}, {}", reg(rng, 4), rm(rng, 1, true)),
            2 => format!("movsx {}, {}", reg(rng, 2), rm(rng, 1, true)),
            3 => format!(
                "lea {}, [{}+{}*{}+{}]",
                reg(rng, 4),
                rng.pick(&R32),
                rng.pick(&["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp"]),
                [1, 2, 4, 8][rng.below(4) as usize],
                rng.imm() as i32
            ),
            _ => rng.pick(&["cbw", "cwde", "cwd", "cdq"]).to_string(),
        },
        17 => rng
            .pick(&[
                "lahf",
                "sahf",
                "clc",
                "stc",
                "cmc",
                "lahf\nmov ebx, eax",
                "pushfd\npop eax",
            ])
            .to_string(),
        18 => {
            let src = match rng.below(3) {
                0 => reg(rng, 4),
                1 => format!("{}", rng.imm()),
                _ => format!("dword [BUF+{}]", rng.below(120)),
            };
            let dst = if rng.below(2) == 0 {
                reg(rng, 4)
            } else {
                format!("dword [BUF+{}]", rng.below(120))
            };
            format!("push {src}\npop {dst}")
        }
        19 => {
            let op = rng.pick(&["movs", "stos", "lods", "cmps", "scas"]);
            let suf = rng.pick(&["b", "w", "d"]);
            let rep = match op {
                "cmps" | "scas" => rng.pick(&["", "repe ", "repne "]),
                "lods" => "",
                _ => rng.pick(&["", "rep "]),
            };
            let dir = rng.pick(&["cld", "std"]);
            format!(
                "lea esi, [BUF+{}]\nlea edi, [BUF+{}]\nmov ecx, {}\n{dir}\n{rep}{op}{suf}\ncld",
                32 + rng.below(64),
                32 + rng.below(64),
                rng.below(8)
            )
        }
        20 => format!(
            "mov ecx, {}\n.l{l}:\nadd eax, ebx\nrol ebx, 3\n{} .l{l}",
            rng.below(6) + 1,
            rng.pick(&["loop", "loope", "loopne"])
        ),
        21 => format!(
            "and eax, 0x8d5\nor eax, 0x202\npush eax\npopfd\nadc {}, {}",
            reg(rng, 4),
            rng.imm()
        ),
        22 => format!("call .f{l}\njmp .e{l}\n.f{l}:\nadd eax, 7\nret\n.e{l}:"),
        _ => format!(
            "lea ebp, [esp-32]\nenter {}, {}\nmov [ebp-4], eax\nleave",
            rng.below(64),
            rng.below(3)
        ),
    }
}

pub fn reg_of_size_not_c(rng: &mut Rng, s: u32) -> String {
    loop {
        let r = reg(rng, s);
        if !r.starts_with('c') {
            return r;
        }
    }
}
