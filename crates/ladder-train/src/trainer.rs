//! The training loop of one ladder run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use ladder_data::{Corpus, PackedWindows, Tokenizer};
use ladder_model::{Model, ModelConfig};
use ladder_schedule::RunPlan;

use ladder_eval::{columns, heldout, EvalLog, EvalRow, ScorerConfig, TaskSuite};

use crate::batcher::WindowBatcher;
use crate::config::{TaskEvalConfig, TrainConfig, TrainData};
use crate::fingerprint::{self, Fingerprint};
use crate::lock::RunLock;
use crate::run_table::{Row, RunTable};
use crate::{checkpoint, optim, TrainError};

/// Told about every step (a progress bar, a log).
pub trait Progress {
    /// Step `step` of `total` finished with training loss `loss`.
    fn step(&mut self, step: u64, total: u64, loss: f64);
}

impl Progress for () {
    fn step(&mut self, _: u64, _: u64, _: f64) {}
}

/// What a finished (or stopped) call did.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSummary {
    /// The step the call started after (0: fresh run).
    pub resumed_from: u64,
    /// The last step trained.
    pub last_step: u64,
    /// Training tokens processed by this call.
    pub tokens: u64,
    /// Wall seconds of this call's training steps (evaluation included).
    pub seconds: f64,
    /// The last held-out LM loss.
    pub val_ce: f64,
}

/// Trains one run into a folder: `config.json`, `run.csv`, `checkpoints/`.
pub struct Trainer {
    config: TrainConfig,
    /// The config's tokenizer, loaded and checked once.
    tokenizer: Box<dyn Tokenizer>,
    dir: PathBuf,
    device: Device,
    accept_changed: bool,
}

impl std::fmt::Debug for Trainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trainer")
            .field("config", &self.config)
            .field("dir", &self.dir)
            .field("device", &self.device)
            .field("accept_changed", &self.accept_changed)
            .finish_non_exhaustive()
    }
}

impl Trainer {
    /// A trainer for `config` writing into `dir` on `device` (its training loop runs on the
    /// autodiff form of the device); refuses a tokenizer that cannot be read or whose ids do not
    /// fit the model.
    pub fn new(config: TrainConfig, dir: &Path, device: Device) -> Result<Self, TrainError> {
        let tokenizer = config.load_tokenizer()?;
        Ok(Self { config, tokenizer, dir: dir.to_path_buf(), device, accept_changed: false })
    }

    /// Resume a run whose recorded fingerprint differs from this configuration's (with a warning
    /// naming the fields) instead of refusing it.
    pub fn accept_changed(mut self, accept: bool) -> Self {
        self.accept_changed = accept;
        self
    }

    /// The run's windows: the mix packed in its seeded order, or the files as one corpus.
    pub fn data(&self) -> Result<PackedWindows, TrainError> {
        let (tokenizer, plan) = (self.tokenizer.as_ref(), &self.config.plan);
        Ok(match &self.config.data {
            TrainData::Mix { mix, cache } => mix.pack(cache, tokenizer, plan.shape.seq_len, self.config.data_seed)?.0,
            TrainData::Files(files) => PackedWindows::new(
                &Corpus::read(files)?,
                tokenizer,
                plan.shape.seq_len,
                self.config.data_seed,
                self.config.validation_windows,
            )?,
        })
    }

