//! Next-word cloze: a context of reserved text that ends before a word; the choices are the true
//! word and three frequency-matched distractors ([`WordCounts::distractors`]).

use ladder_core::rng::SplitMix64;

use super::words::{letter_runs, WordCounts};
use super::{shuffled_choices, MicroQuestion};

/// Longest context, in bytes (cut back to a word start).
pub const CONTEXT_BYTES: usize = 256;
/// Shortest context, in bytes.
pub const MIN_CONTEXT_BYTES: usize = 32;

/// Up to `n` cloze questions from `reserved` documents, fixed for `seed`.
pub fn build(reserved: &[&String], counts: &WordCounts, n: usize, seed: u64) -> Vec<MicroQuestion> {
    // Every lower-case word that follows a space with enough context before it.
    let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
    for (d, doc) in reserved.iter().enumerate() {
        let bytes = doc.as_bytes();
        for (s, e) in letter_runs(doc) {
            let word = &doc[s..e];
            if s > MIN_CONTEXT_BYTES
                && bytes[s - 1] == b' '
                && word.len() >= 2
                && word.bytes().all(|b| b.is_ascii_lowercase())
                && !doc[..s - 1].trim_end().is_empty()
            {
                candidates.push((d, s, e));
            }
        }
    }
    let order = SplitMix64::new(seed, 0).permutation(candidates.len());
    let mut out = Vec::with_capacity(n);
    for (k, i) in order.into_iter().enumerate() {
        if out.len() == n {
            break;
        }
        let (d, s, e) = candidates[i];
        let doc = reserved[d];
        let gold = &doc[s..e];
        let mut rng = SplitMix64::new(seed, 1 + k as u64);
        let Some(distractors) = counts.distractors(gold, &mut rng) else { continue };
        let context = context_before(doc, s - 1, CONTEXT_BYTES);
        if context.len() < MIN_CONTEXT_BYTES {
            continue;
        }
        let (choices, gold_index) = shuffled_choices(format!(" {gold}"), distractors.map(|w| format!(" {w}")), &mut rng);
        out.push(MicroQuestion { context: context.to_string(), choices, gold: gold_index, doc: d, at: s });
    }
    out
}

/// The text of `doc` before byte `end`, at most `max` bytes, starting at a word.
pub(crate) fn context_before(doc: &str, end: usize, max: usize) -> &str {
    let bytes = doc.as_bytes();
    let mut start = end.saturating_sub(max);
    if start > 0 {
        while start < end && !bytes[start - 1].is_ascii_whitespace() {
            start += 1;
        }
    }
    &doc[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_start_at_a_word_and_end_before_the_gold() {
        let doc = "alpha beta gamma delta";
        assert_eq!(context_before(doc, 16, 100), "alpha beta gamma");
        assert_eq!(context_before(doc, 16, 8), "gamma");
    }
}
