//! Seeded random C programs free of undefined behaviour, for the differential tests:
//! unsigned arithmetic (wraps by definition), signed arithmetic only on small values,
//! divisors that cannot be zero, shift counts below 32, array indexes masked to the array,
//! loops with constant bounds. Each program prints its variables and returns a checksum.

/// SplitMix64: a portable, seeded generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The variables every function body may use.
const UVARS: &[&str] = &["a", "b", "c"];
const SVARS: &[&str] = &["sc", "ss", "si"];

struct Gen {
    rng: Rng,
    out: String,
    indent: usize,
    /// Loop counters in scope (read-only inside their loop).
    counters: Vec<String>,
    next_counter: usize,
    /// Helper functions defined so far (callable from later ones).
    helpers: usize,
}

impl Gen {
    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn constant(&mut self) -> String {
        match self.rng.below(4) {
            0 => format!("{}u", self.rng.below(10)),
            1 => format!("{}u", self.rng.below(1000)),
            2 => format!("{:#x}u", self.rng.next() as u32),
            _ => format!("{}", self.rng.below(100)),
        }
    }

    /// An unsigned expression.
    fn uexpr(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.below(4) == 0 {
            return match self.rng.below(8) {
                0 | 1 => self.constant(),
                2 => format!("(unsigned)(int){}", self.rng.pick(SVARS)),
                3 => format!("arr[({}) & 7u]", self.uexpr(0)),
                4 => format!("st.{}", self.rng.pick(&["x", "y"])),
                5 if !self.counters.is_empty() => {
                    let k = self.rng.below(self.counters.len() as u64) as usize;
                    format!("(unsigned){}", self.counters[k])
                }
                6 => format!("(unsigned)st.{}", self.rng.pick(&["c", "h"])),
                _ => self.rng.pick(UVARS).to_string(),
            };
        }
        let d = depth - 1;
        match self.rng.below(16) {
            0..=4 => {
                let op = self.rng.pick(&["+", "-", "*", "&", "|", "^"]);
                format!("({} {op} {})", self.uexpr(d), self.uexpr(d))
            }
            5 => {
                let op = self.rng.pick(&["/", "%"]);
                format!("({} {op} ({} | 1u))", self.uexpr(d), self.uexpr(d))
            }
            6 => {
                let op = self.rng.pick(&["<<", ">>"]);
                format!("({} {op} ({} & 31u))", self.uexpr(d), self.uexpr(d))
            }
            7 => {
                let op = self
                    .rng
                    .pick(&["<", "<=", ">", ">=", "==", "!=", "&&", "||"]);
                format!("(unsigned)({} {op} {})", self.uexpr(d), self.uexpr(d))
            }
            8 => format!(
                "({} ? {} : {})",
                self.uexpr(d),
                self.uexpr(d),
                self.uexpr(d)
            ),
            9 => {
                let op = self.rng.pick(&["~", "-", "!"]);
                format!("({op}{})", self.uexpr(d))
            }
            10 => {
                let t = self.rng.pick(&[
                    "signed char",
                    "unsigned char",
                    "short",
                    "unsigned short",
                    "char",
                ]);
                format!("(unsigned)({t})({})", self.uexpr(d))
            }
            11 => format!("(unsigned)({})", self.sexpr(d)),
            12 if self.helpers > 0 => {
                let f = self.rng.below(self.helpers as u64);
                format!("f{f}({}, {})", self.uexpr(d), self.uexpr(d))
            }
            13 => format!("m[({}) & 3u][({}) & 3u]", self.uexpr(d), self.uexpr(d)),
            14 => format!("rec(({}) & 7u)", self.uexpr(d)),
            _ => format!("({}, {})", self.uexpr(d), self.uexpr(d)),
        }
    }

