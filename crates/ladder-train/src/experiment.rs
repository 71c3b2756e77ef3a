//! Ladder experiment files (TOML): which rungs at which multipliers, the reruns and the targets,
//! on which data, evaluated on which tasks. `ladder run FILE` trains every run of one.
//!
//! ```toml
//! name = "micro-ladder"          # the OLMo-ladder config written: OUT/configs/<name>.json
//! mix = "micro-mix.toml"         # relative to this file (or: data = ["a.jsonl", ...])
//! tokenizer = "bpe:1024"         # bytes, cl100k, gpt2, a tokenizer.json, or bpe:<entries>
//!                                # (trained once on the mix into WORK/tokenizer.json)
//! tasks = "v2_main"              # in-loop tasks (omit: held-out loss only)
//! task_limit = 100               # questions per task (fixed subset)
//! evals = 24                     # evaluations per run (default: 30 for micro rungs, the paper's
//!                                # interval for paper rungs)
//! work = "runs/micro-ladder"     # run folders (checkpoints); relative to the working directory
//! out = "results/micro-ladder"   # collected tables; relative to the working directory
//!
//! [[rung]]
//! size = "u100k"
//! multipliers = [0.5, 1, 2, 5, 10]
//! rerun = [1]                    # these multipliers again with other seeds (`-rerun`)
//!
//! [[target]]
//! size = "u400k"
//! multiplier = 10
//! gpus = 1                       # resources per run on a cluster (also on [[rung]]):
//! time = "04:00:00"              # gpus, cpus, mem, time
//!
//! [[recipe]]                     # optional: data recipes, each training every rung and target
//! name = "code"                  # runs in WORK/code/, tables collected into OUT/code/
//! mix = "code-mix.toml"          # a mix file, or inline weights over prepared sources that keep
//!                                # `mix`'s held-out windows and reserved documents (`mix` is
//! [[recipe]]                     # then also what a `bpe:` tokenizer shared by the recipes is
//! name = "dictionary"            # trained on)
//! weights = { wordnet = 6, jargon = 1, wiki_vital = 1 }
//!
//! [slurm]                        # `ladder run --executor slurm` (all optional)
//! partition = "gpu"
//! cpus = 8                       # defaults for runs that set none
//! mem = "32G"
//! max_attempts = 3               # submissions before a run counts as failing
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ladder_data::{Mix, TokenizerSpec};
use ladder_schedule::{RuleChanges, RunPlan};
use serde::Deserialize;

use crate::config::{TaskEvalConfig, TrainConfig, TrainData};
use crate::TrainError;

/// What one run asks of a cluster node (Slurm's `--gpus`, `--cpus-per-task`, `--mem`,
/// `--time`); unset fields fall back to the `[slurm]` table, then to Slurm's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// GPUs per run.
    #[serde(default)]
    pub gpus: Option<u32>,
    /// CPU cores per run.
    #[serde(default)]
    pub cpus: Option<u32>,
    /// Memory per run (`8G`).
    #[serde(default)]
    pub mem: Option<String>,
    /// Wall-clock limit per run (`02:00:00`).
    #[serde(default)]
    pub time: Option<String>,
}

impl Resources {
    /// These resources with the unset ones taken from `defaults`.
    pub fn or(&self, defaults: &Resources) -> Resources {
        Resources {
            gpus: self.gpus.or(defaults.gpus),
            cpus: self.cpus.or(defaults.cpus),
            mem: self.mem.clone().or_else(|| defaults.mem.clone()),
            time: self.time.clone().or_else(|| defaults.time.clone()),
        }
    }
}

/// A rung and its multipliers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RungSpec {
    /// Size name (`u100k`, ... or a paper size).
    pub size: String,
    /// Token-budget multipliers (xC).
    pub multipliers: Vec<f64>,
    /// Multipliers trained a second time with other seeds.
    #[serde(default)]
    pub rerun: Vec<f64>,
    /// What each of its runs needs on a cluster.
    #[serde(flatten)]
    pub resources: Resources,
}

/// A model the ladder predicts: trained like a rung, held out of every fit.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// Size name.
    pub size: String,
    /// Token-budget multiplier.
    pub multiplier: f64,
    /// What it needs on a cluster.
    #[serde(flatten)]
    pub resources: Resources,
}

/// A data recipe (`[[recipe]]`): a mix every rung and target of the experiment is trained on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeSpec {
    /// Recipe name: its runs' folder under `work` and its tables' folder under `out`
    /// (letters, digits, `-`, `_`).
    pub name: String,
    /// A mix file (relative to the experiment file).
    #[serde(default)]
    pub mix: Option<PathBuf>,
    /// Or inline weights over prepared sources, with the experiment `mix`'s settings.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
}

