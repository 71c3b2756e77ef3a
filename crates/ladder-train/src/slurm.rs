//! The Slurm executor of `ladder run`: one job array per group of runs with the same resources
//! (one array task per run, each `ladder run FILE --only RUN`, resuming from its checkpoint),
//! submitted with `sbatch`, followed with `squeue` and the run folders, resubmitted for the runs
//! that failed or are missing on a later call. No scheduler of our own: Slurm decides where and
//! when; the state of a run is what its folder says.
//!
//! Bookkeeping lives in `WORK/slurm/`: the scripts, one log per array task (`<job>_<task>.out`)
//! and `jobs.json` (the submitted arrays and how often each run was submitted).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::experiment::{LadderExperiment, PlannedRun, Resources};
use crate::runner::state;
use crate::TrainError;

/// One submitted job array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// Slurm's job id.
    pub job: String,
    /// Run ids by array index.
    pub runs: Vec<String>,
    /// The script submitted.
    pub script: PathBuf,
}

/// What this experiment has submitted so far (`WORK/slurm/jobs.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobBook {
    /// Every submission, oldest first.
    pub submissions: Vec<Submission>,
    /// Submissions per run (its key: `[<recipe>/]<id>`).
    pub attempts: BTreeMap<String, u32>,
}

impl JobBook {
    fn path(experiment: &LadderExperiment) -> PathBuf {
        experiment.work.join("slurm").join("jobs.json")
    }

    /// Read the book (empty if none yet).
    pub fn load(experiment: &LadderExperiment) -> Result<Self, TrainError> {
        let path = Self::path(experiment);
        if !path.exists() {
            return Ok(Self::default());
        }
        let text = std::fs::read_to_string(&path).map_err(|e| TrainError::file(&path, e))?;
        serde_json::from_str(&text).map_err(|e| TrainError::file(&path, format!("not a job book of `ladder run --executor slurm`: {e}")))
    }

    fn save(&self, experiment: &LadderExperiment) -> Result<(), TrainError> {
        let path = Self::path(experiment);
        ladder_core::fsio::write_atomic(&path, serde_json::to_string_pretty(self).expect("json")).map_err(|e| TrainError::file(&path, e))
    }

    /// The log file of a run's latest submission.
    pub fn latest_log(&self, experiment: &LadderExperiment, run: &str) -> Option<PathBuf> {
        self.submissions
            .iter()
            .rev()
            .find_map(|s| s.runs.iter().position(|r| r == run).map(|i| experiment.work.join("slurm").join(format!("{}_{i}.out", s.job))))
    }
}

/// The Slurm commands, found on PATH.
#[derive(Debug, Clone, PartialEq)]
pub struct SlurmClient {
    sbatch: PathBuf,
    squeue: PathBuf,
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()))
}

impl SlurmClient {
    /// `sbatch` and `squeue` from PATH, or an error that says what is missing.
    pub fn from_path() -> Result<Self, TrainError> {
        let find = |name: &str| {
            on_path(name).ok_or_else(|| TrainError::Config(format!("`{name}` is not on PATH: --executor slurm needs the Slurm client commands (sbatch, squeue) of a cluster login node; use --executor local to train here")))
        };
        Ok(Self { sbatch: find("sbatch")?, squeue: find("squeue")? })
    }