    /// A signed expression whose value stays well inside `int`: small operands only.
    fn sexpr(&mut self, depth: u32) -> String {
        let small = |g: &mut Gen, d: u32| -> String {
            match g.rng.below(3) {
                0 => format!("((int)({} & 0x7fffu) - 16384)", g.uexpr(d)),
                1 => format!("(int){}", g.rng.pick(&["sc", "ss"])),
                _ => format!("{}", g.rng.below(200) as i32 - 100),
            }
        };
        let d = depth.saturating_sub(1);
        match self.rng.below(6) {
            0 => format!("({} + {})", small(self, d), small(self, d)),
            1 => format!("({} - {})", small(self, d), small(self, d)),
            2 => format!("({} * {})", small(self, d), self.rng.below(50) as i32 - 25),
            3 => {
                let op = self.rng.pick(&["/", "%"]);
                let sign = self.rng.pick(&["+", "-"]);
                format!(
                    "({} {op} ({sign}((int)({} & 0xffu) + 1)))",
                    small(self, d),
                    self.uexpr(d)
                )
            }
            4 => format!("({} >> ({} & 15u))", small(self, d), self.uexpr(d)),
            _ => {
                let op = self.rng.pick(&["<", ">", "==", "<=", ">=", "!="]);
                format!("({} {op} {})", small(self, d), small(self, d))
            }
        }
    }

    fn lvalue(&mut self) -> String {
        match self.rng.below(6) {
            0 => format!("arr[({}) & 7u]", self.uexpr(1)),
            1 => format!("st.{}", self.rng.pick(&["x", "y"])),
            2 => format!("m[({}) & 3u][({}) & 3u]", self.uexpr(1), self.uexpr(1)),
            _ => self.rng.pick(UVARS).to_string(),
        }
    }

    fn stmt(&mut self, depth: u32) {
        let e = |g: &mut Gen| g.uexpr(3);
        match self.rng.below(if depth == 0 { 7 } else { 13 }) {
            0 | 1 => {
                let (l, x) = (self.lvalue(), e(self));
                self.line(&format!("{l} = {x};"));
            }
            2 => {
                let op = self.rng.pick(&["+=", "-=", "*=", "&=", "|=", "^="]);
                let (l, x) = (self.lvalue(), e(self));
                self.line(&format!("{l} {op} {x};"));
            }
            3 => {
                let op = self.rng.pick(&["/=", "%="]);
                let (l, x) = (self.rng.pick(UVARS), e(self));
                self.line(&format!("{l} {op} ({x}) | 1u;"));
            }
            4 => {
                let v = self.rng.pick(SVARS);
                let x = self.sexpr(2);
                let t = match v {
                    "sc" => "signed char",
                    "ss" => "short",
                    _ => "int",
                };
                self.line(&format!("{v} = ({t})({x});"));
            }
            5 => {
                let (v, op) = (self.rng.pick(UVARS), self.rng.pick(&["++", "--"]));
                if self.rng.below(2) == 0 {
                    self.line(&format!("{v}{op};"));
                } else {
                    self.line(&format!("{op}{v};"));
                }
            }
            6 => {
                let (c, h) = (e(self), e(self));
                self.line(&format!("st.c = (char)({c});"));
                self.line(&format!("st.h = (unsigned short)({h});"));
            }
            7 | 8 => {
                let c = e(self);
                self.line(&format!("if ({c}) {{"));
                self.block(depth - 1);
                if self.rng.below(2) == 0 {
                    self.line("} else {");
                    self.block(depth - 1);
                }
                self.line("}");
            }
            9 => {
                let i = format!("i{}", self.next_counter);
                self.next_counter += 1;
                let n = self.rng.below(6) + 1;
                self.line(&format!("for (int {i} = 0; {i} < {n}; {i}++) {{"));
                self.counters.push(i);
                self.indent += 1;
                if self.rng.below(3) == 0 {
                    let c = e(self);
                    let jump = self.rng.pick(&["break", "continue"]);
                    self.line(&format!("if (({c}) & 1u) {jump};"));
                }
                self.indent -= 1;
                self.block(depth - 1);
                self.counters.pop();
                self.line("}");
            }
            10 => {
                let w = format!("w{}", self.next_counter);
                self.next_counter += 1;
                let n = self.rng.below(5) + 1;
                self.line(&format!("{{ int {w} = {n};"));
                self.line("do {");
                self.block(depth - 1);
                self.line(&format!("}} while (--{w} > 0); }}"));
            }
            11 => {
                let c = e(self);
                self.line(&format!("switch (({c}) & 7u) {{"));
                let cases = self.rng.below(4) + 1;
                let mut used = Vec::new();
                for _ in 0..cases {
                    let v = self.rng.below(8);
                    if used.contains(&v) {
                        continue;
                    }
                    used.push(v);
                    self.line(&format!("case {v}:"));
                    self.indent += 1;
                    let x = e(self);
                    self.line(&format!("a += {x};"));
                    if self.rng.below(3) > 0 {
                        self.line("break;");
                    }
                    self.indent -= 1;
                }
                if self.rng.below(2) == 0 {
                    self.line("default:");
                    let x = e(self);
                    self.line(&format!("    b ^= {x};"));
                }
                self.line("}");
            }
            _ => {
                let x = e(self);
                self.line(&format!("c = (unsigned)pass_struct(st, {x});"));
            }
        }
    }

