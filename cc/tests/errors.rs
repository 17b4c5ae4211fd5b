//! Compile errors a student meets: each names the problem in C's terms, at the right line
//! and column.

use selfpage_cc::compile;

fn error(src: &str) -> (u32, u32, String) {
    let e = compile(src).expect_err("should not compile");
    (e.line, e.column, e.message)
}

#[test]
fn undeclared_names_and_wrong_calls() {
    assert_eq!(
        error("int main(void) {\n  int n = 3;\n  return buf[n];\n}"),
        (3, 10, "'buf' undeclared".into())
    );
    assert_eq!(
        error("#include <selfpage.h>\nint main(void) {\n  char *p = mmap(0, 4096, PROT_READ, 0, 7);\n  return 0;\n}").2,
        "too many arguments to 'mmap'"
    );
    assert_eq!(
        error("int f(int a, int b) { return a + b; }\nint main(void) { return f(1); }").2,
        "too few arguments to 'f'"
    );
    assert!(error("int main(void) { return g(2); }")
        .2
        .starts_with("function 'g' undeclared"));
    assert_eq!(
        error("int f(int);\nint main(void) { return f(1); }"),
        (2, 25, "function 'f' is declared but never defined".into())
    );
    assert_eq!(error("int x;").2, "the program has no 'main' function");
}

#[test]
fn type_errors() {
    let e = |s: &str| {
        error(&format!(
            "struct s {{ int a; }};\nint main(void) {{\n{s}\nreturn 0; }}"
        ))
        .2
    };
    assert_eq!(
        e("struct s v; v.b = 1;"),
        "'struct s' has no member named 'b'"
    );
    assert_eq!(
        e("int x; x->a = 1;"),
        "'->' needs a pointer to a struct or union, not 'int'"
    );
    assert_eq!(
        e("int a[3]; int b[3]; a = b;"),
        "'=': an array cannot be assigned; copy its elements"
    );
    assert_eq!(e("int x; *x = 1;"), "'*' needs a pointer, not 'int'");
    assert_eq!(
        e("void *p; *p;"),
        "cannot dereference a 'void *'; cast it to a pointer type first"
    );
    assert_eq!(
        e("char *p = 5;"),
        "initializer: cannot convert 'int' to 'char *'"
    );
    assert_eq!(
        e("float f;"),
        "'float': this compiler has no floating point"
    );
    assert_eq!(
        e("3 = 4;"),
        "'=' needs a variable or other object (an lvalue)"
    );
    assert_eq!(e("break;"), "'break' outside of a loop or switch");
    assert_eq!(e("goto out;"), "label 'out' used but not defined");
    assert_eq!(
        e("switch (1) { case 1: case 1: ; }"),
        "duplicate case value 1"
    );
    assert_eq!(
        e("int a[2] = {1, 2, 3};"),
        "too many initializers for an array of 2"
    );
}

#[test]
fn syntax_and_preprocessor_errors() {
    assert_eq!(
        error("int main(void) {\n  int x = 1\n  return x;\n}"),
        (3, 3, "expected ';' before 'return'".into())
    );
    assert_eq!(
        error("#include <stdio.h>\nint main(void) { return 0; }"),
        (
            1,
            1,
            "no built-in header 'stdio.h' (there are: stdarg.h, stddef.h, selfpage.h)".into()
        )
    );
    assert_eq!(
        error("#if 1\nint main(void) { return 0; }").2,
        "#if without a matching #endif"
    );
    assert_eq!(
        error("int main(void) { return 0x; }").2,
        "'0x' is not a valid integer constant"
    );
    assert_eq!(
        error("int main(void) { char *s = \"abc; }").2,
        "string is never closed (missing \")"
    );
    assert_eq!(
        error("int main(void) { return 1 @ 2; }"),
        (1, 27, "unexpected character '@'".into())
    );
}

#[test]
fn nesting_past_the_bound_is_an_error_not_a_crash() {
    let deep = format!(
        "int main(void) {{ return {}1{}; }}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    assert!(error(&deep).2.contains("nests more than"));
    let long = format!(
        "int main(void) {{ int a = 1; return {}a; }}",
        "a + ".repeat(5000)
    );
    assert!(error(&long).2.contains("nests more than"));
}
