//! Task registry: which columns make a task, with which weights, and its chance level.
//!
//! A task is a weighted mean over one or more *instances* (`hellaswag_val`, the four
//! `mmlu_*_test` subsets, ...). A [`Feature`] maps an instance to the column that holds one
//! metric of it (method.md §1.3–1.4).

use crate::error::{LadderError, Result};

/// The C4 validation loss column (task independent).
pub const C4_COLUMN: &str = "eval/c4_en-validation/CrossEntropyLoss";

/// MMLU subset weights of `mmlu_avg_*_5shot` (sum 1.0).
const MMLU_WEIGHTS: [(&str, f64); 4] = [("stem", 0.215), ("humanities", 0.335), ("social_sciences", 0.219), ("other", 0.231)];

/// Single-instance tasks of the registry, in no particular order.
const SINGLE_INSTANCES: &[&str] = &[
    "hellaswag_val",
    "arc_easy_val",
    "arc_easy_test",
    "arc_challenge_val",
    "arc_challenge_test",
    "boolq_val",
    "csqa_val",
    "openbookqa_val",
    "openbookqa_test",
    "piqa_val",
    "socialiqa_val",
    "winogrande_val",
];

/// The paper's 8 tasks, in the order of its tables.
pub const V2_MAIN: &[&str] = &[
    "mmlu_avg_test_5shot",
    "hellaswag_val_5shot",
    "arc_challenge_test_5shot",
    "arc_easy_test_5shot",
    "piqa_val_5shot",
    "csqa_val_5shot",
    "socialiqa_val_5shot",
    "openbookqa_test_5shot",
];

/// The 10 tasks of the variance analysis, in the order of the paper's script.
pub const V2_MAIN_VARIANCE: &[&str] = &[
    "mmlu_avg_test_5shot",
    "hellaswag_val_5shot",
    "arc_easy_test_5shot",
    "arc_challenge_test_5shot",
    "boolq_val_5shot",
    "csqa_val_5shot",
    "openbookqa_test_5shot",
    "piqa_val_5shot",
    "socialiqa_val_5shot",
    "winogrande_val_5shot",
];

/// The sources of the micro mix, each with a cloze and a continuation task in the `micro` set.
pub const MICRO_SOURCES: &[&str] = &["wiki_vital", "sotu", "mobydick", "fortunes", "jargon", "wordnet", "pydocs", "pycode"];

/// The families of micro tasks built from a source's reserved documents (`ladder-data`'s
/// `micro` module): four choices each, so chance is 0.25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MicroFamily {
    /// Next-word cloze with frequency-matched distractor words.
    Cloze,
    /// The true next span against length-matched spans of other documents.
    Continuation,
}

impl MicroFamily {
    /// Both families.
    pub const ALL: [MicroFamily; 2] = [MicroFamily::Cloze, MicroFamily::Continuation];

    /// The family's part of a task key (`micro_cloze_<source>`, `micro_cont_<source>`).
    pub fn name(self) -> &'static str {
        match self {
            MicroFamily::Cloze => "cloze",
            MicroFamily::Continuation => "cont",
        }
    }

    /// The registry key of this family's task on `source`.
    pub fn key(self, source: &str) -> String {
        format!("micro_{}_{source}", self.name())
    }
}

/// A multiple-choice task: a weighted set of instances plus its accuracy range.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Registry key, e.g. `hellaswag_val_5shot`.
    pub key: String,
    /// Instances with weights (`[("hellaswag_val", 1.0)]`).
    pub instances: Vec<(String, f64)>,
    /// Shots in the prompt (5 for the paper's tasks, 0 for micro tasks): part of every column.
    pub shots: u8,
    /// Chance-level accuracy (the sigmoid's floor in step 2).
    pub minimum: f64,
    /// Best possible accuracy.
    pub maximum: f64,
}

