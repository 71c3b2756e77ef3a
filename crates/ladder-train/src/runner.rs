//! Running an experiment's runs on this machine (skipping finished ones, resuming interrupted
//! ones), and collecting their evaluations into an OLMo-ladder data folder that the fitting side
//! reads: `OUT/ladder-runs/<run>.csv`, `OUT/configs/<name>.json`, plus each run's training curve
//! and resolved config for the record.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use burn::prelude::Device;
use ladder_core::Mode;
use ladder_eval::export;
use ladder_io::olmo::ConfigEntry;

use crate::experiment::{LadderExperiment, PlannedRun};
use crate::fingerprint::{self, same_json, Fingerprint};
use crate::trainer::first_unlogged_step;
use crate::{checkpoint, Progress, TrainError, Trainer};

/// Where a run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    /// Nothing trained yet.
    Fresh,
    /// Interrupted: the latest checkpoint's step.
    Partial(u64),
    /// Trained to its last step.
    Finished,
    /// No run folder, but the experiment's `out` holds this run's collected tables, trained to
    /// the same plan (a committed ladder extended on another machine): kept, not retrained.
    Collected,
    /// Finished or collected, but with another configuration than the current one: the
    /// fingerprint fields that differ, or why it could not be compared. Neither kept nor
    /// retrained over (`--accept-changed` keeps it).
    Changed(String),
}

impl RunState {
    /// Nothing left to train.
    pub fn is_done(&self) -> bool {
        matches!(self, RunState::Finished | RunState::Collected)
    }
}

/// The state of a run from its folder, else from its collected tables. "Finished" means trained
/// to its last step with every planned evaluation row present and the same fingerprint.
pub fn state(run: &PlannedRun) -> RunState {
    state_with(run, false)
}

/// [`state`]; with `accept_changed`, a finished or collected run with another fingerprint
/// counts as finished or collected.
pub fn state_with(run: &PlannedRun, accept_changed: bool) -> RunState {
    let plan = &run.config.plan;
    let done = match checkpoint::latest(&run.dir) {
        None if collected_plan_matches(run) => RunState::Collected,
        None => return RunState::Fresh,
        Some((step, _)) if step >= plan.total_steps && first_unlogged_step(&run.dir, plan).is_none() => RunState::Finished,
        Some((step, _)) => return RunState::Partial(step),
    };
    let recorded = match done {
        RunState::Collected => run.out.join("run-configs").join(format!("{}.{}", plan.id, fingerprint::FILE)),
        _ => run.dir.join(fingerprint::FILE),
    };
    if accept_changed {
        return done;
    }
    match changed(&recorded, run) {
        Some(why) => RunState::Changed(why),
        None => done,
    }
}

/// How the fingerprint recorded at `path` differs from the run's current one (`None`: the same,
/// or none recorded, as for runs trained before fingerprints).
fn changed(path: &Path, run: &PlannedRun) -> Option<String> {
    let recorded = match Fingerprint::read(path) {
        Ok(Some(f)) => f,
        Ok(None) => return None,
        Err(e) => return Some(format!("its fingerprint cannot be read: {e}")),
    };
    // The device is not compared: a finished run's tables stand whatever trains next.
    let now = match Fingerprint::of(&run.config, &Device::flex()) {
        Ok(f) => f,
        Err(e) => return Some(format!("the current configuration cannot be fingerprinted: {e}")),
    };
    let diff = recorded.differences(&now, false);
    (!diff.is_empty()).then(|| format!("trained with another {}", diff.join(", ")))
}

