//! Documents packed into fixed-length windows, in one seeded order shared by every run.

use ladder_core::rng::SplitMix64;

use crate::{Corpus, DataError, Tokenizer};

/// Windows of a run's text held out for its validation loss, unless told otherwise.
pub const VALIDATION_WINDOWS: usize = 16;

/// A token stream cut into windows of `window_len` tokens (documents joined by EOS, the tail
/// dropped), with a seeded permutation: the first `validation` windows of it are held out, the
/// rest is the training order. Step `s` with batch `B` takes training windows `s·B..(s+1)·B`, so
/// every run with the same seed sees the same windows in the same order, whatever its batch or
/// length; data is never repeated.
#[derive(Debug, Clone)]
pub struct PackedWindows {
    tokens: Vec<u32>,
    window_len: usize,
    /// Token offsets of the training windows, in order.
    train: Vec<usize>,
    /// Token offsets of the held-out windows.
    validation: Vec<usize>,
    /// (source name, end offset of its tokens), in token order.
    sources: Vec<(String, usize)>,
}

impl PackedWindows {
    /// Pack a corpus. Refuses a corpus too small to give `validation` + 1 windows.
    pub fn new(corpus: &Corpus, tokenizer: &dyn Tokenizer, window_len: usize, seed: u64, validation: usize) -> Result<Self, DataError> {
        let mut tokens = Vec::new();
        for doc in &corpus.documents {
            tokens.extend(tokenizer.encode(doc));
            tokens.push(tokenizer.eos());
        }
        Self::from_tokens(tokens, window_len, seed, validation)
    }

    /// Pack a token stream that already carries its EOS ids.
    pub fn from_tokens(tokens: Vec<u32>, window_len: usize, seed: u64, validation: usize) -> Result<Self, DataError> {
        if window_len < 2 {
            return Err(DataError::TooSmall(format!("windows need at least 2 tokens, got {window_len}")));
        }
        let count = tokens.len() / window_len;
        if count <= validation {
            return Err(DataError::TooSmall(format!(
                "{} tokens make {count} windows of {window_len}; {validation} are held out for validation and at least 1 must remain",
                tokens.len()
            )));
        }
        let order: Vec<usize> = SplitMix64::new(seed, 0).permutation(count).into_iter().map(|w| w * window_len).collect();
        let (held, train) = order.split_at(validation);
        let end = tokens.len();
        Ok(Self { tokens, window_len, train: train.to_vec(), validation: held.to_vec(), sources: vec![("corpus".into(), end)] })
    }

    /// Windows given by their token offsets (a [`crate::Mix`] builds these), with the sources'
    /// token ranges for reporting.
    pub fn from_starts(
        tokens: Vec<u32>,
        window_len: usize,
        train: Vec<usize>,
        validation: Vec<usize>,
        sources: Vec<(String, usize)>,
    ) -> Self {
        Self { tokens, window_len, train, validation, sources }
    }

    fn source_of(&self, start: usize) -> usize {
        self.sources.iter().position(|(_, end)| start < *end).unwrap_or(self.sources.len().saturating_sub(1))
    }

    /// Tokens per source in the first `windows` training windows: the mix a run of that many
    /// windows really trains on.
    pub fn realised_mix(&self, windows: usize) -> Vec<(String, u64)> {
        let mut counts = vec![0u64; self.sources.len()];
        for &start in self.train.iter().take(windows) {
            counts[self.source_of(start)] += self.window_len as u64;
        }
        self.sources.iter().map(|(name, _)| name.clone()).zip(counts).collect()
    }

    /// Tokens per window.
    pub fn window_len(&self) -> usize {
        self.window_len
    }

    /// Windows available for training.
    pub fn train_windows(&self) -> usize {
        self.train.len()
    }

    /// Held-out windows.
    pub fn validation_windows(&self) -> usize {
        self.validation.len()
    }

    fn window(&self, start: usize) -> &[u32] {
        &self.tokens[start..start + self.window_len]
    }

    /// Whether steps `..steps` (0-based) at batch `batch` have their windows: a ladder never
    /// repeats data, so too little text is an error that names the first step without any.
    pub fn check_steps(&self, steps: u64, batch: usize) -> Result<(), DataError> {
        if steps as usize * batch <= self.train.len() {
            return Ok(());
        }
        let step = self.max_steps(batch);
        let start = step as usize * batch;
        Err(DataError::TooSmall(format!(
            "{steps} steps × {batch} windows of {} tokens need {} training windows but the data has {}, so step {} (windows {start}..{}) has none; a ladder never repeats data — add text",
            self.window_len,
            steps as usize * batch,
            self.train.len(),
            step + 1,
            start + batch,
        )))
    }

