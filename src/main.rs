//! The `ladder` command-line tool.

mod ablate;
mod bench;
#[cfg(feature = "train")]
mod check_device;
mod data;
mod decide;
#[cfg(feature = "train")]
mod device;
#[cfg(feature = "train")]
mod eval;
#[cfg(feature = "train")]
mod eval_bench;
mod figures;
mod import;
mod outputs;
mod plan;
mod predict;
mod reproduce;
#[cfg(feature = "train")]
mod run;
mod source;
#[cfg(feature = "train")]
mod train;
#[cfg(feature = "train")]
mod train_bench;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Task scaling laws from model ladders (Bhagia et al. 2024): fit small-model ladder results and
/// predict the task accuracy of a large target model.
#[derive(Debug, Parser)]
#[command(name = "ladder", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Rebuild the paper's ten published tables from the OLMo-ladder data.
    Reproduce(reproduce::Args),
    /// Run an experiment file: a grid of prediction designs × tasks × targets, one table.
    Ablate(ablate::Args),
    /// Which data recipe? Fit the ladder of every recipe (same rungs, own mix) and rank the
    /// recipes at the target: decision accuracy per task of each design and of single-scale
    /// ranking against the compute each spends, and compute multipliers.
    Decide(decide::Args),
    /// Predict models that were never trained: fit a design on a ladder and project any (N, D),
    /// or a grid of them, with confidence and prediction intervals, a table and a figure.
    Predict(predict::Args),
    /// Read an OLMo-ladder config and its run CSVs into the long run table (CSV/Parquet).
    Import(import::Args),
    /// Time the whole reproduction (fits of all ten tables) and print the figures.
    Bench(bench::Args),
    /// Pretraining text from registry packages: `prepare` builds it, `stats` describes it.
    #[command(subcommand)]
    Data(data::Command),
    /// Print the runs of a ladder (size, multiplier, N, D, steps, batch, LR, FLOPs) as a table.
    Plan(plan::Args),
    /// Train one ladder run (a rung at a multiplier) on real text; resumable.
    #[cfg(feature = "train")]
    Train(train::Args),
    /// Time training steps of ladder rungs: tokens/s and achieved FLOP/s on a device.
    #[cfg(feature = "train")]
    BenchTrain(train_bench::Args),
    /// Train a tiny model on a device and on a reference device from the same weights and
    /// batches; compare logits, losses, gradients and weights (non-zero exit past the tolerance).
    #[cfg(feature = "train")]
    CheckDevice(check_device::Args),
    /// Evaluate a checkpoint on the paper's ranked-classification tasks (acc, len_norm, bpb,
    /// soft, soft_log, ce) and print a table.
    #[cfg(feature = "train")]
    Eval(eval::Args),
    /// Time evaluation: (question, choice) pairs per second with and without the prefix cache.
    #[cfg(feature = "train")]
    BenchEval(eval_bench::Args),
    /// Train every run of a ladder experiment (resumable) and collect the evaluations into an
    /// OLMo-ladder data folder for `ladder ablate`.
    #[cfg(feature = "train")]
    Run(run::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Reproduce(args) => reproduce::run(args),
        Command::Import(args) => import::run(args),
        Command::Ablate(args) => ablate::run(args),
        Command::Predict(args) => predict::run(args),
        Command::Decide(args) => decide::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Data(command) => data::run(command),
        #[cfg(feature = "train")]
        Command::Train(args) => train::run(args),
        #[cfg(feature = "train")]
        Command::BenchTrain(args) => train_bench::run(args),
        #[cfg(feature = "train")]
        Command::CheckDevice(args) => check_device::run(args),
        #[cfg(feature = "train")]
        Command::Eval(args) => eval::run(args),
        #[cfg(feature = "train")]
        Command::BenchEval(args) => eval_bench::run(args),
        #[cfg(feature = "train")]
        Command::Run(args) => run::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`ladder reproduce | head`): not an error.
        Err(e) if e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes joined by ": ", leaving out a cause that an outer message already
/// quotes (our file errors name their cause in their own text).
fn message(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