/// `out/ladder-runs/<id>.csv` exists and `out/run-configs/<id>.json` records the planned run.
fn collected_plan_matches(run: &PlannedRun) -> bool {
    let id = &run.config.plan.id;
    if !run.out.join("ladder-runs").join(format!("{id}.csv")).is_file() {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(run.out.join("run-configs").join(format!("{id}.json"))) else { return false };
    let Ok(written) = serde_json::from_str::<serde_json::Value>(&text) else { return false };
    let planned = serde_json::to_value(&run.config.plan).expect("a plan serialises");
    written.get("plan").is_some_and(|w| same_json(w, &planned))
}

/// Told when a run starts, and about its steps.
pub trait RunnerProgress: Progress {
    /// Run `index` of `total` starts (or is skipped as finished).
    fn run_started(&mut self, index: usize, total: usize, run: &PlannedRun, state: RunState);
}

/// Train every unfinished run, in order, on `device`. A run finished with another
/// configuration is an error naming what changed, unless `accept_changed`.
pub fn run_local(runs: &[PlannedRun], device: &Device, accept_changed: bool, progress: &mut dyn RunnerProgress) -> Result<(), TrainError> {
    for (i, run) in runs.iter().enumerate() {
        let now = state_with(run, accept_changed);
        progress.run_started(i, runs.len(), run, now.clone());
        if now.is_done() {
            continue;
        }
        if let RunState::Changed(why) = &now {
            return Err(TrainError::Config(format!(
                "{} ({}) finished {why}; train it in another work folder, remove it, or pass --accept-changed to keep its tables",
                run.config.plan.id,
                run.dir.display()
            )));
        }
        Trainer::new(run.config.clone(), &run.dir, device.clone())?.accept_changed(accept_changed).run(
            matches!(now, RunState::Partial(_)),
            None,
            progress,
        )?;
    }
    Ok(())
}

/// What [`collect`] wrote into one folder (one per recipe).
#[derive(Debug, Clone, PartialEq)]
pub struct Collected {
    /// The recipe whose runs these are, in a recipe experiment.
    pub recipe: Option<String>,
    /// The folder.
    pub out: PathBuf,
    /// The OLMo-ladder config.
    pub config: PathBuf,
    /// Runs exported.
    pub runs: usize,
    /// Runs kept from an earlier collection (no run folder here; see [`RunState::Collected`]).
    pub kept: Vec<String>,
    /// Runs not finished (left out).
    pub missing: Vec<String>,
    /// Runs finished with another configuration (left out): id and what changed.
    pub changed: Vec<String>,
}

/// Export every finished run into its collection folder (`experiment.out`, or `OUT/<recipe>` per
/// recipe): the evaluations as OLMo-ladder CSVs, a config
/// with one `train` entry per rung size (reruns go to `<name>_variance.json` with their
/// originals) and one `eval` entry per target, and each run's `run.csv` and `config.json`. A run
/// already collected there with the same plan and no run folder here is kept as it is.
pub fn collect(experiment: &LadderExperiment, runs: &[PlannedRun]) -> Result<Vec<Collected>, TrainError> {
    collect_with(experiment, runs, false)
}

/// [`collect`]; with `accept_changed`, runs finished with another configuration are exported too.
pub fn collect_with(experiment: &LadderExperiment, runs: &[PlannedRun], accept_changed: bool) -> Result<Vec<Collected>, TrainError> {
    let mut folders: Vec<(&Option<String>, &PathBuf)> = Vec::new();
    for run in runs {
        if !folders.iter().any(|(r, _)| **r == run.recipe) {
            folders.push((&run.recipe, &run.out));
        }
    }
    folders
        .into_iter()
        .map(|(recipe, out)| {
            let group: Vec<PlannedRun> = runs.iter().filter(|r| r.recipe == *recipe).cloned().collect();
            collect_folder(&experiment.name, out, &group, accept_changed).map(|c| Collected { recipe: recipe.clone(), ..c })
        })
        .collect()
}

/// One folder of [`collect_with`]: `runs` all collect into `out`.
fn collect_folder(name: &str, out: &Path, runs: &[PlannedRun], accept_changed: bool) -> Result<Collected, TrainError> {
    for sub in ["ladder-runs", "configs", "train-curves", "run-configs"] {
        std::fs::create_dir_all(out.join(sub)).map_err(|e| TrainError::file(out.join(sub), e))?;
    }
    let mut main: BTreeMap<String, (Vec<String>, u64, u64)> = BTreeMap::new();
    let mut variance: BTreeMap<String, (Vec<String>, u64, u64)> = BTreeMap::new();
    let mut targets = serde_json::Map::new();
    let (mut exported, mut kept, mut missing, mut changed) = (0, Vec::new(), Vec::new(), Vec::new());
    for run in runs {
        let plan = &run.config.plan;
        let file = format!("{}.csv", plan.id);
        match state_with(run, accept_changed) {
            RunState::Finished => {
                let rows = ladder_eval::log::complete_rows(&run.dir.join("evals.csv"));
                export::write_run_csv(&out.join("ladder-runs").join(&file), &rows, plan.tokens_per_step)?;
                copy(&run.dir.join("run.csv"), &out.join("train-curves").join(&file))?;
                copy(&run.dir.join("config.json"), &out.join("run-configs").join(format!("{}.json", plan.id)))?;
                let recorded = run.dir.join(fingerprint::FILE);
                if recorded.is_file() {
                    copy(&recorded, &out.join("run-configs").join(format!("{}.{}", plan.id, fingerprint::FILE)))?;
                }
            }
            RunState::Collected => kept.push(plan.id.clone()),
            RunState::Changed(why) => {
                changed.push(format!("{}: {why}", plan.id));
                continue;
            }
            RunState::Fresh | RunState::Partial(_) => {
                missing.push(plan.id.clone());
                continue;
            }
        }
        exported += 1;
        if run.target {
            targets.insert(
                plan.id.clone(),
                ConfigEntry::json(std::slice::from_ref(&file), Mode::Eval, plan.n as f64, plan.flops_per_token as f64),
            );
            continue;
        }
        let is_rerun = run.rerun;
        let grow = |map: &mut BTreeMap<String, (Vec<String>, u64, u64)>| {
            map.entry(plan.rung.clone()).or_insert_with(|| (Vec::new(), plan.n, plan.flops_per_token)).0.push(file.clone())
        };
        if !is_rerun {
            grow(&mut main);
        }
        let rerun_of = |r: &PlannedRun| r.rerun && r.config.plan.rung == plan.rung && r.config.plan.multiplier == plan.multiplier;
        if is_rerun || runs.iter().any(rerun_of) {
            grow(&mut variance);
        }
    }
    let write = |name: String, entries: &BTreeMap<String, (Vec<String>, u64, u64)>| -> Result<PathBuf, TrainError> {
        let mut json = serde_json::Map::new();
        for (rung, (files, n, flops)) in entries {
            json.insert(rung.clone(), ConfigEntry::json(files, Mode::Train, *n as f64, *flops as f64));
        }
        json.extend(targets.clone());
        let path = out.join("configs").join(format!("{name}.json"));
        ladder_core::fsio::write_atomic(&path, serde_json::to_string_pretty(&json).expect("json"))
            .map_err(|e| TrainError::file(&path, e))?;
        Ok(path)
    };
    let config = write(name.to_string(), &main)?;
    if !variance.is_empty() {
        write(format!("{name}_variance"), &variance)?;
    }
    Ok(Collected { recipe: None, out: out.to_path_buf(), config, runs: exported, kept, missing, changed })
}

fn copy(from: &Path, to: &Path) -> Result<(), TrainError> {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| TrainError::file(from, e))
}