    /// Submit a script; Slurm's job id.
    pub fn submit(&self, script: &Path) -> Result<String, TrainError> {
        let out = Command::new(&self.sbatch).arg("--parsable").arg(script).output().map_err(|e| TrainError::file(&self.sbatch, e))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(TrainError::Config(format!(
                "sbatch rejected {}: {}{}",
                script.display(),
                String::from_utf8_lossy(&out.stderr).trim(),
                stdout.trim()
            )));
        }
        // `--parsable` prints `<job id>[;<cluster>]`.
        let job = stdout.trim().split(';').next().unwrap_or("").to_string();
        if job.is_empty() || !job.chars().all(|c| c.is_ascii_digit()) {
            return Err(TrainError::Config(format!("sbatch accepted {} but printed no job id: {stdout:?}", script.display())));
        }
        Ok(job)
    }

    /// The (job, array index) pairs of `jobs` that are still queued or running.
    pub fn active(&self, jobs: &[String]) -> Result<BTreeSet<(String, usize)>, TrainError> {
        if jobs.is_empty() {
            return Ok(BTreeSet::new());
        }
        let out = Command::new(&self.squeue)
            .args(["-h", "-r", "-o", "%i", "-j", &jobs.join(",")])
            .output()
            .map_err(|e| TrainError::file(&self.squeue, e))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            // Jobs that left the queue long ago are unknown to squeue: none of them is active.
            if err.contains("Invalid job id") {
                return Ok(BTreeSet::new());
            }
            return Err(TrainError::Config(format!("squeue failed: {}", err.trim())));
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.trim().split_once('_'))
            .filter_map(|(job, i)| Some((job.to_string(), i.parse().ok()?)))
            .collect())
    }
}

/// How `ladder run` is invoked inside an array task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCommand {
    /// The `ladder` binary (absolute).
    pub binary: PathBuf,
    /// The experiment file (absolute).
    pub file: PathBuf,
    /// The `--device` of the runs.
    pub device: String,
    /// Working directory of the tasks (relative paths of the experiment resolve here).
    pub cwd: PathBuf,
}

/// The sbatch script of one job array over `runs`, which share `resources`.
pub fn script(experiment: &LadderExperiment, runs: &[&PlannedRun], resources: &Resources, command: &TaskCommand) -> String {
    let spec = &experiment.slurm;
    let logs = command.cwd.join(&experiment.work).join("slurm");
    let mut s = String::from("#!/bin/bash\n");
    s.push_str(&format!("#SBATCH --job-name=ladder-{}\n", experiment.name));
    s.push_str(&format!("#SBATCH --array=0-{}\n", runs.len() - 1));
    s.push_str(&format!("#SBATCH --output={}/%A_%a.out\n", logs.display()));
    s.push_str(&format!("#SBATCH --chdir={}\n", command.cwd.display()));
    s.push_str("#SBATCH --ntasks=1\n");
    if let Some(c) = resources.cpus {
        s.push_str(&format!("#SBATCH --cpus-per-task={c}\n"));
    }
    if let Some(m) = &resources.mem {
        s.push_str(&format!("#SBATCH --mem={m}\n"));
    }
    if let Some(t) = &resources.time {
        s.push_str(&format!("#SBATCH --time={t}\n"));
    }
    if let Some(g) = resources.gpus.filter(|g| *g > 0) {
        s.push_str(&format!("#SBATCH --gpus={g}\n"));
    }
    if let Some(p) = &spec.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(a) = &spec.account {
        s.push_str(&format!("#SBATCH --account={a}\n"));
    }
    for o in &spec.options {
        s.push_str(&format!("#SBATCH {o}\n"));
    }
    s.push_str("set -euo pipefail\n");
    s.push_str(&format!("runs=({})\n", runs.iter().map(|r| format!("'{}'", r.key)).collect::<Vec<_>>().join(" ")));
    s.push_str(&format!(
        "exec '{}' run '{}' --only \"${{runs[$SLURM_ARRAY_TASK_ID]}}\" --device '{}'\n",
        command.binary.display(),
        command.file.display(),
        command.device
    ));
    s
}

/// What one call of the executor did.
#[derive(Debug, Clone, PartialEq)]
pub struct SlurmOutcome {
    /// Runs submitted by this call.
    pub submitted: Vec<String>,
    /// Runs that were already queued or running (not submitted again).
    pub in_flight: Vec<String>,
    /// Runs left unfinished after the jobs ended, with their latest log.
    pub failed: Vec<(String, Option<PathBuf>)>,
    /// Runs submitted `max_attempts` times without finishing: not submitted again.
    pub given_up: Vec<(String, Option<PathBuf>)>,
    /// The scripts (written, and with `dry_run` not submitted).
    pub scripts: Vec<(PathBuf, String)>,
}

