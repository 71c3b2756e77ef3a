//! Continuation (HellaSwag-like): a context passage of reserved text; the choices are the true
//! next span of [`SPAN_WORDS`] words and three spans of about the same length in bytes taken from
//! other reserved documents of the same source. Spans are whitespace-separated words joined by
//! single spaces, each with a leading space.

use ladder_core::rng::SplitMix64;

use super::cloze::context_before;
use super::{shuffled_choices, MicroQuestion};

/// Longest context, in bytes (cut back to a word start).
pub const CONTEXT_BYTES: usize = 192;
/// Shortest context, in bytes.
pub const MIN_CONTEXT_BYTES: usize = 48;
/// Words in the true span.
pub const SPAN_WORDS: usize = 6;
/// Largest difference in bytes between a distractor span and the true one: this share of the
/// true span's length, at least [`MIN_SLACK`] bytes.
pub const LENGTH_SLACK: f64 = 0.15;
/// See [`LENGTH_SLACK`].
pub const MIN_SLACK: usize = 3;
/// Draws tried for one question's distractors.
const ATTEMPTS: usize = 200;

/// Byte ranges of the whitespace-separated words of `text`.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// The words `from..` of `doc` joined with single spaces until the span is at least `bytes`
/// long (or `words` words when `bytes` is 0), with a leading space.
fn span(doc: &str, words: &[(usize, usize)], from: usize, count: usize, bytes: usize) -> Option<String> {
    let mut out = String::new();
    for (k, &(s, e)) in words[from..].iter().enumerate() {
        out.push(' ');
        out.push_str(&doc[s..e]);
        if (bytes == 0 && k + 1 == count) || (bytes > 0 && out.len() + 1 >= bytes) {
            return Some(out);
        }
    }
    None
}

/// Up to `n` continuation questions from `reserved` documents (at least two), fixed for `seed`.
pub fn build(reserved: &[&String], n: usize, seed: u64) -> Vec<MicroQuestion> {
    if reserved.len() < 2 {
        return Vec::new();
    }
    let words: Vec<Vec<(usize, usize)>> = reserved.iter().map(|d| word_spans(d)).collect();
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    for (d, w) in words.iter().enumerate() {
        for i in 1..w.len().saturating_sub(SPAN_WORDS - 1) {
            if w[i].0 >= MIN_CONTEXT_BYTES {
                candidates.push((d, i));
            }
        }
    }
    let order = SplitMix64::new(seed, 0).permutation(candidates.len());
    let mut out = Vec::with_capacity(n);
    for (k, c) in order.into_iter().enumerate() {
        if out.len() == n {
            break;
        }
        let (d, i) = candidates[c];
        let doc = reserved[d];
        let Some(gold) = span(doc, &words[d], i, SPAN_WORDS, 0) else { continue };
        let context = context_before(doc, words[d][i - 1].1, CONTEXT_BYTES);
        if context.len() < MIN_CONTEXT_BYTES {
            continue;
        }
        let slack = ((gold.len() as f64 * LENGTH_SLACK) as usize).max(MIN_SLACK);
        let mut rng = SplitMix64::new(seed, 1 + k as u64);
        let mut distractors: Vec<String> = Vec::new();
        for _ in 0..ATTEMPTS {
            if distractors.len() == 3 {
                break;
            }
            let other = rng.below(reserved.len() - 1);
            let other = if other >= d { other + 1 } else { other };
            if words[other].is_empty() {
                continue;
            }
            let from = rng.below(words[other].len());
            let Some(s) = span(reserved[other], &words[other], from, 0, gold.len()) else { continue };
            if s.len().abs_diff(gold.len()) <= slack && s != gold && !distractors.contains(&s) {
                distractors.push(s);
            }
        }
        let Ok(distractors) = <[String; 3]>::try_from(distractors) else { continue };
        let (choices, gold_index) = shuffled_choices(gold, distractors, &mut rng);
        out.push(MicroQuestion { context: context.to_string(), choices, gold: gold_index, doc: d, at: words[d][i].0 });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_join_words_with_single_spaces() {
        let doc = "one  two\nthree four";
        let w = word_spans(doc);
        assert_eq!(w.len(), 4);
        assert_eq!(span(doc, &w, 1, 2, 0).unwrap(), " two three");
        assert_eq!(span(doc, &w, 0, 0, 9).unwrap(), " one two");
        assert!(span(doc, &w, 3, 2, 0).is_none());
    }
}