    /// Train to the end of the plan, or to `stop_after` steps. With `resume`, continue from the
    /// latest checkpoint of an identical config; without it, refuse a folder that holds a run.
    pub fn run(&self, resume: bool, stop_after: Option<u64>, progress: &mut dyn Progress) -> Result<TrainSummary, TrainError> {
        let _lock = RunLock::acquire(&self.dir)?;
        let config_path = self.dir.join("config.json");
        let fingerprint_path = self.dir.join(fingerprint::FILE);
        let json = serde_json::to_string_pretty(&self.config).map_err(|e| TrainError::file(&config_path, e))?;
        let existing = checkpoint::latest(&self.dir);
        let now = Fingerprint::of(&self.config, &self.device)?;
        if !resume && existing.is_some() {
            return Err(TrainError::Config(format!(
                "{} already holds a run; pass --resume to continue it or choose another folder",
                self.dir.display()
            )));
        }
        if resume && existing.is_some() {
            match Fingerprint::read(&fingerprint_path)? {
                Some(recorded) => {
                    let diff = recorded.differences(&now, true);
                    if !diff.is_empty() && !self.accept_changed {
                        return Err(TrainError::Config(format!(
                            "{} was trained with another {} than this configuration's ({}); resume needs the same run, or pass --accept-changed",
                            self.dir.display(),
                            diff.join(", "),
                            fingerprint_path.display()
                        )));
                    }
                    if !diff.is_empty() {
                        eprintln!("warning: resuming {} although its {} changed (--accept-changed)", self.dir.display(), diff.join(", "));
                    }
                }
                // A run from before fingerprints: its config compared as text (the same
                // serializer wrote it, and JSON floats need not parse back to the same bits).
                None if config_path.exists() => {
                    let saved = std::fs::read_to_string(&config_path).map_err(|e| TrainError::file(&config_path, e))?;
                    if saved != json && !self.accept_changed {
                        return Err(TrainError::Config(format!(
                            "{} holds a run with another config; resume needs the same run, seed and data",
                            config_path.display()
                        )));
                    }
                }
                None => {}
            }
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| TrainError::file(&self.dir, e))?;
        ladder_core::fsio::write_atomic(&config_path, &json).map_err(|e| TrainError::file(&config_path, e))?;
        now.write(&fingerprint_path)?;

        let plan = &self.config.plan;
        let data = std::sync::Arc::new(self.data()?);
        if let Err(ladder_data::DataError::TooSmall(why)) = data.check_steps(plan.total_steps, plan.batch_seqs) {
            return Err(ladder_data::DataError::TooSmall(format!("{}: {why}", plan.id)).into());
        }
        let mix_path = self.dir.join("mix.json");
        let realised = data.realised_mix(plan.total_steps as usize * plan.batch_seqs);
        let total: u64 = realised.iter().map(|(_, n)| n).sum();
        let wanted = |name: &str| self.config.data.mix().and_then(|m| m.target_share(name));
        let rows: Vec<serde_json::Value> = realised.iter().map(|(name, n)| serde_json::json!({ "source": name, "tokens": n, "share": *n as f64 / total.max(1) as f64, "target_share": wanted(name) })).collect();
        // A source whose every training window is in this run ran out before the run ended: from
        // then on the run's data leaves the mix's proportions (and a shorter run's data).
        let whole = data.realised_mix(data.train_windows());
        let ran_out: Vec<String> = realised
            .iter()
            .zip(&whole)
            .filter(|((_, n), (_, all))| n == all && total < whole.iter().map(|(_, a)| a).sum::<u64>())
            .map(|((name, n), _)| {
                format!(
                    "{name} ({:.1} % of the run; mix {:.1} %)",
                    100.0 * *n as f64 / total.max(1) as f64,
                    100.0 * wanted(name).unwrap_or(f64::NAN)
                )
            })
            .collect();
        if !ran_out.is_empty() {
            eprintln!("warning: {} uses up {}, so its later steps train on a mix away from the weights and from shorter runs' data; weight sources by their size to avoid this", plan.id, ran_out.join(", "));
        }
        let text = serde_json::to_string_pretty(&rows).expect("rows serialise");
        ladder_core::fsio::write_atomic(&mix_path, text).map_err(|e| TrainError::file(&mix_path, e))?;

        let device = self.device.clone().autodiff();
        let model_config = ModelConfig::from_shape(&plan.shape);
        // Resumed from the newest checkpoint that loads and before which every step's row and
        // every evaluation is whole in the logs (a lost or cut row is redone from an earlier
        // checkpoint, or from the start).
        let resumed = if resume {
            let before = first_unlogged_step(&self.dir, plan).map_or(u64::MAX, |s| s - 1);
            checkpoint::load_newest_good(&self.dir, before, &model_config, &device, optim::optimizer)?
        } else {
            None
        };
        let (mut model, mut optim, start) = match resumed {
            Some((step, model, optim)) => (model, optim, step),
            None => {
                let model = model_config.init(&device, plan.seed);
                let optim = optim::optimizer(&model);
                (model, optim, 0)
            }
        };
        let mut table = RunTable::open(&self.dir.join("run.csv"), start)?;
        let mut evals = EvalLog::open(&self.dir.join("evals.csv"), start)?;
        let suite = self.config.tasks.as_ref().map(TaskEvalConfig::load).transpose()?;
        let end = stop_after.map_or(plan.total_steps, |s| s.min(plan.total_steps));
        let started = Instant::now();
        let mut last_checkpoint = start;
        let mut val_ce = f64::NAN;
        // Step s trains the loader's batch s - 1: a resumed run starts the loader at its step.
        let loader = WindowBatcher::loader(data.clone(), plan.batch_seqs, &device);
        let loader = loader.slice(start as usize * plan.batch_seqs, end as usize * plan.batch_seqs);
        let mut batches = loader.iter();
        for step in start + 1..=end {
            let no_batch =
                |why: String| TrainError::Data(ladder_data::DataError::TooSmall(format!("{}: no batch for step {step}: {why}", plan.id)));
            let windows = batches.next().ok_or_else(|| no_batch("the data loader ended".into()))?.map_err(|e| no_batch(e.to_string()))?;
            let lr = plan.lr.lr(step);
            let (next, stats) = train_step(model, &mut optim, windows, self.config.z_loss, lr);
            if !stats.loss.is_finite() {
                return Err(TrainError::NonFiniteLoss { step, loss: stats.loss, last_checkpoint });
            }
            model = next;
            let evaluate = plan.eval_steps.binary_search(&step).is_ok();
            let row_val = if evaluate {
                let row = self.evaluate(&model.valid(), &data, suite.as_ref(), self.tokenizer.as_ref(), step)?;
                val_ce = row.values[0].1;
                evals.append(&row)?;
                val_ce
            } else {
                f64::NAN
            };
            table.append(&Row {
                step,
                tokens: step * plan.tokens_per_step,
                lr,
                train_loss: stats.loss,
                train_ce: stats.ce,
                z_loss: stats.z,
                grad_norm: stats.grad_norm,
                val_ce: row_val,
                seconds: started.elapsed().as_secs_f64(),
            })?;
            if evaluate || step % self.config.checkpoint_every == 0 || step == plan.total_steps {
                checkpoint::save(&self.dir, step, &model, &optim)?;
                last_checkpoint = step;
            }
            progress.step(step, plan.total_steps, stats.loss);
        }
        Ok(TrainSummary {
            resumed_from: start,
            last_step: end.max(start),
            tokens: end.saturating_sub(start) * plan.tokens_per_step,
            seconds: started.elapsed().as_secs_f64(),
            val_ce,
        })
    }
}

