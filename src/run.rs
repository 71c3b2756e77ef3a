//! `ladder run FILE`: every run of a ladder experiment (finished runs skipped, interrupted ones
//! resumed), then the evaluations collected into an OLMo-ladder data folder for `ladder ablate`.

use std::path::PathBuf;

use anyhow::Context;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use ladder_train::experiment::{LadderExperiment, PlannedRun};
use ladder_train::runner::{self, RunState, RunnerProgress};
use ladder_train::slurm::{run_slurm, SlurmProgress, TaskCommand};
use ladder_train::Progress;

/// Where `ladder run` trains its runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Executor {
    /// Here, one after another (or `--jobs` at once).
    Local,
    /// As Slurm job arrays: one array task per run, resources from the experiment file; a second
    /// call resubmits only the runs that failed or are missing.
    Slurm,
}

/// Arguments of `ladder run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The experiment file (TOML; see experiments/quickstart.toml).
    pub file: PathBuf,
    /// Device: flex (CPU), or vulkan / wgpu / cuda when built with that feature.
    #[arg(long, default_value = "flex")]
    pub device: crate::device::DeviceSpec,
    /// Only list the runs and their state.
    #[arg(long)]
    pub list: bool,
    /// Only collect the finished runs into the output folder (no training).
    #[arg(long)]
    pub collect_only: bool,
    /// Where the runs train.
    #[arg(long, value_enum, default_value_t = Executor::Local)]
    pub executor: Executor,
    /// With --executor slurm: write and print the sbatch scripts, submit nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Train only this run (resuming it), without collecting: what each Slurm array task runs.
    #[arg(long, conflicts_with_all = ["list", "collect_only"])]
    pub only: Option<String>,
    /// With the local executor: train this many runs at once, each a child process
    /// (`ladder run FILE --only RUN`) with an equal share of the cores as its thread budget
    /// (RAYON_NUM_THREADS) and its output in WORK/logs/RUN.log. The largest runs start first;
    /// finished runs are skipped and interrupted ones resumed as with one job.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub jobs: u32,
    /// Keep (and collect, and resume) runs whose recorded fingerprint differs from the current
    /// configuration; without it such a run is an error that names the fields that changed.
    #[arg(long)]
    pub accept_changed: bool,
}

struct Bars {
    runs: ProgressBar,
    steps: ProgressBar,
    tokens_per_step: u64,
}

impl Progress for Bars {
    fn step(&mut self, step: u64, total: u64, loss: f64) {
        self.steps.set_length(total);
        self.steps.set_position(step);
        self.steps.set_message(format!("loss {loss:.3} · {:.0} tokens/s", self.steps.per_sec() * self.tokens_per_step as f64));
    }
}

impl RunnerProgress for Bars {
    fn run_started(&mut self, index: usize, _total: usize, run: &PlannedRun, state: RunState) {
        self.runs.set_position(index as u64);
        self.runs.set_message(format!("{} ({})", run.key, describe(state)));
        self.tokens_per_step = run.config.plan.tokens_per_step;
        self.steps.reset();
    }
}

fn describe(state: RunState) -> String {
    match state {
        RunState::Fresh => "new".into(),
        RunState::Partial(step) => format!("resuming after step {step}"),
        RunState::Finished => "finished".into(),
        RunState::Collected => "collected (kept from the output folder)".into(),
        RunState::Changed(why) => format!("finished, {why}"),
    }
}