impl Task {
    /// Looks a task up by key (`mmlu_avg_test_5shot`, `piqa_val_5shot`, ...).
    pub fn get(key: &str) -> Result<Task> {
        if let Some(split) = key.strip_prefix("mmlu_avg_").and_then(|s| s.strip_suffix("_5shot")).filter(|s| *s == "test" || *s == "val") {
            return Ok(Task {
                key: key.to_string(),
                instances: MMLU_WEIGHTS.iter().map(|(subject, w)| (format!("mmlu_{subject}_{split}"), *w)).collect(),
                shots: 5,
                minimum: 0.25,
                maximum: 1.0,
            });
        }
        if let Some(rest) = key.strip_prefix("micro_") {
            let family =
                MicroFamily::ALL.into_iter().find(|f| rest.strip_prefix(f.name()).is_some_and(|s| s.len() > 1 && s.starts_with('_')));
            if family.is_some() {
                return Ok(Task { key: key.to_string(), instances: vec![(key.to_string(), 1.0)], shots: 0, minimum: 0.25, maximum: 1.0 });
            }
        }
        let instance = key.strip_suffix("_5shot").filter(|i| SINGLE_INSTANCES.contains(i));
        match instance {
            Some(instance) => Ok(Task {
                key: key.to_string(),
                instances: vec![(instance.to_string(), 1.0)],
                shots: 5,
                minimum: chance_level(instance),
                maximum: 1.0,
            }),
            None => Err(LadderError::UnknownTask { key: key.to_string(), known: Task::known_keys().join(", ") }),
        }
    }

    /// Every key the registry knows.
    pub fn known_keys() -> Vec<String> {
        let mut keys = vec!["mmlu_avg_test_5shot".to_string(), "mmlu_avg_val_5shot".to_string()];
        keys.extend(SINGLE_INSTANCES.iter().map(|i| format!("{i}_5shot")));
        keys.push("micro_<cloze|cont>_<source>".to_string());
        keys
    }

    /// The request-dump label of one of its instances (`hellaswag_val` → `hellaswag_val_rc_5shot`,
    /// `micro_cloze_sotu` → `micro_cloze_sotu_rc_0shot`).
    pub fn label(&self, instance: &str) -> String {
        format!("{instance}_rc_{}shot", self.shots)
    }

    /// Human-readable name used by the paper's variance table.
    pub fn display_name(&self) -> &str {
        let base = self.key.split('_').next().unwrap_or(&self.key);
        match (base, self.key.as_str()) {
            ("mmlu", _) => "MMLU",
            ("hellaswag", _) => "HellaSwag",
            (_, k) if k.starts_with("arc_challenge") => "ARC-Challenge",
            (_, k) if k.starts_with("arc_easy") => "ARC-Easy",
            ("piqa", _) => "PIQA",
            ("csqa", _) => "CommonsenseQA",
            ("socialiqa", _) => "Social IQa",
            ("openbookqa", _) => "OpenBookQA",
            ("boolq", _) => "BoolQ",
            ("micro", k) => k.strip_prefix("micro_").unwrap_or(k),
            ("winogrande", _) => "Winogrande",
            _ => &self.key,
        }
    }

    /// Column names and weights of this task for one feature.
    pub fn columns(&self, feature: Feature) -> Vec<(String, f64)> {
        self.instances.iter().map(|(instance, w)| (feature.column(instance, self.shots), *w)).collect()
    }
}

/// Chance level of an instance (`task_minimum` of the reference code).
fn chance_level(instance: &str) -> f64 {
    match instance.split('_').next().unwrap_or("") {
        "piqa" | "boolq" | "winogrande" => 0.5,
        "socialiqa" => 1.0 / 3.0,
        "csqa" => 0.2,
        _ => 0.25,
    }
}

/// A named list of tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSet {
    /// Set name (`v2_main`).
    pub name: String,
    /// The tasks, in table order.
    pub tasks: Vec<Task>,
}

