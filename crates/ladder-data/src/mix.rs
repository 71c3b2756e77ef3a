//! A data mix: named sources with weights, packed into one seeded window order.
//!
//! Each source is packed on its own (documents joined by EOS, cut into windows, the tail
//! dropped); its first windows in a seeded order are held out for validation. The training
//! order then draws, position by position, a source with probability ∝ its weight (among the
//! sources with windows left) and takes that source's next window. The order depends only on
//! the mix, the data and the seed — never on a run's batch or length — so every run of a ladder
//! sees a prefix of one sequence of windows.

use std::path::{Path, PathBuf};

use ladder_core::rng::SplitMix64;
use serde::{Deserialize, Serialize};

use crate::micro::Reserve;
use crate::token_cache::TokenCache;
use crate::{Corpus, DataError, PackedWindows, Tokenizer};

/// One source of a mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixSource {
    /// Source name (its JSONL is `<cache>/corpora/<name>.jsonl` unless `files` is given).
    pub name: String,
    /// Relative weight (> 0).
    pub weight: f64,
    /// Files instead of the prepared corpus.
    #[serde(default)]
    pub files: Vec<PathBuf>,
}

/// A mix file (TOML): `[[source]] name = "wiki_vital" weight = 2.0`, plus the held-out windows
/// per source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mix {
    /// The sources.
    #[serde(rename = "source")]
    pub sources: Vec<MixSource>,
    /// Windows of every source held out for validation.
    #[serde(default = "default_validation")]
    pub validation_windows: usize,
    /// Leave out the documents reserved for the micro tasks ([`Reserve::STANDARD`]), so that no
    /// training window holds text they ask about. Off by default, which keeps the data streams
    /// of mixes written before it.
    #[serde(default)]
    pub reserve_eval_documents: bool,
}

fn default_validation() -> usize {
    8
}

/// Windows per source in the training order and held out (the realised mix).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealisedSource {
    /// Source name.
    pub name: String,
    /// Its weight's share of all weights.
    pub target_share: f64,
    /// Training windows it has.
    pub train_windows: usize,
    /// Held-out windows.
    pub validation_windows: usize,
}

impl Mix {
    /// About `bytes` of text in the mix's proportions: each source's first documents up to its
    /// weighted share (what a BPE tokenizer is trained on), never a reserved one.
    pub fn sample_text(&self, cache: &Path, bytes: usize) -> Result<Vec<String>, DataError> {
        let weights: f64 = self.sources.iter().map(|s| s.weight).sum();
        let mut sample = Vec::new();
        for (source, files) in self.sources.iter().zip(self.files(cache)) {
            let budget = (bytes as f64 * source.weight / weights) as usize;
            let mut taken = 0;
            let documents = Corpus::read(&files)?.documents;
            let kept = match self.reserve() {
                Some(r) => r.split(&source.name, &documents).0.into_iter().cloned().collect(),
                None => documents,
            };
            for doc in kept {
                if taken >= budget {
                    break;
                }
                taken += doc.len();
                sample.push(doc);
            }
        }
        Ok(sample)
    }

    /// A source's weight as a share of all weights (`None` for a source not in the mix).
    pub fn target_share(&self, name: &str) -> Option<f64> {
        let total: f64 = self.sources.iter().map(|s| s.weight).sum();
        self.sources.iter().find(|s| s.name == name).map(|s| s.weight / total)
    }

    /// The documents this mix leaves out for evaluation, if it reserves any.
    pub fn reserve(&self) -> Option<Reserve> {
        self.reserve_eval_documents.then_some(Reserve::STANDARD)
    }