impl Trainer {
    /// The values of one eval step: the held-out loss over all sources (first), per source, and
    /// every task's metrics, under their OLMo-ladder column names.
    fn evaluate(
        &self,
        model: &Model,
        data: &PackedWindows,
        suite: Option<&TaskSuite>,
        tokenizer: &dyn Tokenizer,
        step: u64,
    ) -> Result<EvalRow, TrainError> {
        let plan = &self.config.plan;
        let by_source = heldout::validation_loss_by_source(model, data, plan.batch_seqs, &self.device);
        let mut values = vec![(columns::HELDOUT_ALL.to_string(), heldout::overall(&by_source))];
        values.extend(by_source.iter().map(|l| (columns::heldout_column(&l.source), l.loss)));
        if let Some(suite) = suite {
            let results = suite.evaluate(model, tokenizer, &self.device, plan.shape.seq_len, ScorerConfig::default(), &mut |_| {});
            values.extend(results.iter().flat_map(columns::task_columns));
        }
        Ok(EvalRow { step, tokens: step * plan.tokens_per_step, values })
    }
}

/// The first step of `plan` whose row in `dir/run.csv` or whose planned evaluation in
/// `dir/evals.csv` is not whole (`None`: both logs are complete through the last step).
pub fn first_unlogged_step(dir: &Path, plan: &RunPlan) -> Option<u64> {
    let logged: std::collections::BTreeSet<u64> = ladder_eval::log::complete_rows(&dir.join("evals.csv")).iter().map(|r| r.step).collect();
    let trained = crate::run_table::complete_steps(&dir.join("run.csv"));
    let eval_gap = plan.eval_steps.iter().copied().find(|s| !logged.contains(s));
    let row_gap = (1..=plan.total_steps).find(|s| !trained.contains(s));
    eval_gap.into_iter().chain(row_gap).min()
}

/// Numbers of one optimizer step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepStats {
    /// Training objective (CE + z-loss term).
    pub loss: f64,
    /// Cross-entropy.
    pub ce: f64,
    /// Mean logsumexp².
    pub z: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
}

/// One optimizer step on windows `[batch, len]`: loss, backward, global clip, AdamW at `lr`.
/// A non-finite loss is returned in the stats with the model unchanged.
pub fn train_step(model: Model, optim: &mut ModuleOptimizer, windows: Tensor<2, Int>, z_coef: f64, lr: f64) -> (Model, StepStats) {
    let loss = model.lm_loss(windows);
    let objective = loss.objective(z_coef);
    let value = objective.clone().into_scalar::<f32>() as f64;
    let (ce, z) = (loss.ce.into_scalar::<f32>() as f64, loss.z.into_scalar::<f32>() as f64);
    if !value.is_finite() {
        return (model, StepStats { loss: value, ce, z, grad_norm: f64::NAN });
    }
    let mut grads = GradientsParams::from_grads(objective.backward(), &model);
    let (clipped, grad_norm) = optim::clip_global_norm(model, &mut grads, optim::CLIP_NORM);
    (optim.step(lr, clipped, grads), StepStats { loss: value, ce, z, grad_norm })
}