impl TaskSet {
    /// Looks a task set up: `v2_main`, `v2_main_variance`, `micro` (cloze and continuation on
    /// every source of [`MICRO_SOURCES`]), or comma-separated task keys.
    pub fn get(name: &str) -> Result<TaskSet> {
        let micro: Vec<String> = MICRO_SOURCES.iter().flat_map(|s| MicroFamily::ALL.map(|f| f.key(s))).collect();
        let keys: Vec<&str> = match name {
            "v2_main" => V2_MAIN.to_vec(),
            "v2_main_variance" => V2_MAIN_VARIANCE.to_vec(),
            "micro" => micro.iter().map(String::as_str).collect(),
            list if list.contains(',') || list.ends_with("_5shot") || list.starts_with("micro_") => {
                list.split(',').map(str::trim).collect()
            }
            _ => {
                return Err(LadderError::UnknownTaskSet {
                    name: name.to_string(),
                    known: "v2_main, v2_main_variance, micro, or comma-separated task keys".to_string(),
                })
            }
        };
        let tasks = keys.into_iter().map(Task::get).collect::<Result<_>>()?;
        Ok(TaskSet { name: name.to_string(), tasks })
    }
}

/// A per-checkpoint quantity derived from a task's columns (the paper's `-x`/`-y` metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Bits per byte of the correct continuation (the paper's intermediate feature).
    RcBpb,
    /// Ranked-classification accuracy (length-normalised; raw accuracy for BoolQ).
    RcAcc,
    /// C4 validation loss (task independent).
    C4,
    /// Task cross-entropy: the negated `soft_log` score of the correct choice ("TaskCE").
    RcSoftLog,
    /// Multiple-choice-format accuracy (target models only).
    McAcc,
}

/// A task loss: a feature step 1 predicts and step 2 maps to accuracy (lower is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum TaskLoss {
    /// Bits per byte of the correct continuation.
    RcBpb,
    /// Task cross-entropy (TaskCE).
    RcSoftLog,
    /// C4 validation loss.
    C4,
}

impl TryFrom<String> for TaskLoss {
    type Error = String;

    fn try_from(name: String) -> std::result::Result<TaskLoss, String> {
        match Feature::parse(&name) {
            Some(Feature::RcBpb) => Ok(TaskLoss::RcBpb),
            Some(Feature::RcSoftLog) => Ok(TaskLoss::RcSoftLog),
            Some(Feature::C4) => Ok(TaskLoss::C4),
            _ => Err(format!("feature must be a task loss (rc_bpb, rc_soft_log or c4), found `{name}`")),
        }
    }
}

impl From<TaskLoss> for Feature {
    fn from(loss: TaskLoss) -> Feature {
        match loss {
            TaskLoss::RcBpb => Feature::RcBpb,
            TaskLoss::RcSoftLog => Feature::RcSoftLog,
            TaskLoss::C4 => Feature::C4,
        }
    }
}

impl Feature {
    /// Every feature, in the order of their names.
    pub const ALL: [Feature; 5] = [Feature::RcBpb, Feature::RcAcc, Feature::C4, Feature::RcSoftLog, Feature::McAcc];