/// Runs `ladder run`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let experiment = LadderExperiment::load(&args.file)?;
    // Collecting compares each run's fingerprint, which holds the tokenizer's content: a `bpe:`
    // tokenizer missing here (a fresh clone of collected tables) is trained first, as a run would.
    if !args.list && experiment.prepare_tokenizer()? {
        eprintln!("trained the tokenizer {} on the mix", experiment.run_tokenizer());
    }
    let runs = experiment.runs()?;
    let total_flops: f64 = runs.iter().filter(|r| !r.target).map(|r| r.config.plan.flops).sum();
    let target_flops: f64 = runs.iter().filter(|r| r.target).map(|r| r.config.plan.flops).sum();
    let targets = runs.iter().filter(|r| r.target).count();
    let target_part = if targets == 0 { String::from("no target") } else { format!("{targets} targets of {target_flops:.3e} FLOPs") };
    eprintln!("{}: {} runs; ladder {total_flops:.3e} FLOPs, {target_part}", experiment.name, runs.len());
    if args.list {
        println!("| run | role | N | steps | tokens | FLOPs | state | folder |\n|---|---|---|---|---|---|---|---|");
        for r in &runs {
            let p = &r.config.plan;
            println!(
                "| {} | {} | {} | {} | {} | {:.3e} | {} | {} |",
                r.key,
                if r.target { "target" } else { "rung" },
                p.n,
                p.total_steps,
                p.tokens,
                p.flops,
                describe(runner::state_with(r, args.accept_changed)),
                r.dir.display()
            );
        }
        return Ok(());
    }
    if let Some(id) = &args.only {
        let run = runs.iter().find(|r| &r.key == id).with_context(|| {
            format!(
                "{} has no run {id:?}; its runs: {}",
                args.file.display(),
                runs.iter().map(|r| r.key.as_str()).collect::<Vec<_>>().join(", ")
            )
        })?;
        let device = args.device.device()?;
        let mut bars = bars(1);
        runner::run_local(std::slice::from_ref(run), &device, args.accept_changed, &mut bars)?;
        bars.steps.finish_and_clear();
        println!("{id}: finished ({})", run.dir.display());
        return Ok(());
    }
    if args.executor == Executor::Slurm && !args.collect_only {
        return slurm(&args, &experiment, &runs);
    }
    if !args.collect_only && args.jobs > 1 {
        let failed = parallel(&args, &experiment, &runs)?;
        collect(&experiment, &runs, args.accept_changed)?;
        anyhow::ensure!(
            failed.is_empty(),
            "{} runs failed (finished runs are kept; call again to resume them):\n{}",
            failed.len(),
            failed.join("\n")
        );
        return Ok(());
    }
    if !args.collect_only {
        let device = args.device.device()?;
        let mut bars = bars(runs.len());
        runner::run_local(&runs, &device, args.accept_changed, &mut bars).with_context(|| format!("running {}", args.file.display()))?;
        bars.runs.finish_and_clear();
        bars.steps.finish_and_clear();
    }
    collect(&experiment, &runs, args.accept_changed)
}

/// `--jobs N`: the unfinished runs, largest FLOPs first, over N child processes. Returns the
/// failed runs with their logs.
fn parallel(args: &Args, experiment: &LadderExperiment, runs: &[PlannedRun]) -> anyhow::Result<Vec<String>> {
    args.device.device()?;
    let mut queue: Vec<&PlannedRun> = runs.iter().filter(|r| !runner::state_with(r, args.accept_changed).is_done()).collect();
    queue.sort_by(|a, b| b.config.plan.flops.total_cmp(&a.config.plan.flops));
    let jobs = (args.jobs as usize).min(queue.len().max(1));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = (cores / jobs).max(1);
    let logs = experiment.work.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let binary = std::env::current_exe()?;
    let multi = MultiProgress::new();
    let overall = multi.add(ProgressBar::new(queue.len() as u64));
    overall.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} runs · {jobs} jobs × {threads} threads · {elapsed}"
                .replace("{jobs}", &jobs.to_string())
                .replace("{threads}", &threads.to_string())
                .as_str(),
        )
        .expect("static template"),
    );
    let slots: Vec<ProgressBar> = (0..jobs).map(|_| multi.add(ProgressBar::new_spinner())).collect();
    for s in &slots {
        s.set_style(ProgressStyle::with_template("  {spinner} {msg} · {elapsed}").expect("static template"));
        s.enable_steady_tick(std::time::Duration::from_millis(500));
    }
    let mut next = queue.into_iter();
    let mut active: Vec<Option<(std::process::Child, String, PathBuf)>> = (0..jobs).map(|_| None).collect();
    let mut failed = Vec::new();
    loop {
        for (slot, bar) in active.iter_mut().zip(&slots) {
            if let Some((child, id, log)) = slot {
                if let Some(status) = child.try_wait()? {
                    if !status.success() {
                        failed.push(format!("  {id} ({status}; log: {})", log.display()));
                    }
                    overall.inc(1);
                    *slot = None;
                }
            }
            if slot.is_none() {
                if let Some(run) = next.next() {
                    let id = run.key.clone();
                    let log = logs.join(format!("{id}.log"));
                    if let Some(parent) = log.parent() {
                        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
                    }
                    let file = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
                    let child = std::process::Command::new(&binary)
                        .args(["run", &args.file.display().to_string(), "--only", &id, "--device", &args.device.to_string()])
                        .args(args.accept_changed.then_some("--accept-changed"))
                        .env("RAYON_NUM_THREADS", threads.to_string())
                        .stdin(std::process::Stdio::null())
                        .stdout(file.try_clone()?)
                        .stderr(file)
                        .spawn()
                        .with_context(|| format!("starting {} for {id}", binary.display()))?;
                    bar.reset_elapsed();
                    bar.set_message(format!("{id} ({})", describe(runner::state_with(run, args.accept_changed))));
                    *slot = Some((child, id, log));
                } else {
                    bar.set_message("idle");
                }
            }
        }
        if active.iter().all(Option::is_none) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    for s in &slots {
        s.finish_and_clear();
    }
    overall.finish_and_clear();
    Ok(failed)
}