/// Told how many runs are finished while the jobs run.
pub trait SlurmProgress {
    /// `finished` of `total` runs are done; `active` array tasks are queued or running.
    fn update(&mut self, finished: usize, total: usize, active: usize);
}

/// Submit every run that is neither finished nor in flight, then (unless `dry_run`) follow the
/// arrays until they leave the queue. Finished runs are never touched.
pub fn run_slurm(
    experiment: &LadderExperiment,
    runs: &[PlannedRun],
    command: &TaskCommand,
    dry_run: bool,
    progress: &mut dyn SlurmProgress,
) -> Result<SlurmOutcome, TrainError> {
    let client = if dry_run { SlurmClient::from_path().ok() } else { Some(SlurmClient::from_path()?) };
    let slurm_dir = experiment.work.join("slurm");
    std::fs::create_dir_all(&slurm_dir).map_err(|e| TrainError::file(&slurm_dir, e))?;
    let mut book = JobBook::load(experiment)?;
    let known: Vec<String> = book.submissions.iter().map(|s| s.job.clone()).collect();
    let active = match &client {
        Some(c) => c.active(&known)?,
        None => BTreeSet::new(),
    };
    let flying: BTreeSet<&str> = book
        .submissions
        .iter()
        .flat_map(|s| active.iter().filter(|(j, _)| *j == s.job).filter_map(|(_, i)| s.runs.get(*i).map(String::as_str)))
        .collect();
    let mut outcome = SlurmOutcome {
        submitted: Vec::new(),
        in_flight: flying.iter().map(|s| s.to_string()).collect(),
        failed: Vec::new(),
        given_up: Vec::new(),
        scripts: Vec::new(),
    };
    let mut groups: Vec<(&Resources, Vec<&PlannedRun>)> = Vec::new();
    for run in runs {
        let id = &run.key;
        if state(run).is_done() || flying.contains(id.as_str()) {
            continue;
        }
        if book.attempts.get(id).copied().unwrap_or(0) >= experiment.slurm.max_attempts {
            outcome.given_up.push((id.clone(), book.latest_log(experiment, id)));
            continue;
        }
        match groups.iter_mut().find(|(r, _)| **r == run.resources) {
            Some((_, members)) => members.push(run),
            None => groups.push((&run.resources, vec![run])),
        }
    }
    for (resources, members) in &groups {
        let text = script(experiment, members, resources, command);
        let path = slurm_dir.join(format!("array-{}.sbatch", book.submissions.len() + outcome.scripts.len()));
        ladder_core::fsio::write_atomic(&path, &text).map_err(|e| TrainError::file(&path, e))?;
        outcome.scripts.push((path.clone(), text));
        if dry_run {
            continue;
        }
        let job = client.as_ref().expect("checked above").submit(&path)?;
        let ids: Vec<String> = members.iter().map(|r| r.key.clone()).collect();
        for id in &ids {
            *book.attempts.entry(id.clone()).or_insert(0) += 1;
        }
        outcome.submitted.extend(ids.iter().cloned());
        book.submissions.push(Submission { job, runs: ids, script: path });
        book.save(experiment)?;
    }
    if dry_run {
        return Ok(outcome);
    }
    let client = client.expect("checked above");
    let jobs: Vec<String> = book.submissions.iter().map(|s| s.job.clone()).collect();
    loop {
        let finished = runs.iter().filter(|r| state(r).is_done()).count();
        let active = client.active(&jobs)?;
        progress.update(finished, runs.len(), active.len());
        if active.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_secs(experiment.slurm.poll_seconds.max(1)));
    }
    let given_up: BTreeSet<String> = outcome.given_up.iter().map(|(id, _)| id.clone()).collect();
    for run in runs {
        let id = &run.key;
        if !state(run).is_done() && !given_up.contains(id) {
            outcome.failed.push((id.clone(), book.latest_log(experiment, id)));
        }
    }
    Ok(outcome)
}