fn default_attempts() -> u32 {
    3
}

fn default_poll() -> u64 {
    10
}

/// The `[slurm]` table: cluster settings of `ladder run --executor slurm`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlurmSpec {
    /// Partition (`--partition`).
    #[serde(default)]
    pub partition: Option<String>,
    /// Account (`--account`).
    #[serde(default)]
    pub account: Option<String>,
    /// Further `#SBATCH` options, written as given (`--qos=high`).
    #[serde(default)]
    pub options: Vec<String>,
    /// Submissions of one run before it counts as failing for good.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// Seconds between looks at the queue.
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
    /// Resources of runs whose rung sets none.
    #[serde(flatten)]
    pub resources: Resources,
}

impl Default for SlurmSpec {
    fn default() -> Self {
        Self {
            partition: None,
            account: None,
            options: Vec::new(),
            max_attempts: default_attempts(),
            poll_seconds: default_poll(),
            resources: Resources::default(),
        }
    }
}

fn default_seed() -> u64 {
    ladder_schedule::plan::PAPER_SEED
}

fn default_tokenizer() -> TokenizerSpec {
    TokenizerSpec::Bytes
}

fn default_validation() -> usize {
    ladder_data::windows::VALIDATION_WINDOWS
}

/// An experiment file, as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderExperiment {
    /// Name of the ladder (the OLMo-ladder config's file name).
    pub name: String,
    /// A mix file of prepared sources (relative to the experiment file).
    #[serde(default)]
    pub mix: Option<PathBuf>,
    /// Plain data files instead of a mix (relative to the experiment file).
    #[serde(default)]
    pub data: Vec<PathBuf>,
    /// The `ladder data prepare` cache (default: $LADDER_DATA_CACHE, else ~/.cache/task-ladder/data).
    #[serde(default)]
    pub cache: Option<PathBuf>,
    /// Tokenizer name, a tokenizer.json, or `bpe:<entries>` (trained on the mix).
    #[serde(default = "default_tokenizer")]
    pub tokenizer: TokenizerSpec,
    /// Bytes of mix text a `bpe:` tokenizer is trained on.
    #[serde(default)]
    pub tokenizer_sample_bytes: Option<usize>,
    /// Seed of the weights (reruns add 1).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Seed of the window order, shared by every run (reruns add 1).
    #[serde(default = "default_seed")]
    pub data_seed: u64,
    /// In-loop tasks (a task set or OLMo labels).
    #[serde(default)]
    pub tasks: Option<String>,
    /// Questions per task.
    #[serde(default)]
    pub task_limit: Option<usize>,
    /// Evaluations per run (none: the rung's ladder cadence, 30 for micro rungs).
    #[serde(default)]
    pub evals: Option<u64>,
    /// Held-out windows of `data` files (a mix holds out its own `validation_windows` per
    /// source).
    #[serde(default = "default_validation")]
    pub validation_windows: usize,
    /// Training sequence length instead of the rules' (the rules keep their form).
    #[serde(default)]
    pub seq_len: Option<usize>,
    /// One factor on every rung's peak LR.
    #[serde(default)]
    pub lr_multiplier: Option<f64>,
    /// Folder of the run folders.
    pub work: PathBuf,
    /// Folder of the collected tables.
    pub out: PathBuf,
    /// The ladder's rungs.
    #[serde(default, rename = "rung")]
    pub rungs: Vec<RungSpec>,
    /// The held-out targets.
    #[serde(default, rename = "target")]
    pub targets: Vec<TargetSpec>,
    /// Data recipes: each trains every rung and target on its own mix (none: `mix` or `data`).
    #[serde(default, rename = "recipe")]
    pub recipes: Vec<RecipeSpec>,
    /// Cluster settings.
    #[serde(default)]
    pub slurm: SlurmSpec,
    /// The folder of the file (relative paths in it resolve against this).
    #[serde(skip)]
    pub base: PathBuf,
}

/// One run of an experiment: its config and folder, and whether it is a target.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRun {
    /// Its name within the experiment: the run id, prefixed `<recipe>/` in a recipe experiment
    /// (what `ladder run --only` takes).
    pub key: String,
    /// The data recipe it trains on, if the experiment has recipes.
    pub recipe: Option<String>,
    /// The resolved training config.
    pub config: TrainConfig,
    /// Its run folder.
    pub dir: PathBuf,
    /// The experiment's folder of collected tables (where a finished run is kept once its run
    /// folder is gone).
    pub out: PathBuf,
    /// A held-out target rather than a rung.
    pub target: bool,
    /// A rerun of its rung at its multiplier with the next seeds (named `<id>-rerun`); the
    /// variance config pairs it with the first run.
    pub rerun: bool,
    /// What it needs on a cluster (the rung's, else the `[slurm]` table's).
    pub resources: Resources,
}