    /// The windows of training step `step` (0-based) at batch `batch`, flattened row-major.
    pub fn batch(&self, step: u64, batch: usize) -> Result<Vec<u32>, DataError> {
        self.check_steps(step + 1, batch)?;
        let start = step as usize * batch;
        Ok(self.train[start..start + batch].iter().flat_map(|&w| self.window(w).iter().copied()).collect())
    }

    /// Steps of batch `batch` the data allows.
    pub fn max_steps(&self, batch: usize) -> u64 {
        (self.train.len() / batch.max(1)) as u64
    }

    /// The held-out windows, in order.
    pub fn validation(&self) -> impl Iterator<Item = &[u32]> {
        self.validation.iter().map(|&w| self.window(w))
    }

    /// The held-out windows of each source (sources without any are left out), in source order.
    pub fn validation_by_source(&self) -> Vec<(&str, Vec<&[u32]>)> {
        let mut out: Vec<(&str, Vec<&[u32]>)> = self.sources.iter().map(|(name, _)| (name.as_str(), Vec::new())).collect();
        for &w in &self.validation {
            out[self.source_of(w)].1.push(self.window(w));
        }
        out.retain(|(_, windows)| !windows.is_empty());
        out
    }
}

/// The training windows in their seeded order, as burn's data loader reads them: item `i` is the
/// `i`-th window, so batch `s` of a loader with batch size `B` is training step `s`.
impl burn_dataset::Dataset<Vec<u32>> for PackedWindows {
    fn get(&self, index: usize) -> Result<Vec<u32>, burn_dataset::DatasetError> {
        let start = self.train.get(index).ok_or_else(|| {
            burn_dataset::DatasetError::new(DataError::TooSmall(format!("training window {index} of {}", self.train.len())))
        })?;
        Ok(self.window(*start).to_vec())
    }

    fn len(&self) -> usize {
        self.train.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ByteTokenizer;

    fn corpus(docs: usize) -> Corpus {
        Corpus { documents: (0..docs).map(|i| format!("document number {i} says hello {}", "x".repeat(i % 7))).collect() }
    }

    #[test]
    fn packing_joins_documents_with_eos_and_drops_the_tail() {
        let c = Corpus { documents: vec!["abc".into(), "de".into()] };
        let w = PackedWindows::new(&c, &ByteTokenizer, 2, 0, 0).unwrap();
        // a b c EOS d e EOS → 3 windows of 2, tail (EOS) dropped.
        assert_eq!(w.train_windows(), 3);
        let all: Vec<u32> = (0..3).flat_map(|s| w.batch(s, 1).unwrap()).collect();
        let mut sorted = all.chunks(2).map(|c| c.to_vec()).collect::<Vec<_>>();
        sorted.sort();
        assert_eq!(sorted, vec![vec![97, 98], vec![99, 256], vec![100, 101]]);
    }

    #[test]
    fn a_shorter_run_sees_a_prefix_of_a_longer_runs_data_whatever_the_batch() {
        let w = PackedWindows::new(&corpus(300), &ByteTokenizer, 16, 6198, 4).unwrap();
        let small: Vec<u32> = (0..6).flat_map(|s| w.batch(s, 2).unwrap()).collect();
        let large: Vec<u32> = (0..4).flat_map(|s| w.batch(s, 3).unwrap()).collect();
        assert_eq!(small, large);
        let again = PackedWindows::new(&corpus(300), &ByteTokenizer, 16, 6198, 4).unwrap();
        assert_eq!(again.batch(5, 3).unwrap(), w.batch(5, 3).unwrap());
        let other_seed = PackedWindows::new(&corpus(300), &ByteTokenizer, 16, 1, 4).unwrap();
        assert_ne!(other_seed.batch(0, 3).unwrap(), w.batch(0, 3).unwrap());
    }

    #[test]
    fn validation_windows_are_never_trained_on() {
        let w = PackedWindows::new(&corpus(100), &ByteTokenizer, 8, 3, 5).unwrap();
        let held: Vec<Vec<u32>> = w.validation().map(<[u32]>::to_vec).collect();
        assert_eq!(held.len(), 5);
        let train: Vec<usize> = w.train.clone();
        assert!(w.validation.iter().all(|v| !train.contains(v)));
        assert!(w.batch(w.max_steps(4), 4).unwrap_err().to_string().contains("never repeats"));
    }

    #[test]
    fn too_little_text_is_refused() {
        let err = PackedWindows::new(&corpus(1), &ByteTokenizer, 512, 0, 2).unwrap_err().to_string();
        assert!(err.contains("held out"), "{err}");
    }
}
