//! Experiment files (TOML): which ladder, which designs, tasks and targets, which backtests.
//!
//! ```toml
//! data = "../results/cpu-ladder"  # optional: relative to this file (default: the paper's data)
//! config = "final"                 # configs/<config>.json of the data folder
//! targets = ["13B-5T", "7B-4T"]
//! tasks = "v2_main"                # a task set or comma-separated task keys
//!
//! [[design]]
//! name = "two_step_bpb"
//! kind = "two_step"                # see design::REGISTRY
//! feature = "rc_bpb"
//!
//! [backtest]
//! target = "7B-4T"
//! vary = ["n", "xc", "flops"]
//! designs = ["two_step_bpb"]       # default: every design
//!
//! [variance]                       # method.md §8, for any intermediate feature
//! features = ["rc_bpb", "c4", "rc_soft_log"]
//! config = "final_variance"        # the run whose last checkpoints are measured
//! target = "7B-4T"
//!
//! [decision]                       # `ladder decide`: `data` holds one folder per recipe
//! recipes = ["natural", "code"]    # (each an OLMo-ladder folder with config `config`); the
//! metrics = ["rc_acc", "rc_bpb"]   # one target of `targets`; bootstrap draws, level and seed
//! multiplier_designs = ["two_step_bpb"]   # from [uncertainty]
//! span = 100
//! ```

use std::path::{Path, PathBuf};

use ladder_core::{Feature, Ladder, LadderError, TaskLoss, TaskSet};
use polars::prelude::DataFrame;
use serde::Deserialize;

use crate::ablation::{run_grid, UncertaintySettings};
use crate::backtest::{backtest, Vary};
use crate::decision::{DecideSettings, DecisionOutput, RecipeLadder};
use crate::design::{self, Design};
use crate::paper::variance_analysis;
use crate::predict::{PredictError, Result};
use crate::uncertainty::{coverage_backtest, BootstrapSettings, Resampling};

/// A parsed experiment file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Config of the data folder that holds the ladder and the targets (default `final`).
    #[serde(default = "default_config")]
    pub config: String,
    /// Data folder of the ladder (OLMo-ladder layout), relative to the experiment file's folder
    /// when read with [`Experiment::from_file`]; none means the paper's data
    /// (`$OLMO_LADDER_DATA`, else `../shared/olmo-ladder`).
    #[serde(default)]
    pub data: Option<PathBuf>,
    /// Target entries of the config to predict.
    #[serde(default)]
    pub targets: Vec<String>,
    /// Targets given inline (`[[target]]`): with a `run` file they are backtests (added to the
    /// ladder as eval entries and predicted with the config's targets); without, projections of
    /// an untrained (N, D) ([`crate::project`]).
    #[serde(default, rename = "target")]
    pub inline_targets: Vec<InlineTarget>,
    /// Task set or comma-separated task keys (default `v2_main`).
    #[serde(default = "default_tasks")]
    pub tasks: String,
    /// Design tables (`[[design]]`), each with `name`, `kind` and the kind's parameters.
    #[serde(rename = "design")]
    pub designs: Vec<toml::Table>,
    /// Optional compute-vs-error backtest.
    #[serde(default)]
    pub backtest: Option<BacktestSpec>,
    /// Optional variance analysis.
    #[serde(default)]
    pub variance: Option<VarianceSpec>,
    /// Intervals on the predictions (delta method always; bootstrap and coverage on request).
    #[serde(default)]
    pub uncertainty: UncertaintySpec,
    /// Data-recipe decisions (`ladder decide`).
    #[serde(default)]
    pub decision: Option<DecisionSpec>,
}

/// The `[decision]` table: the recipes `ladder decide` compares.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionSpec {
    /// Recipe names: folders under `data`, each an OLMo-ladder folder with config `config`.
    pub recipes: Vec<String>,
    /// Metrics the recipes are ranked by (default `rc_acc`; also `rc_bpb`, `rc_soft_log`, `c4`).
    #[serde(default = "default_metrics")]
    pub metrics: Vec<Feature>,
    /// Designs whose compute multipliers are computed and bootstrapped (default: the first).
    #[serde(default)]
    pub multiplier_designs: Vec<String>,
    /// Multipliers are searched in [1/span, span] (default 100).
    #[serde(default = "default_span")]
    pub span: f64,
}