    /// The reference code's name of the feature (`rc_bpb`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Feature::RcBpb => "rc_bpb",
            Feature::RcAcc => "rc_acc",
            Feature::C4 => "c4",
            Feature::RcSoftLog => "rc_soft_log",
            Feature::McAcc => "mc_acc",
        }
    }

    /// Parses a feature name.
    pub fn parse(name: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether column values are negated (TaskCE is stored as a negative log score).
    pub fn negated(self) -> bool {
        matches!(self, Feature::RcSoftLog)
    }

    /// Whether larger values mean a better model (accuracies) rather than a lower loss.
    pub fn is_accuracy(self) -> bool {
        matches!(self, Feature::RcAcc | Feature::McAcc)
    }

    /// The column of this feature for one task instance prompted with `shots` shots.
    ///
    /// Deliberate difference from the reference code (method.md §1.4): BoolQ's TaskCE is read from
    /// its own `soft_log` column; the reference code used the negated BoolQ accuracy.
    pub fn column(self, instance: &str, shots: u8) -> String {
        match self {
            Feature::RcBpb => format!("eval/downstream_bpb/{instance}_rc_{shots}shot_bpb"),
            Feature::RcAcc if instance.starts_with("boolq") => format!("eval/downstream/{instance}_rc_{shots}shot_acc"),
            Feature::RcAcc => format!("eval/downstream/{instance}_rc_{shots}shot_len_norm"),
            Feature::C4 => C4_COLUMN.to_string(),
            Feature::RcSoftLog => format!("eval/downstream_soft_log/{instance}_rc_{shots}shot_soft_log"),
            Feature::McAcc if instance.starts_with("mmlu") => format!("eval/downstream/{instance}_mc_{shots}shot_len_norm"),
            Feature::McAcc => format!("eval/downstream/{instance}_mc_{shots}shot_acc"),
        }
    }
}

impl std::fmt::Display for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mmlu_is_a_weighted_mean_of_four_subsets() {
        let t = Task::get("mmlu_avg_test_5shot").unwrap();
        assert_eq!(t.instances.len(), 4);
        let total: f64 = t.instances.iter().map(|(_, w)| w).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert_eq!(t.columns(Feature::RcBpb)[0].0, "eval/downstream_bpb/mmlu_stem_test_rc_5shot_bpb");
    }

    #[test]
    fn chance_levels_follow_the_reference() {
        assert_eq!(Task::get("piqa_val_5shot").unwrap().minimum, 0.5);
        assert_eq!(Task::get("csqa_val_5shot").unwrap().minimum, 0.2);
        assert!((Task::get("socialiqa_val_5shot").unwrap().minimum - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(Task::get("hellaswag_val_5shot").unwrap().minimum, 0.25);
    }

    #[test]
    fn boolq_accuracy_is_raw_accuracy() {
        assert_eq!(Feature::RcAcc.column("boolq_val", 5), "eval/downstream/boolq_val_rc_5shot_acc");
        assert_eq!(Feature::RcAcc.column("piqa_val", 5), "eval/downstream/piqa_val_rc_5shot_len_norm");
    }

    #[test]
    fn micro_tasks_are_zero_shot_with_four_choices() {
        let t = Task::get("micro_cloze_wiki_vital").unwrap();
        assert_eq!((t.minimum, t.shots), (0.25, 0));
        assert_eq!(t.label("micro_cloze_wiki_vital"), "micro_cloze_wiki_vital_rc_0shot");
        assert_eq!(t.columns(Feature::RcBpb)[0].0, "eval/downstream_bpb/micro_cloze_wiki_vital_rc_0shot_bpb");
        assert_eq!(Task::get("micro_cont_pycode").unwrap().minimum, 0.25);
        assert!(Task::get("micro_cloze").is_err() && Task::get("micro_other_x").is_err());
        let set = TaskSet::get("micro").unwrap();
        assert_eq!(set.tasks.len(), 2 * MICRO_SOURCES.len());
        assert_eq!(TaskSet::get("micro_cloze_sotu,micro_cont_sotu").unwrap().tasks.len(), 2);
    }

    #[test]
    fn unknown_task_lists_the_known_ones() {
        let err = Task::get("nope_5shot").unwrap_err().to_string();
        assert!(err.contains("unknown task `nope_5shot`") && err.contains("hellaswag_val_5shot"), "{err}");
        assert!(TaskSet::get("v3").is_err());
        assert_eq!(TaskSet::get("piqa_val_5shot, csqa_val_5shot").unwrap().tasks.len(), 2);
        let err = TaskSet::get("piqa_val_5shot,piqa_5shot").unwrap_err().to_string();
        assert!(err.contains("unknown task `piqa_5shot`"), "{err}");
        assert_eq!(TaskSet::get("v2_main").unwrap().tasks.len(), 8);
    }
}
