//! Running an experiment's runs on this machine (skipping finished ones, resuming interrupted
//! ones), and collecting their evaluations into an OLMo-ladder data folder that the fitting side
//! reads: `OUT/ladder-runs/<run>.csv`, `OUT/configs/<name>.json`, plus each run's training curve
//! and resolved config for the record.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use burn::prelude::Device;
use ladder_eval::export;

use crate::experiment::{LadderExperiment, PlannedRun};
use crate::{checkpoint, Progress, TrainError, Trainer};

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Nothing trained yet.
    Fresh,
    /// Interrupted: the latest checkpoint's step.
    Partial(u64),
    /// Trained to its last step.
    Finished,
}

/// The state of a run from its folder.
pub fn state(run: &PlannedRun) -> RunState {
    match checkpoint::latest(&run.dir) {
        None => RunState::Fresh,
        Some((step, _)) if step >= run.config.plan.total_steps && run.dir.join("evals.csv").is_file() => RunState::Finished,
        Some((step, _)) => RunState::Partial(step),
    }
}

/// Told when a run starts, and about its steps.
pub trait RunnerProgress: Progress {
    /// Run `index` of `total` starts (or is skipped as finished).
    fn run_started(&mut self, index: usize, total: usize, run: &PlannedRun, state: RunState);
}

/// Train every unfinished run, in order, on `device`.
pub fn run_local(runs: &[PlannedRun], device: &Device, progress: &mut dyn RunnerProgress) -> Result<(), TrainError> {
    for (i, run) in runs.iter().enumerate() {
        let now = state(run);
        progress.run_started(i, runs.len(), run, now);
        if now == RunState::Finished {
            continue;
        }
        Trainer::new(run.config.clone(), &run.dir, device.clone())?.run(matches!(now, RunState::Partial(_)), None, progress)?;
    }
    Ok(())
}

/// What [`collect`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected {
    /// The OLMo-ladder config.
    pub config: PathBuf,
    /// Runs exported.
    pub runs: usize,
    /// Runs not finished (left out).
    pub missing: Vec<String>,
}

/// Export every finished run into `experiment.out`: the evaluations as OLMo-ladder CSVs, a config
/// with one `train` entry per rung size (reruns go to `<name>_variance.json` with their
/// originals) and one `eval` entry per target, and each run's `run.csv` and `config.json`.
pub fn collect(experiment: &LadderExperiment, runs: &[PlannedRun]) -> Result<Collected, TrainError> {
    let out = &experiment.out;
    for sub in ["ladder-runs", "configs", "train-curves", "run-configs"] {
        std::fs::create_dir_all(out.join(sub)).map_err(|e| TrainError::file(out.join(sub), e))?;
    }
    let mut main: BTreeMap<String, (Vec<String>, u64, u64)> = BTreeMap::new();
    let mut variance: BTreeMap<String, (Vec<String>, u64, u64)> = BTreeMap::new();
    let mut targets = serde_json::Map::new();
    let (mut exported, mut missing) = (0, Vec::new());
    for run in runs {
        let plan = &run.config.plan;
        if state(run) != RunState::Finished {
            missing.push(plan.id.clone());
            continue;
        }
        let file = format!("{}.csv", plan.id);
        let rows = ladder_eval::log::read(&run.dir.join("evals.csv"))?;
        export::write_run_csv(&out.join("ladder-runs").join(&file), &rows, plan.tokens_per_step)?;
        copy(&run.dir.join("run.csv"), &out.join("train-curves").join(&file))?;
        copy(&run.dir.join("config.json"), &out.join("run-configs").join(format!("{}.json", plan.id)))?;
        exported += 1;
        if run.target {
            targets.insert(plan.id.clone(), export::config_entry(std::slice::from_ref(&file), "eval", plan.n, plan.flops_per_token));
            continue;
        }
        let is_rerun = plan.id.ends_with("-rerun");
        let grow = |map: &mut BTreeMap<String, (Vec<String>, u64, u64)>| map.entry(plan.rung.clone()).or_insert_with(|| (Vec::new(), plan.n, plan.flops_per_token)).0.push(file.clone());
        if !is_rerun {
            grow(&mut main);
        }
        if is_rerun || runs.iter().any(|r| r.config.plan.id == format!("{}-rerun", plan.id)) {
            grow(&mut variance);
        }
    }
    let write = |name: String, entries: &BTreeMap<String, (Vec<String>, u64, u64)>| -> Result<PathBuf, TrainError> {
        let mut json = serde_json::Map::new();
        for (rung, (files, n, flops)) in entries {
            json.insert(rung.clone(), export::config_entry(files, "train", *n, *flops));
        }
        json.extend(targets.clone());
        let path = out.join("configs").join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&json).expect("json")).map_err(|e| TrainError::file(&path, e))?;
        Ok(path)
    };
    let config = write(experiment.name.clone(), &main)?;
    if !variance.is_empty() {
        write(format!("{}_variance", experiment.name), &variance)?;
    }
    Ok(Collected { config, runs: exported, missing })
}

fn copy(from: &Path, to: &Path) -> Result<(), TrainError> {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| TrainError::file(from, e))
}