fn default_span() -> f64 {
    100.0
}

fn default_metrics() -> Vec<Feature> {
    vec![Feature::RcAcc]
}

/// The `[uncertainty]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySpec {
    /// Interval level (default 0.9).
    #[serde(default = "default_level")]
    pub level: f64,
    /// Bootstrap draws per design × task (default 0: delta-method intervals only).
    #[serde(default)]
    pub draws: usize,
    /// Seed of the bootstrap (default 0).
    #[serde(default)]
    pub seed: u64,
    /// What the bootstrap resamples: `runs` (default) or `checkpoint_residuals`.
    #[serde(default)]
    pub resampling: Resampling,
    /// Designs to bootstrap (default: all).
    #[serde(default)]
    pub designs: Vec<String>,
    /// Also run the coverage backtest (largest rung held out as pseudo-targets).
    #[serde(default)]
    pub coverage: bool,
}

impl Default for UncertaintySpec {
    fn default() -> Self {
        UncertaintySpec { level: default_level(), draws: 0, seed: 0, resampling: Resampling::Runs, designs: Vec::new(), coverage: false }
    }
}

fn default_level() -> f64 {
    crate::uncertainty::DEFAULT_LEVEL
}

impl UncertaintySpec {
    /// The grid's settings.
    pub fn settings(&self) -> UncertaintySettings {
        UncertaintySettings {
            level: self.level,
            bootstrap: (self.draws > 0).then_some(BootstrapSettings {
                draws: self.draws,
                level: self.level,
                seed: self.seed,
                resampling: self.resampling,
            }),
            bootstrap_designs: self.designs.clone(),
        }
    }
}

/// The `[variance]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VarianceSpec {
    /// Intermediate features to analyse (`rc_bpb`, `c4`, `rc_soft_log`).
    pub features: Vec<TaskLoss>,
    /// Config holding the run whose last checkpoints are measured (default `final_variance`).
    #[serde(default = "default_variance_config")]
    pub config: String,
    /// Target of the error columns (default `7B-4T`).
    #[serde(default = "default_variance_target")]
    pub target: String,
}

fn default_variance_config() -> String {
    crate::paper::VARIANCE_CONFIG.into()
}
fn default_variance_target() -> String {
    crate::paper::VARIANCE_TARGET.into()
}

/// The `[backtest]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestSpec {
    /// Target entry.
    pub target: String,
    /// Directions to grow the ladder in.
    pub vary: Vec<Vary>,
    /// Designs to backtest, by name (default: all).
    #[serde(default)]
    pub designs: Vec<String>,
}

fn default_config() -> String {
    crate::paper::LADDER_CONFIG.into()
}
fn default_tasks() -> String {
    "v2_main".into()
}

/// A `[[target]]` table: a target by its scale, optionally with the run file of a trained model.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InlineTarget {
    /// Row label of the target.
    pub name: String,
    /// Parameters N.
    pub n: f64,
    /// Training tokens D (a run file's final tokens when `run` is given and D is not).
    #[serde(default)]
    pub d: Option<f64>,
    /// FLOPs per token (default 6·N).
    #[serde(default)]
    pub flops_per_token: Option<f64>,
    /// An OLMo-ladder run CSV of the trained target (relative to the experiment file's folder).
    #[serde(default)]
    pub run: Option<PathBuf>,
}

