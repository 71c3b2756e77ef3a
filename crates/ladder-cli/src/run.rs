//! `ladder run FILE`: every run of a ladder experiment (finished runs skipped, interrupted ones
//! resumed), then the evaluations collected into an OLMo-ladder data folder for `ladder ablate`.

use std::path::PathBuf;

use anyhow::Context;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use ladder_train::experiment::{LadderExperiment, PlannedRun};
use ladder_train::runner::{self, RunState, RunnerProgress};
use ladder_train::Progress;

/// Arguments of `ladder run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The experiment file (TOML; see experiments/quickstart.toml).
    pub file: PathBuf,
    /// Device: flex (CPU), or vulkan / wgpu / cuda when built with that feature.
    #[arg(long, default_value = "flex")]
    pub device: String,
    /// Only list the runs and their state.
    #[arg(long)]
    pub list: bool,
    /// Only collect the finished runs into the output folder (no training).
    #[arg(long)]
    pub collect_only: bool,
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
        self.runs.set_message(format!("{} ({})", run.config.plan.id, describe(state)));
        self.tokens_per_step = run.config.plan.tokens_per_step;
        self.steps.reset();
    }
}

fn describe(state: RunState) -> String {
    match state {
        RunState::Fresh => "new".into(),
        RunState::Partial(step) => format!("resuming after step {step}"),
        RunState::Finished => "finished".into(),
    }
}

/// Runs `ladder run`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let experiment = LadderExperiment::load(&args.file)?;
    if !args.list && !args.collect_only && experiment.prepare_tokenizer()? {
        eprintln!("trained the tokenizer {} on the mix", experiment.tokenizer_name());
    }
    let runs = experiment.runs()?;
    let total_flops: f64 = runs.iter().filter(|r| !r.target).map(|r| r.config.plan.flops).sum();
    let target_flops: f64 = runs.iter().filter(|r| r.target).map(|r| r.config.plan.flops).sum();
    eprintln!("{}: {} runs ({} targets); ladder {:.3e} FLOPs, targets {:.3e} FLOPs", experiment.name, runs.len(), runs.iter().filter(|r| r.target).count(), total_flops, target_flops);
    if args.list {
        println!("| run | role | N | steps | tokens | FLOPs | state | folder |\n|---|---|---|---|---|---|---|---|");
        for r in &runs {
            let p = &r.config.plan;
            println!("| {} | {} | {} | {} | {} | {:.3e} | {} | {} |", p.id, if r.target { "target" } else { "rung" }, p.n, p.total_steps, p.tokens, p.flops, describe(runner::state(r)), r.dir.display());
        }
        return Ok(());
    }
    if !args.collect_only {
        let device = crate::device::parse(&args.device)?;
        let multi = MultiProgress::new();
        let runs_bar = multi.add(ProgressBar::new(runs.len() as u64));
        runs_bar.set_style(ProgressStyle::with_template("run {pos}/{len} · {msg}").expect("static template"));
        let steps = multi.add(ProgressBar::new(1));
        steps.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} steps · {msg} · ETA {eta}").expect("static template"));
        let mut bars = Bars { runs: runs_bar, steps, tokens_per_step: 1 };
        runner::run_local(&runs, &device, &mut bars).with_context(|| format!("running {}", args.file.display()))?;
        bars.runs.finish_and_clear();
        bars.steps.finish_and_clear();
    }
    let collected = runner::collect(&experiment, &runs)?;
    println!("{} runs collected into {} (config {})", collected.runs, experiment.out.display(), collected.config.display());
    if !collected.missing.is_empty() {
        println!("not finished, left out: {}", collected.missing.join(", "));
    }
    Ok(())
}