    /// Read a mix file.
    pub fn load(path: &Path) -> Result<Self, DataError> {
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io { path: path.to_path_buf(), source })?;
        let mix: Mix = toml::from_str(&text).map_err(|e| DataError::toml(path, &text, &e))?;
        mix.validated(path)
    }

    /// A mix of `weights` (source name → weight, in name order) with `base`'s settings: its
    /// held-out windows, its reserved documents, and the files of the sources it names; sources
    /// it does not name read the prepared corpus. Without a base, the defaults. `origin` names
    /// the weights in errors.
    pub fn with_weights(base: Option<&Mix>, weights: &std::collections::BTreeMap<String, f64>, origin: &Path) -> Result<Self, DataError> {
        let files = |name: &str| base.and_then(|b| b.sources.iter().find(|s| s.name == name)).map(|s| s.files.clone()).unwrap_or_default();
        Mix {
            sources: weights.iter().map(|(name, &weight)| MixSource { name: name.clone(), weight, files: files(name) }).collect(),
            validation_windows: base.map_or_else(default_validation, |b| b.validation_windows),
            reserve_eval_documents: base.is_some_and(|b| b.reserve_eval_documents),
        }
        .validated(origin)
    }

    fn validated(self, origin: &Path) -> Result<Self, DataError> {
        if self.sources.is_empty() {
            return Err(DataError::Config(format!("{}: a mix needs at least one [[source]]", origin.display())));
        }
        for s in &self.sources {
            if !(s.weight.is_finite() && s.weight > 0.0) {
                return Err(DataError::Config(format!(
                    "{}: source {} has weight {}; weights must be positive",
                    origin.display(),
                    s.name,
                    s.weight
                )));
            }
        }
        Ok(self)
    }

    /// The files of every source: its own `files`, else `<cache>/corpora/<name>.jsonl`.
    pub fn files(&self, cache: &Path) -> Vec<Vec<PathBuf>> {
        self.sources
            .iter()
            .map(|s| if s.files.is_empty() { vec![crate::prepare::corpus_path(cache, &s.name)] } else { s.files.clone() })
            .collect()
    }

    /// Pack the mix into windows of `window_len` tokens in the seeded order. Each source's tokens
    /// come from the [`TokenCache`] in `cache`.
    pub fn pack(
        &self,
        cache: &Path,
        tokenizer: &dyn Tokenizer,
        window_len: usize,
        seed: u64,
    ) -> Result<(PackedWindows, Vec<RealisedSource>), DataError> {
        let token_cache = TokenCache::new(cache);
        let reserve = self.reserve();
        let mut tokens = Vec::new();
        let mut per_source = Vec::new();
        let mut bounds = Vec::new();
        for (k, (source, files)) in self.sources.iter().zip(self.files(cache)).enumerate() {
            let base = tokens.len();
            tokens.extend(token_cache.stream(&source.name, &files, tokenizer, reserve)?);
            let count = (tokens.len() - base) / window_len;
            tokens.truncate(base + count * window_len);
            if count <= self.validation_windows {
                return Err(DataError::TooSmall(format!(
                    "source {} has {count} windows of {window_len} tokens; {} are held out for validation",
                    source.name, self.validation_windows
                )));
            }
            let order: Vec<usize> =
                SplitMix64::new(seed, 1 + k as u64).permutation(count).into_iter().map(|w| base + w * window_len).collect();
            per_source.push(order);
            bounds.push((source.name.clone(), tokens.len()));
        }
        let validation: Vec<usize> = per_source.iter().flat_map(|o| o[..self.validation_windows].iter().copied()).collect();
        let mut queues: Vec<std::slice::Iter<usize>> = per_source.iter().map(|o| o[self.validation_windows..].iter()).collect();
        let mut left: Vec<usize> = per_source.iter().map(|o| o.len() - self.validation_windows).collect();
        let mut taken = vec![0usize; self.sources.len()];
        let mut rng = SplitMix64::new(seed, 0);
        let mut train = Vec::new();
        loop {
            let total: f64 = self.sources.iter().zip(&left).filter(|(_, &n)| n > 0).map(|(s, _)| s.weight).sum();
            if total == 0.0 {
                break;
            }
            let mut draw = rng.next_f64() * total;
            let k = (0..self.sources.len())
                .filter(|&k| left[k] > 0)
                .find(|&k| {
                    draw -= self.sources[k].weight;
                    draw < 0.0
                })
                .unwrap_or_else(|| (0..self.sources.len()).rev().find(|&k| left[k] > 0).expect("a source has windows left"));
            train.push(*queues[k].next().expect("counted"));
            left[k] -= 1;
            taken[k] += 1;
        }
        let weights: f64 = self.sources.iter().map(|s| s.weight).sum();
        let realised = self
            .sources
            .iter()
            .zip(&taken)
            .map(|(s, &n)| RealisedSource {
                name: s.name.clone(),
                target_share: s.weight / weights,
                train_windows: n,
                validation_windows: self.validation_windows,
            })
            .collect();
        Ok((PackedWindows::from_starts(tokens, window_len, train, validation, bounds), realised))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ByteTokenizer;

    fn write_source(dir: &Path, name: &str, docs: usize, letter: char) -> PathBuf {
        let path = dir.join(format!("{name}.jsonl"));
        let text: String = (0..docs).map(|i| format!("{{\"text\": \"{}\"}}\n", letter.to_string().repeat(20 + i % 13))).collect();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn mix(dir: &Path, weights: [f64; 2]) -> Mix {
        Mix {
            sources: vec![
                MixSource { name: "a".into(), weight: weights[0], files: vec![write_source(dir, "a", 4000, 'a')] },
                MixSource { name: "b".into(), weight: weights[1], files: vec![write_source(dir, "b", 4000, 'b')] },
            ],
            validation_windows: 4,
            reserve_eval_documents: false,
        }
    }

    #[test]
    fn weights_are_realised_in_every_prefix_and_the_order_is_seeded() {
        let dir = std::env::temp_dir().join(format!("ladder-data-mix-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let m = mix(&dir, [3.0, 1.0]);
        let (packed, realised) = m.pack(&dir, &ByteTokenizer, 32, 6198).unwrap();
        assert_eq!(realised.len(), 2);
        // Among the first 1000 windows, source a's share is 3/4 within sampling noise.
        let prefix = packed.realised_mix(1000);
        let share = prefix[0].1 as f64 / (prefix[0].1 + prefix[1].1) as f64;
        assert!((share - 0.75).abs() < 0.04, "{prefix:?}");
        // Window contents tell the source: 'a' windows hold only a/EOS.
        let first = packed.batch(0, 8).unwrap();
        assert!(first.iter().all(|&t| t == 97 || t == 98 || t == ByteTokenizer::EOS));
        // Same seed, same order; another seed, another order; validation is per source.
        let (again, _) = m.pack(&dir, &ByteTokenizer, 32, 6198).unwrap();
        assert_eq!(again.batch(3, 16).unwrap(), packed.batch(3, 16).unwrap());
        let (other, _) = m.pack(&dir, &ByteTokenizer, 32, 7).unwrap();
        assert_ne!(other.batch(0, 16).unwrap(), packed.batch(0, 16).unwrap());
        assert_eq!(packed.validation_windows(), 8);
        let held = packed.validation_by_source();
        assert_eq!(held.iter().map(|(name, w)| (*name, w.len())).collect::<Vec<_>>(), vec![("a", 4), ("b", 4)]);
        assert!(held[1].1.iter().all(|w| w.iter().all(|&t| t == 98 || t == ByteTokenizer::EOS)));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn inline_weights_keep_the_base_mixs_settings_and_files() {
        let base = Mix {
            sources: vec![MixSource { name: "a".into(), weight: 1.0, files: vec![PathBuf::from("a.jsonl")] }],
            validation_windows: 3,
            reserve_eval_documents: true,
        };
        let weights = std::collections::BTreeMap::from([("b".to_string(), 2.0), ("a".to_string(), 6.0)]);
        let mix = Mix::with_weights(Some(&base), &weights, Path::new("w")).unwrap();
        assert_eq!((mix.validation_windows, mix.reserve_eval_documents), (3, true));
        assert_eq!(mix.sources.iter().map(|s| (s.name.as_str(), s.weight)).collect::<Vec<_>>(), vec![("a", 6.0), ("b", 2.0)]);
        assert_eq!((mix.sources[0].files.len(), mix.sources[1].files.len()), (1, 0));
        assert_eq!(mix.target_share("a"), Some(0.75));
        let plain = Mix::with_weights(None, &weights, Path::new("w")).unwrap();
        assert_eq!((plain.validation_windows, plain.reserve_eval_documents), (8, false));
    }

    #[test]
    fn bad_mixes_are_refused() {
        let dir = std::env::temp_dir().join(format!("ladder-data-badmix-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mix.toml");
        std::fs::write(&path, "[[source]]\nname = \"a\"\nweight = 0\n").unwrap();
        assert!(Mix::load(&path).unwrap_err().to_string().contains("positive"));
        std::fs::write(&path, "[[source]]\nname = \"a\"\n").unwrap();
        let err = Mix::load(&path).unwrap_err().to_string();
        assert!(err.contains("mix.toml") && err.contains("weight"), "{err}");
        // A misspelt key is refused, not ignored (`file` for `files` would train on the corpus).
        std::fs::write(&path, "[[source]]\nname = \"a\"\nweight = 1\nfile = [\"x.jsonl\"]\n").unwrap();
        let err = Mix::load(&path).unwrap_err().to_string();
        assert!(err.contains("mix.toml") && err.contains("unknown field `file`"), "{err}");
        std::fs::write(&path, "validaton_windows = 4\n[[source]]\nname = \"a\"\nweight = 1\n").unwrap();
        assert!(Mix::load(&path).unwrap_err().to_string().contains("unknown field `validaton_windows`"));
        // Inline weights are checked like a file's, and named by where they come from.
        let weights = std::collections::BTreeMap::from([("a".to_string(), 1.0), ("b".to_string(), -2.0)]);
        let err = Mix::with_weights(None, &weights, Path::new("exp.toml [[recipe]] x")).unwrap_err().to_string();
        assert!(err.contains("exp.toml [[recipe]] x") && err.contains("source b") && err.contains("positive"), "{err}");
        assert!(Mix::with_weights(None, &Default::default(), Path::new("w")).unwrap_err().to_string().contains("at least one"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