/// Everything an experiment produces.
pub struct ExperimentOutput {
    /// One row per design × task × target.
    pub predictions: DataFrame,
    /// One row per direction × level × design × task, if a backtest was asked for.
    pub backtest: Option<DataFrame>,
    /// One variance table per feature of `[variance]`.
    pub variance: Vec<(Feature, DataFrame)>,
    /// Coverage backtest rows, if `[uncertainty] coverage = true`.
    pub coverage: Option<DataFrame>,
    /// Signal and noise of every task over the ladder's runs ([`crate::snr::snr_table`]).
    pub snr: DataFrame,
    /// Projections of the inline targets without a run file, one block per design.
    pub projections: Option<DataFrame>,
    /// The targets predicted: the config's, then the inline ones with run files.
    pub targets: Vec<String>,
}

impl Experiment {
    /// Reads and parses an experiment file, resolving its `data` folder against the file's
    /// folder; errors name the file and line.
    pub fn from_file(path: &Path) -> Result<Experiment> {
        let text = std::fs::read_to_string(path).map_err(|source| LadderError::Io { path: path.to_path_buf(), source })?;
        let mut experiment = Self::parse(&text, path)?;
        if let Some(folder) = path.parent() {
            if let Some(data) = &experiment.data {
                experiment.data = Some(folder.join(data));
            }
            for t in &mut experiment.inline_targets {
                t.run = t.run.as_ref().map(|r| folder.join(r));
            }
        }
        Ok(experiment)
    }

