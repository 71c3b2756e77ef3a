//! Word frequencies of a source's training documents, and distractor words matched to a gold
//! word's frequency so that frequency alone does not tell the gold (micro-tasks.md).
//!
//! A word is a maximal run of ASCII letters, counted lower-cased. Distractors come from the ranks
//! next to the gold's (at most [`NEIGHBOURS`] away, count within a factor [`MAX_RATIO`]); how
//! many of the three rank above the gold is drawn uniformly from 0..=3, so the gold is the most
//! frequent of the four choices in a quarter of the questions and a frequency-only scorer sits at
//! chance.

use std::collections::HashMap;

use ladder_core::rng::SplitMix64;

/// Words seen fewer times than this are never a gold or a distractor.
pub const MIN_COUNT: u64 = 3;
/// How many ranks away a distractor may be.
pub const NEIGHBOURS: usize = 12;
/// Largest ratio between a distractor's count and the gold's.
pub const MAX_RATIO: f64 = 1.5;

/// Counts of lower-cased words, by rank.
#[derive(Debug, Clone)]
pub struct WordCounts {
    by_rank: Vec<(String, u64)>,
    rank: HashMap<String, usize>,
}

/// Byte ranges of the maximal ASCII-letter runs of `text`.
pub fn letter_runs(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        Some((start, i))
    })
}

impl WordCounts {
    /// Count the words of `documents`.
    pub fn count<'a>(documents: impl IntoIterator<Item = &'a String>) -> Self {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for doc in documents {
            for (s, e) in letter_runs(doc) {
                *counts.entry(doc[s..e].to_ascii_lowercase()).or_default() += 1;
            }
        }
        let mut by_rank: Vec<(String, u64)> = counts.into_iter().collect();
        by_rank.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let rank = by_rank.iter().enumerate().map(|(i, (w, _))| (w.clone(), i)).collect();
        Self { by_rank, rank }
    }

    /// How often `word` (lower-case) occurs; 0 when never.
    pub fn count_of(&self, word: &str) -> u64 {
        self.rank.get(word).map_or(0, |&r| self.by_rank[r].1)
    }

    /// Three distractors for `gold` (a lower-case word), or `None` when its neighbourhood lacks
    /// matching words on the side the draw asks for.
    pub fn distractors(&self, gold: &str, rng: &mut SplitMix64) -> Option<[String; 3]> {
        let &r = self.rank.get(gold)?;
        let c = self.by_rank[r].1;
        if c < MIN_COUNT {
            return None;
        }
        let fits = |i: &usize| {
            let (w, n) = &self.by_rank[*i];
            *n >= MIN_COUNT && (*n as f64) <= c as f64 * MAX_RATIO && (*n as f64) * MAX_RATIO >= c as f64 && w.len() >= 2
        };
        let above: Vec<usize> = (r.saturating_sub(NEIGHBOURS)..r).filter(fits).collect();
        let below: Vec<usize> = (r + 1..(r + 1 + NEIGHBOURS).min(self.by_rank.len())).filter(fits).collect();
        let j = rng.below(4);
        if above.len() < j || below.len() < 3 - j {
            return None;
        }
        let mut pick = |from: &[usize], k: usize| -> Vec<String> {
            let order = rng.permutation(from.len());
            order.into_iter().take(k).map(|i| self.by_rank[from[i]].0.clone()).collect()
        };
        let mut words = pick(&above, j);
        words.extend(pick(&below, 3 - j));
        Some([words[0].clone(), words[1].clone(), words[2].clone()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_runs_split_on_everything_but_letters() {
        let t = "Hi, there_you x2y";
        let runs: Vec<&str> = letter_runs(t).map(|(s, e)| &t[s..e]).collect();
        assert_eq!(runs, vec!["Hi", "there", "you", "x", "y"]);
    }

    #[test]
    fn distractors_are_frequency_neighbours_never_the_gold() {
        // Word k occurs 100 + k times: every word has close neighbours on both sides.
        let docs: Vec<String> = (0..40).map(|k| format!("{} ", word(k)).repeat(100 + k)).collect();
        let counts = WordCounts::count(&docs);
        let mut above = [0usize; 4];
        for seed in 0..400 {
            let mut rng = SplitMix64::new(seed, 0);
            let gold = word(20);
            let d = counts.distractors(&gold, &mut rng).expect("neighbours exist");
            assert!(d.iter().all(|w| *w != gold && !w.is_empty()));
            let c = counts.count_of(&gold);
            assert!(d
                .iter()
                .all(|w| (counts.count_of(w) as f64) <= c as f64 * MAX_RATIO && counts.count_of(w) as f64 * MAX_RATIO >= c as f64));
            above[d.iter().filter(|w| counts.count_of(w) > c).count()] += 1;
        }
        // The number of more frequent distractors is uniform over 0..=3.
        assert!(above.iter().all(|&n| (70..=130).contains(&n)), "{above:?}");
        assert!(counts.distractors("never", &mut SplitMix64::new(0, 0)).is_none());
    }

    fn word(k: usize) -> String {
        format!("{}{}", char::from(b'a' + (k / 26) as u8), char::from(b'a' + (k % 26) as u8)).repeat(2)
    }
}
