//! The reference-string exercise: a page reference string typed by the user, run under
//! every policy (Belady's OPT included) with libhurd-mm's `simulate`.

use selfpage_core::pager::{simulate, PolicyKind, SimReport};

/// Longest reference string accepted.
pub const MAX_REFS: usize = 400;
/// Most frames accepted.
pub const MAX_FRAMES: u32 = 64;
/// The textbook string (Silberschatz et al.), shown first.
pub const TEXTBOOK: &str = "7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1";
/// Seed of the random policy.
pub const SEED: u64 = 1;

/// The policies of the table, OPT last.
pub const POLICIES: [PolicyKind; 7] = [
    PolicyKind::Fifo,
    PolicyKind::Clock,
    PolicyKind::Lru,
    PolicyKind::Mru,
    PolicyKind::Random,
    PolicyKind::App,
    PolicyKind::Opt,
];

/// Reads page numbers separated by commas, spaces or semicolons.
///
/// # Errors
/// A word that is not a page number (0..=4294967295), or too many of them; the message
/// names the word and its position.
pub fn parse(text: &str) -> Result<Vec<u32>, String> {
    let words: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() > MAX_REFS {
        return Err(format!(
            "{} references; at most {MAX_REFS} are simulated",
            words.len()
        ));
    }
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            w.parse::<u32>().map_err(|_| {
                format!(
                    "reference {} is '{w}', not a page number (0, 1, 2, ...)",
                    i + 1
                )
            })
        })
        .collect()
}

/// Reads a frame count.
///
/// # Errors
/// Not a number from 1 to [`MAX_FRAMES`].
pub fn parse_frames(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_FRAMES).contains(&n) => Ok(n),
        _ => Err(format!(
            "frames must be a number from 1 to {MAX_FRAMES}, not '{}'",
            text.trim()
        )),
    }
}

/// Every policy of [`POLICIES`] over `refs` with `frames` frames.
pub fn run_all(refs: &[u32], frames: u32) -> Vec<SimReport> {
    POLICIES
        .iter()
        .map(|&k| simulate(k, frames, refs, SEED))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_textbook_string_gives_the_textbook_numbers() {
        let refs = parse(TEXTBOOK).expect("parses");
        let r = run_all(&refs, 3);
        let misses = |k: PolicyKind| r[POLICIES.iter().position(|p| *p == k).unwrap_or(0)].misses;
        assert_eq!(misses(PolicyKind::Fifo), 15);
        assert_eq!(misses(PolicyKind::Lru), 12);
        assert_eq!(misses(PolicyKind::Opt), 9);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn bad_input_is_a_message_not_a_panic() {
        assert!(parse("1, 2, x").unwrap_err().contains("reference 3 is 'x'"));
        assert!(parse("-1").is_err());
        assert!(parse(&"1 ".repeat(MAX_REFS + 1)).is_err());
        assert_eq!(parse(" 1;2  3,").unwrap(), vec![1, 2, 3]);
        assert!(parse_frames("0").is_err());
        assert!(parse_frames("99999999999").is_err());
        assert_eq!(parse_frames(" 3 "), Ok(3));
    }
}