    /// Parses experiment text (`path` only names the source in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Experiment> {
        toml::from_str(text).map_err(|e: toml::de::Error| {
            let line = e.span().map_or(0, |s| ladder_core::error::line_at(text, s.start) as u64);
            PredictError::Data(LadderError::Malformed { path: PathBuf::from(path), line, message: e.message().to_string() })
        })
    }

    /// The ladder with every inline target that has a run file added as an eval entry, and the
    /// names of all targets to predict (the config's, then the inline ones with runs).
    pub fn with_inline_targets(&self, ladder: &Ladder) -> Result<(Ladder, Vec<String>)> {
        let mut ladder = ladder.clone();
        let mut names = self.targets.clone();
        for t in self.inline_targets.iter().filter(|t| t.run.is_some()) {
            let path = t.run.as_ref().expect("filtered");
            let bad = |message: String| PredictError::Design { design: format!("[[target]] {}", t.name), message };
            match ladder.entries.iter().find(|e| e.name == t.name) {
                // Added by an earlier call.
                Some(e) if e.mode == ladder_core::Mode::Eval => {
                    names.push(t.name.clone());
                    continue;
                }
                Some(_) => return Err(bad("a train entry of the ladder has this name".into())),
                None => {}
            }
            let run = ladder_io::olmo::read_run_csv(path)?;
            let projection = crate::project::Projection::new(t.n, t.d.unwrap_or_else(|| run.final_tokens()), t.flops_per_token)?;
            if let Some(d) = t.d.filter(|d| (d - run.final_tokens()).abs() > 1e-9 * d) {
                return Err(bad(format!("d = {d} but its run {} ends at {} tokens", path.display(), run.final_tokens())));
            }
            let flops_per_token = projection.target().c / projection.d;
            ladder.entries.push(ladder_core::Entry {
                name: t.name.clone(),
                mode: ladder_core::Mode::Eval,
                n: t.n,
                flops_per_token,
                runs: vec![run],
            });
            names.push(t.name.clone());
        }
        Ok((ladder, names))
    }

    /// The inline targets without a run file, as projections.
    pub fn projections(&self) -> Result<Vec<crate::project::Projection>> {
        self.inline_targets
            .iter()
            .filter(|t| t.run.is_none())
            .map(|t| {
                let d = t.d.ok_or_else(|| PredictError::Design {
                    design: format!("[[target]] {}", t.name),
                    message: "needs `d` (training tokens) or a `run` file".into(),
                })?;
                let mut p = crate::project::Projection::new(t.n, d, t.flops_per_token)?;
                p.name = t.name.clone();
                Ok(p)
            })
            .collect()
    }

    /// Builds the designs; names must be unique.
    pub fn designs(&self) -> Result<Vec<Box<dyn Design>>> {
        let designs: Vec<Box<dyn Design>> = self
            .designs
            .iter()
            .enumerate()
            .map(|(i, spec)| design::build_labelled(spec, &format!("#{} (the {}th [[design]])", i + 1, i + 1)))
            .collect::<Result<_>>()?;
        for (i, d) in designs.iter().enumerate() {
            if designs[..i].iter().any(|e| e.name() == d.name()) {
                return Err(PredictError::Design { design: d.name().to_string(), message: "the name is used twice".into() });
            }
        }
        Ok(designs)
    }

    /// The settings of [`Experiment::decide`]: the `[decision]` table, its one target, and the
    /// bootstrap of `[uncertainty]`.
    pub fn decide_settings(&self) -> Result<DecideSettings> {
        let bad = |message: String| PredictError::Design { design: "[decision]".into(), message };
        let spec = self.decision.as_ref().ok_or_else(|| bad("the experiment has no [decision] table naming its recipes".into()))?;
        let [target] = self.targets.as_slice() else {
            return Err(bad(format!("`targets` must name the one target the recipes are decided at, found {:?}", self.targets)));
        };
        if !(spec.span.is_finite() && spec.span > 1.0) {
            return Err(bad(format!("span must be above 1, found {}", spec.span)));
        }
        if spec.metrics.contains(&Feature::McAcc) {
            return Err(bad("metric must be rc_acc, rc_bpb, rc_soft_log or c4: mc_acc is measured on target models only".into()));
        }
        Ok(DecideSettings {
            target: target.clone(),
            metrics: spec.metrics.clone(),
            multiplier_designs: spec.multiplier_designs.clone(),
            draws: self.uncertainty.draws,
            level: self.uncertainty.level,
            seed: self.uncertainty.seed,
            span: spec.span,
        })
    }

    /// Decides between the recipes' ladders ([`crate::decision::decide`]) with this file's
    /// designs, tasks, target and bootstrap; `progress` is called once per bootstrap draw.
    pub fn decide(&self, recipes: &[RecipeLadder], progress: &(dyn Fn() + Sync)) -> Result<DecisionOutput> {
        let settings = self.decide_settings()?;
        crate::decision::decide(recipes, &self.designs()?, &TaskSet::get(&self.tasks)?.tasks, &settings, progress)
    }

    /// Runs the grid (and the backtest) on `ladder`; the variance analysis, if asked for, needs
    /// the ladder of its config (`variance_ladder`).
    pub fn run(&self, ladder: &Ladder, variance_ladder: Option<&Ladder>) -> Result<ExperimentOutput> {
        self.run_with_progress(ladder, variance_ladder, &|| {})
    }

    /// Bootstrap draws this experiment will make (for a progress bar).
    pub fn bootstrap_draws(&self) -> Result<usize> {
        let u = &self.uncertainty;
        let designs = if u.designs.is_empty() { self.designs.len() } else { u.designs.len() };
        // Projections are bootstrapped once more, apart from the grid's targets.
        let passes = if self.projections()?.is_empty() { 1 } else { 2 };
        Ok(passes * u.draws * designs * TaskSet::get(&self.tasks)?.tasks.len())
    }

    /// [`Experiment::run`], calling `progress` once per bootstrap draw. Inline targets with a run
    /// file are added to `ladder` first ([`Experiment::with_inline_targets`]); those without are
    /// projected ([`ExperimentOutput::projections`]).
    pub fn run_with_progress(
        &self,
        ladder: &Ladder,
        variance_ladder: Option<&Ladder>,
        progress: &(dyn Fn() + Sync),
    ) -> Result<ExperimentOutput> {
        let (ladder, targets) = self.with_inline_targets(ladder)?;
        let ladder = &ladder;
        let designs = self.designs()?;
        let tasks = TaskSet::get(&self.tasks)?.tasks;
        let u = &self.uncertainty;
        if !(u.level > 0.0 && u.level < 1.0) {
            return Err(PredictError::Design {
                design: "[uncertainty]".into(),
                message: format!("level must lie in (0, 1), found {}", u.level),
            });
        }
        for name in &u.designs {
            if !designs.iter().any(|d| d.name() == name) {
                return Err(PredictError::Design { design: name.clone(), message: "named in [uncertainty] but not defined".into() });
            }
        }
        let projections = self.projections()?;
        let projections = if projections.is_empty() {
            None
        } else {
            let mut all: Option<DataFrame> = None;
            let settings = u.settings();
            for d in &designs {
                let wanted = u.designs.is_empty() || u.designs.iter().any(|n| n == d.name());
                let boot = settings.bootstrap.as_ref().filter(|_| wanted);
                let frame = crate::project::project_with(ladder, d.as_ref(), &tasks, &projections, u.level, boot, progress)?;
                match all.as_mut() {
                    Some(a) => {
                        a.vstack_mut(&frame).map_err(ladder_io::table_error)?;
                    }
                    None => all = Some(frame),
                }
            }
            all
        };
        let predictions = run_grid(ladder, &designs, &tasks, &targets, &u.settings(), progress)?;
        let coverage = if u.coverage {
            let settings = u.settings();
            let chosen: Vec<&Box<dyn Design>> =
                designs.iter().filter(|d| u.designs.is_empty() || u.designs.iter().any(|n| n == d.name())).collect();
            let mut frames = Vec::new();
            for d in chosen {
                frames.push(coverage_backtest(ladder, std::slice::from_ref(d), &tasks, u.level, settings.bootstrap.as_ref())?);
            }
            let mut frames = frames.into_iter();
            let mut all = frames.next();
            for f in frames {
                if let Some(a) = all.as_mut() {
                    a.vstack_mut(&f).map_err(ladder_io::table_error)?;
                }
            }
            all
        } else {
            None
        };
        let backtest = match &self.backtest {
            None => None,
            Some(spec) => {
                for name in &spec.designs {
                    if !designs.iter().any(|d| d.name() == name) {
                        return Err(PredictError::Design { design: name.clone(), message: "named in [backtest] but not defined".into() });
                    }
                }
                let chosen: Vec<Box<dyn Design>> =
                    designs.into_iter().filter(|d| spec.designs.is_empty() || spec.designs.iter().any(|n| n == d.name())).collect();
                let mut frames = spec.vary.iter().map(|&v| backtest(ladder, &chosen, &tasks, &spec.target, v));
                let mut all = frames.next().transpose()?;
                for frame in frames {
                    let frame = frame?;
                    if let Some(a) = all.as_mut() {
                        a.vstack_mut(&frame).map_err(ladder_io::table_error)?;
                    }
                }
                all
            }
        };
        let mut variance = Vec::new();
        if let Some(spec) = &self.variance {
            let bad = |message: String| PredictError::Design { design: "[variance]".into(), message };
            let runs = variance_ladder.ok_or_else(|| bad(format!("needs the ladder of config `{}`", spec.config)))?;
            for &loss in &spec.features {
                let feature = Feature::from(loss);
                variance.push((feature, variance_analysis(runs, ladder, &spec.target, feature)?));
            }
        }
        let snr = crate::snr::snr_table(ladder, &tasks)?;
        Ok(ExperimentOutput { predictions, backtest, variance, coverage, snr, projections, targets })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = "targets = [\"t\"]\n[[design]]\nname = \"a\"\nkind = \"two_step\"\n";

    #[test]
    fn the_data_folder_is_resolved_against_the_experiment_files_folder() {
        let dir = std::env::temp_dir().join(format!("ladder-fit-experiment-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (with, without) = (dir.join("with.toml"), dir.join("without.toml"));
        std::fs::write(&with, format!("data = \"../results/x\"\n{GRID}")).unwrap();
        std::fs::write(&without, GRID).unwrap();
        assert_eq!(Experiment::from_file(&with).unwrap().data, Some(dir.join("../results/x")));
        assert_eq!(Experiment::from_file(&without).unwrap().data, None);
        assert_eq!(
            Experiment::parse("data = \"/abs\"\ntargets = []\ndesign = []", Path::new("x")).unwrap().data,
            Some(PathBuf::from("/abs"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
