//! Globals, statics and string literals: `section .data` (initialized) and `section .bss`.

use std::collections::BTreeSet;

use super::Gen;
use crate::ast::{string_label, Global, Unit};

/// Writes the data and bss sections of `unit`.
pub(super) fn emit(g: &mut Gen<'_>, unit: &Unit, used: &BTreeSet<String>) {
    let globals = unit.globals.iter().filter(|x| used.contains(&x.label));
    let initialized: Vec<&Global> = globals.clone().filter(|x| x.init.is_some()).collect();
    let strings: Vec<(usize, &Vec<u8>)> = unit
        .strings
        .iter()
        .enumerate()
        .filter(|(i, _)| used.contains(&string_label(*i)))
        .collect();
    if !initialized.is_empty() || !strings.is_empty() {
        g.raw("");
        g.raw("section .data");
        for global in initialized {
            object(g, global);
        }
        for (i, s) in strings {
            g.raw(&format!("{}: db {}", string_label(i), string_items(s)));
        }
    }
    let zeroed: Vec<&Global> = globals.filter(|x| x.init.is_none()).collect();
    if !zeroed.is_empty() {
        g.raw("");
        g.raw("section .bss");
        for global in zeroed {
            if global.align > 1 {
                g.emit(&format!("align {}", global.align));
            }
            g.raw(&format!("{}: resb {}", global.label, global.size.max(1)));
        }
    }
}

/// One initialized object: dwords where it is word-sized and aligned, bytes otherwise.
fn object(g: &mut Gen<'_>, global: &Global) {
    let bytes = global.init.as_deref().unwrap_or(&[]);
    if global.align > 1 {
        g.emit(&format!("align {}", global.align));
    }
    g.label(&global.label);
    if bytes.is_empty() {
        g.emit("db 0");
        return;
    }
    let dwords = bytes.len() % 4 == 0 && global.align >= 4;
    let mut items: Vec<String> = Vec::new();
    let flush = |g: &mut Gen<'_>, items: &mut Vec<String>, kw: &str| {
        if !items.is_empty() {
            g.emit(&format!("{kw} {}", items.join(", ")));
            items.clear();
        }
    };
    if dwords {
        for (k, chunk) in bytes.chunks(4).enumerate() {
            let off = (k * 4) as u32;
            match global.relocs.iter().find(|r| r.offset == off) {
                Some(r) if r.addend != 0 => items.push(format!("{}{:+}", r.label, r.addend)),
                Some(r) => items.push(r.label.clone()),
                None => {
                    let v = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                    items.push((v as i32).to_string());
                }
            }
            if items.len() == 8 {
                flush(g, &mut items, "dd");
            }
        }
        flush(g, &mut items, "dd");
        return;
    }
    let mut k = 0;
    while k < bytes.len() {
        if let Some(r) = global.relocs.iter().find(|r| r.offset as usize == k) {
            flush(g, &mut items, "db");
            let item = if r.addend != 0 {
                format!("{}{:+}", r.label, r.addend)
            } else {
                r.label.clone()
            };
            g.emit(&format!("dd {item}"));
            k += 4;
            continue;
        }
        items.push(bytes[k].to_string());
        if items.len() == 16 {
            flush(g, &mut items, "db");
        }
        k += 1;
    }
    flush(g, &mut items, "db");
}

/// A string's bytes as `db` items: printable runs in quotes, the rest as numbers.
fn string_items(s: &[u8]) -> String {
    let mut items = Vec::new();
    let mut run = String::new();
    for &b in s {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' && b != b'`' {
            run.push(b as char);
        } else {
            if !run.is_empty() {
                items.push(format!("\"{run}\""));
                run.clear();
            }
            items.push(b.to_string());
        }
    }
    if !run.is_empty() {
        items.push(format!("\"{run}\""));
    }
    items.join(", ")
}