impl LadderExperiment {
    /// Read and check an experiment file.
    pub fn load(path: &Path) -> Result<Self, TrainError> {
        let text = std::fs::read_to_string(path).map_err(|e| TrainError::file(path, e))?;
        let mut experiment: Self = toml::from_str(&text).map_err(|e| TrainError::Data(ladder_data::DataError::toml(path, &text, &e)))?;
        experiment.base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        experiment.check().map_err(|why| TrainError::Config(format!("{}: {why}", path.display())))?;
        Ok(experiment)
    }

    fn check(&self) -> Result<(), String> {
        if self.rungs.is_empty() {
            return Err("no [[rung]]".into());
        }
        if self.mix.is_none() && self.data.is_empty() {
            return Err("no data: give `mix` or `data`".into());
        }
        for r in &self.rungs {
            if r.multipliers.is_empty() {
                return Err(format!("rung {} has no multipliers", r.size));
            }
            if let Some(m) = r.rerun.iter().find(|m| !r.multipliers.contains(m)) {
                return Err(format!("rung {} reruns {m}xC, which is not among its multipliers", r.size));
            }
            if let Some(m) = r.multipliers.iter().find(|m| !(m.is_finite() && **m > 0.0)) {
                return Err(format!("rung {}: multiplier {m} must be positive", r.size));
            }
        }
        if self.evals == Some(0) {
            return Err("evals must be ≥ 1".into());
        }
        for (i, r) in self.recipes.iter().enumerate() {
            if r.name.is_empty() || !r.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(format!("recipe {:?}: a name is letters, digits, '-' and '_' (it names the recipe's folders)", r.name));
            }
            if self.recipes[..i].iter().any(|o| o.name == r.name) {
                return Err(format!("recipe {} is declared twice", r.name));
            }
            if r.mix.is_some() != r.weights.is_empty() {
                return Err(format!("recipe {}: give either `mix` (a mix file) or `weights`, not both or neither", r.name));
            }
        }
        if !self.recipes.is_empty() && !self.data.is_empty() {
            return Err("recipes are mixes of prepared sources; `data` files cannot be combined with [[recipe]]".into());
        }
        Ok(())
    }

    /// The mixes runs train on: one per recipe (with its name), or the experiment's own `mix`
    /// (none with plain `data` files).
    pub fn recipe_mixes(&self) -> Result<Vec<(Option<String>, Option<Mix>)>, TrainError> {
        let base = self.mix.as_ref().map(|m| Mix::load(&self.base.join(m))).transpose()?;
        if self.recipes.is_empty() {
            return Ok(vec![(None, base)]);
        }
        self.recipes
            .iter()
            .map(|r| {
                let mix = match &r.mix {
                    Some(file) => Mix::load(&self.base.join(file))?,
                    None => Mix::with_weights(base.as_ref(), &r.weights, Path::new(&format!("[[recipe]] {}", r.name)))?,
                };
                Ok((Some(r.name.clone()), Some(mix)))
            })
            .collect()
    }

    /// The data cache.
    pub fn cache(&self) -> PathBuf {
        ladder_data::prepare::cache_dir(self.cache.clone())
    }

    /// The tokenizer the runs use: a name or path, with `bpe:<n>` resolved to the file it is
    /// trained into.
    pub fn run_tokenizer(&self) -> TokenizerSpec {
        match &self.tokenizer {
            TokenizerSpec::Bpe { .. } => TokenizerSpec::File(self.work.join("tokenizer.json")),
            TokenizerSpec::File(path) => TokenizerSpec::File(self.base.join(path)),
            named => named.clone(),
        }
    }

    /// Train the `bpe:<n>` tokenizer on the mix unless it exists. Returns whether it trained. An
    /// existing one must have been trained for the same request (entries, sample size, mix:
    /// recorded in `WORK/tokenizer.request.json`); otherwise it is an error, never reused.
    pub fn prepare_tokenizer(&self) -> Result<bool, TrainError> {
        let TokenizerSpec::Bpe { entries } = self.tokenizer else { return Ok(false) };
        let path = self.work.join("tokenizer.json");
        let mix = self.mix.as_ref().ok_or_else(|| {
            TrainError::Config(if self.recipes.is_empty() {
                "a bpe: tokenizer is trained on the mix; give `mix`".into()
            } else {
                "a bpe: tokenizer shared by the recipes is trained on the experiment's `mix`; give one".into()
            })
        })?;
        let mix = ladder_data::Mix::load(&self.base.join(mix))?;
        let sample_bytes = self.tokenizer_sample_bytes.unwrap_or(ladder_data::bpe::SAMPLE_BYTES);
        let request = serde_json::json!({ "entries": entries, "sample_bytes": sample_bytes, "mix": mix });
        let request_path = self.work.join("tokenizer.request.json");
        if path.exists() {
            let recorded: Option<serde_json::Value> =
                std::fs::read_to_string(&request_path).ok().and_then(|t| serde_json::from_str(&t).ok());
            if recorded.as_ref().is_some_and(|r| crate::fingerprint::same_json(r, &request)) {
                return Ok(false);
            }
            return Err(TrainError::Config(format!(
                "{} was trained for {} but the experiment asks for {} (bpe:{entries}, {sample_bytes} bytes of its mix); remove it (and the runs trained with it) to train the tokenizer anew",
                path.display(),
                recorded.map_or_else(|| "another request (none recorded)".to_string(), |r| r.to_string()),
                self.tokenizer
            )));
        }
        let sample = mix.sample_text(&self.cache(), sample_bytes)?;
        let bpe = ladder_data::BpeTokenizer::train(sample.iter().map(String::as_str), entries)?;
        std::fs::create_dir_all(&self.work).map_err(|e| TrainError::file(&self.work, e))?;
        // Written aside and renamed: a run started beside this call never reads half a file.
        let partial = self.work.join(format!(".tokenizer-{}.json", std::process::id()));
        bpe.save(&partial)?;
        ladder_core::fsio::write_atomic(&request_path, serde_json::to_string_pretty(&request).expect("json"))
            .map_err(|e| TrainError::file(&request_path, e))?;
        std::fs::rename(&partial, &path).map_err(|e| TrainError::file(&path, e))?;
        Ok(true)
    }

    /// Every run, per recipe in file order (one pass without recipes): rungs first (in file
    /// order, reruns after their rung), then the targets.
    pub fn runs(&self) -> Result<Vec<PlannedRun>, TrainError> {
        let data: Vec<PathBuf> = self.data.iter().map(|d| self.base.join(d)).collect();
        let tasks = self.tasks.as_ref().map(|t| TaskEvalConfig { tasks: t.clone(), limit: self.task_limit, cache: self.cache() });
        let mut out = Vec::new();
        for (recipe, mix) in self.recipe_mixes()? {
            let (work, collected) = match &recipe {
                Some(r) => (self.work.join(r), self.out.join(r)),
                None => (self.work.clone(), self.out.clone()),
            };
            let mut add = |name: &str, m: f64, rerun: bool, target: bool, resources: &Resources| -> Result<(), TrainError> {
                let changes = RuleChanges { seq_len: self.seq_len, lr_multiplier: self.lr_multiplier };
                let mut plan = RunPlan::of_rung(name, m, changes, self.seed, self.evals).map_err(|e| TrainError::Config(e.to_string()))?;
                let mut data_seed = self.data_seed;
                if rerun {
                    plan = plan.rerun(self.seed + 1);
                    data_seed += 1;
                }
                let source = match &mix {
                    Some(mix) => TrainData::Mix { mix: mix.clone(), cache: self.cache() },
                    None => TrainData::Files(data.clone()),
                };
                let config = TrainConfig::builder(plan, source)
                    .tokenizer(self.run_tokenizer())
                    .data_seed(data_seed)
                    .validation_windows(self.validation_windows)
                    .tasks(tasks.clone())
                    .build()?;
                let id = config.plan.id.clone();
                out.push(PlannedRun {
                    key: recipe.as_ref().map_or_else(|| id.clone(), |r| format!("{r}/{id}")),
                    recipe: recipe.clone(),
                    dir: work.join(&id),
                    out: collected.clone(),
                    rerun,
                    config,
                    target,
                    resources: resources.or(&self.slurm.resources),
                });
                Ok(())
            };
            for r in &self.rungs {
                for &m in &r.multipliers {
                    add(&r.size, m, false, false, &r.resources)?;
                }
                for &m in &r.rerun {
                    add(&r.size, m, true, false, &r.resources)?;
                }
            }
            for t in &self.targets {
                add(&t.size, t.multiplier, false, true, &t.resources)?;
            }
        }
        Ok(out)
    }
}