    fn block(&mut self, depth: u32) {
        self.indent += 1;
        for _ in 0..self.rng.below(3) + 1 {
            self.stmt(depth);
        }
        self.indent -= 1;
    }

    fn function_body(&mut self, statements: u64) {
        self.indent = 1;
        self.line("unsigned arr[8] = {1, 2, 3, 4, 5, 6, 7, 8};");
        self.line("unsigned m[4][4] = {{1, 2}, {3, 4, 5}, {6}};");
        self.line("struct S st = {7, 9, 'q', 65000};");
        self.line("signed char sc = -5; short ss = 300; int si = -70000;");
        for _ in 0..statements {
            self.stmt(2);
        }
    }
}

/// A random program for `seed`.
pub fn program(seed: u64) -> String {
    let mut g = Gen {
        rng: Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xC0DE),
        out: String::new(),
        indent: 0,
        counters: Vec::new(),
        next_counter: 0,
        helpers: 0,
    };
    g.line("#include <selfpage.h>");
    g.line("struct S { unsigned x; unsigned y; char c; unsigned short h; };");
    g.line("unsigned rec(unsigned n) { return n == 0 ? 1u : n * 3u + rec(n - 1); }");
    g.line("int pass_struct(struct S s, unsigned k) { s.x += k; return (int)(s.x & 0xffff) - (int)s.c; }");
    let helpers = g.rng.below(3);
    for f in 0..helpers {
        g.line(&format!("unsigned f{f}(unsigned a, unsigned b) {{"));
        g.indent = 1;
        g.line("unsigned c = a ^ b;");
        let n = g.rng.below(3) + 1;
        g.function_body(n);
        let r = g.uexpr(3);
        g.line(&format!(
            "return {r} + arr[3] + m[1][2] + st.x + (unsigned)si;"
        ));
        g.indent = 0;
        g.line("}");
        g.helpers += 1;
    }
    g.line("int main(void) {");
    g.indent = 1;
    g.line("unsigned a = 1, b = 2, c = 3;");
    let n = g.rng.below(8) + 4;
    g.function_body(n);
    g.line("printf(\"%u %u %u %d %d %d\\n\", a, b, c, sc, ss, si);");
    g.line("printf(\"%u %u %u %u %x %d\\n\", arr[0], arr[7], m[3][3], st.x, st.y, st.c);");
    g.line("return (int)((a + b + c + arr[5] + m[2][1] + st.h) & 0xffu);");
    g.indent = 0;
    g.line("}");
    g.out
}
