//! An in-memory ladder: config entries (model sizes or targets), each with its runs, each run
//! a sequence of evaluated checkpoints with named metric columns.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::{LadderError, Result};
use crate::task::{Feature, Task};

/// Whether an entry is fitted on (`Train`) or only predicted (`Eval`, a target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Part of the ladder: used to fit.
    Train,
    /// A prediction target: never fitted.
    Eval,
}

impl Mode {
    /// `train` or `eval`, as in the configs.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Train => "train",
            Mode::Eval => "eval",
        }
    }
}

/// Per-checkpoint values of one run: tokens seen and one column per metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoints {
    /// Training step of each checkpoint, when known.
    pub steps: Option<Vec<f64>>,
    /// Tokens seen D at each checkpoint.
    pub tokens: Vec<f64>,
    /// Metric columns in file order: (name, one value per checkpoint).
    pub metrics: Vec<(String, Vec<f64>)>,
}

/// One training run (one CSV of the OLMo-ladder data, or one of our own runs).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Run name (the file stem, e.g. `190M-1xC`).
    pub name: String,
    /// Where the data came from (named in errors).
    pub source: PathBuf,
    /// Its token budget as a multiple of 20 tokens per parameter (xC), when the data says.
    pub multiplier: Option<f64>,
    /// The checkpoints.
    pub checkpoints: Checkpoints,
    index: HashMap<String, usize>,
}

impl Run {
    /// Builds a run; metric names must be unique.
    pub fn new(name: impl Into<String>, source: impl Into<PathBuf>, checkpoints: Checkpoints) -> Run {
        let index = checkpoints.metrics.iter().enumerate().map(|(i, (m, _))| (m.clone(), i)).collect();
        Run { name: name.into(), source: source.into(), multiplier: None, checkpoints, index }
    }

    /// The same run with its token-budget multiplier (xC).
    pub fn with_multiplier(mut self, multiplier: Option<f64>) -> Run {
        self.multiplier = multiplier;
        self
    }

    /// Number of checkpoints.
    pub fn len(&self) -> usize {
        self.checkpoints.tokens.len()
    }

    /// Whether the run has no checkpoints.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Tokens seen at the last checkpoint.
    pub fn final_tokens(&self) -> f64 {
        self.checkpoints.tokens.last().copied().unwrap_or(f64::NAN)
    }

    /// The values of one metric column.
    pub fn metric(&self, column: &str) -> Option<&[f64]> {
        self.index.get(column).map(|&i| self.checkpoints.metrics[i].1.as_slice())
    }

    /// Per-checkpoint value of a task feature: weighted mean over the task's columns, negated
    /// for TaskCE.
    pub fn task_values(&self, task: &Task, feature: Feature) -> Result<Vec<f64>> {
        let columns = task.columns(feature);
        let total: f64 = columns.iter().map(|(_, w)| w).sum();
        let sign = if feature.negated() { -1.0 } else { 1.0 };
        let mut out = vec![0.0; self.len()];
        for (column, weight) in &columns {
            let values = self.metric(column).ok_or_else(|| LadderError::MissingColumn {
                path: self.source.clone(),
                column: column.clone(),
                hint: format!(" (needed for feature {feature} of task {})", task.key),
            })?;
            for (o, v) in out.iter_mut().zip(values) {
                *o += weight * v;
            }
        }
        Ok(out.into_iter().map(|v| sign * v / total).collect())
    }

    /// The checkpoints where a task feature has a value (a checkpoint missing any of the task's
    /// columns, NaN in a W&B export, is left out): their tokens and values. A run without any is
    /// an error naming it.
    pub fn finite_task_values(&self, task: &Task, feature: Feature) -> Result<(Vec<f64>, Vec<f64>)> {
        let values = self.task_values(task, feature)?;
        let (tokens, values): (Vec<f64>, Vec<f64>) = self.checkpoints.tokens.iter().zip(values).filter(|(_, v)| v.is_finite()).unzip();
        if values.is_empty() {
            return Err(LadderError::NoValues {
                path: self.source.clone(),
                column: format!("{feature} of {} (run {})", task.key, self.name),
            });
        }
        Ok((tokens, values))
    }
}

/// One config entry: a model size of the ladder, or a target.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Entry name (`190M`, `7B-4T`).
    pub name: String,
    /// Train (ladder) or eval (target).
    pub mode: Mode,
    /// Non-embedding parameter count N.
    pub n: f64,
    /// FLOPs per token F.
    pub flops_per_token: f64,
    /// The entry's runs, in config order.
    pub runs: Vec<Run>,
}

/// A ladder: entries in config order (order matters: see method.md §14.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ladder {
    /// The entries.
    pub entries: Vec<Entry>,
}

impl Entry {
    /// Training compute of the entry's runs: FLOPs per token × each run's final tokens, summed
    /// (the FLOPs of method.md §7).
    pub fn compute(&self) -> f64 {
        self.runs.iter().map(|r| self.flops_per_token * r.final_tokens()).sum()
    }
}

impl Ladder {
    /// Training compute of every run used for fitting (see [`Entry::compute`]).
    pub fn train_compute(&self) -> f64 {
        self.train_entries().map(Entry::compute).sum()
    }

    /// Entries used for fitting.
    pub fn train_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.mode == Mode::Train)
    }

    /// Looks an entry up by name.
    pub fn entry(&self, name: &str) -> Result<&Entry> {
        self.entries.iter().find(|e| e.name == name).ok_or_else(|| LadderError::UnknownEntry {
            name: name.to_string(),
            known: self.entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", "),
        })
    }

    /// A target: an eval entry by name (a train entry or an unknown name is an error that lists
    /// the targets).
    pub fn target(&self, name: &str) -> Result<&Entry> {
        let targets = || self.entries.iter().filter(|e| e.mode == Mode::Eval).map(|e| e.name.as_str()).collect::<Vec<_>>().join(", ");
        match self.entries.iter().find(|e| e.name == name) {
            Some(e) if e.mode == Mode::Eval => Ok(e),
            _ => Err(LadderError::NotATarget { name: name.to_string(), targets: targets() }),
        }
    }

    /// A ladder restricted to the given train runs (by run name), keeping every eval entry.
    pub fn with_train_runs(&self, keep: impl Fn(&Entry, &Run) -> bool) -> Ladder {
        let entries = self
            .entries
            .iter()
            .filter_map(|e| {
                let runs: Vec<Run> = e.runs.iter().filter(|r| e.mode == Mode::Eval || keep(e, r)).cloned().collect();
                (!runs.is_empty()).then(|| Entry { runs, ..e.clone() })
            })
            .collect();
        Ladder { entries }
    }
}