fn collect(experiment: &LadderExperiment, runs: &[PlannedRun], accept_changed: bool) -> anyhow::Result<()> {
    let mut changed = Vec::new();
    for collected in runner::collect_with(experiment, runs, accept_changed)? {
        let recipe = collected.recipe.as_ref().map(|r| format!("recipe {r}: ")).unwrap_or_default();
        println!("{recipe}{} runs collected into {} (config {})", collected.runs, collected.out.display(), collected.config.display());
        if !collected.kept.is_empty() {
            println!("{recipe}kept as collected earlier (no run folder here): {}", collected.kept.join(", "));
        }
        if !collected.missing.is_empty() {
            println!("{recipe}not finished, left out: {}", collected.missing.join(", "));
        }
        changed.extend(collected.changed.iter().map(|c| format!("{recipe}{c}")));
    }
    if !changed.is_empty() {
        anyhow::bail!(
            "{} runs finished with another configuration than the experiment's and were left out (--accept-changed keeps them):\n  {}",
            changed.len(),
            changed.join("\n  ")
        );
    }
    Ok(())
}

fn bars(runs: usize) -> Bars {
    let multi = MultiProgress::new();
    let runs_bar = multi.add(ProgressBar::new(runs as u64));
    runs_bar.set_style(ProgressStyle::with_template("run {pos}/{len} · {msg}").expect("static template"));
    let steps = multi.add(ProgressBar::new(1));
    steps.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} steps · {msg} · ETA {eta}").expect("static template"));
    Bars { runs: runs_bar, steps, tokens_per_step: 1 }
}

struct QueueBar(ProgressBar);

impl SlurmProgress for QueueBar {
    fn update(&mut self, finished: usize, total: usize, active: usize) {
        self.0.set_length(total as u64);
        self.0.set_position(finished as u64);
        self.0.set_message(format!("{active} array tasks queued or running"));
    }
}

/// `--executor slurm`: submit, follow, report, collect what finished.
fn slurm(args: &Args, experiment: &LadderExperiment, runs: &[PlannedRun]) -> anyhow::Result<()> {
    let absolute = |p: &std::path::Path| std::path::absolute(p).with_context(|| format!("resolving {}", p.display()));
    let command = TaskCommand {
        binary: std::env::current_exe()?,
        file: absolute(&args.file)?,
        device: args.device.to_string(),
        cwd: absolute(std::path::Path::new("."))?,
    };
    let bar = ProgressBar::new(runs.len() as u64);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} runs finished · {msg} · {elapsed}").expect("static template"));
    let outcome = run_slurm(experiment, runs, &command, args.dry_run, &mut QueueBar(bar.clone()))?;
    bar.finish_and_clear();
    if args.dry_run {
        for (path, text) in &outcome.scripts {
            println!("# {} (not submitted)\n{text}", path.display());
        }
        if outcome.scripts.is_empty() {
            println!("nothing to submit: every run is finished or in the queue");
        }
        return Ok(());
    }
    if !outcome.in_flight.is_empty() {
        eprintln!("already in the queue, not submitted again: {}", outcome.in_flight.join(", "));
    }
    eprintln!("submitted {} runs: {}", outcome.submitted.len(), outcome.submitted.join(", "));
    collect(experiment, runs, args.accept_changed)?;
    let describe = |list: &[(String, Option<PathBuf>)]| {
        list.iter()
            .map(|(id, log)| format!("  {id}{}", log.as_ref().map(|l| format!(" (log: {})", l.display())).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut problems = Vec::new();
    if !outcome.failed.is_empty() {
        problems.push(format!(
            "{} runs did not finish; call `ladder run {} --executor slurm` again to resubmit only them (finished runs are kept):\n{}",
            outcome.failed.len(),
            args.file.display(),
            describe(&outcome.failed)
        ));
    }
    if !outcome.given_up.is_empty() {
        problems.push(format!(
            "{} runs failed {} times and are not submitted again; read their logs, fix the cause, then delete {} to reset the count:\n{}",
            outcome.given_up.len(),
            experiment.slurm.max_attempts,
            experiment.work.join("slurm/jobs.json").display(),
            describe(&outcome.given_up)
        ));
    }
    anyhow::ensure!(problems.is_empty(), "{}", problems.join("\n"));
    Ok(())
}