#[cfg(test)]
mod tests {
    use super::same_json;
    use serde_json::json;

    #[test]
    fn recorded_plans_compare_floats_to_the_last_bits_and_everything_else_exactly() {
        let planned = json!({ "id": "u10k-1xC", "steps": 323, "lr": { "peak": 0.009613655624692984 }, "evals": [40, 80] });
        assert!(same_json(&json!({ "id": "u10k-1xC", "steps": 323, "lr": { "peak": 0.009613655624692985 }, "evals": [40, 80] }), &planned));
        assert!(!same_json(
            &json!({ "id": "u10k-1xC", "steps": 324, "lr": { "peak": 0.009613655624692984 }, "evals": [40, 80] }),
            &planned
        ));
        assert!(!same_json(&json!({ "id": "u10k-1xC", "steps": 323, "lr": { "peak": 0.0096136556 }, "evals": [40, 80] }), &planned));
        assert!(!same_json(&json!({ "id": "u10k-1xC", "steps": 323, "lr": { "peak": 0.009613655624692984 }, "evals": [40] }), &planned));
        assert!(!same_json(
            &json!({ "id": "u10k-1xC", "steps": 323, "lr": { "peak": 0.009613655624692984 }, "evals": [40, 80], "extra": 1 }),
            &planned
        ));
    }
}
