//! `ladder plan`: the runs of a ladder under its rules, as a table.

use std::io::Write;
use std::path::PathBuf;

use ladder_io::table::{write_table, Format};
use ladder_schedule::{LadderKind, LadderPlan, RuleChanges};
use polars::prelude::*;

/// Arguments of `ladder plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which ladder: `paper` (190M–1.3B × 0.5–10xC, L = 4096, the paper's rules to the step) or
    /// `micro` (the CPU micro ladder's tier A: u100k, u200k, u400k × 0.5–10xC plus a 1xC rerun with
    /// another seed, L = 512, batch rounded to whole sequences, no +10 extra steps).
    #[arg(long, default_value = "paper")]
    pub ladder: LadderKind,
    /// Changes to the ladder's rules.
    #[command(flatten)]
    pub rules: RuleOverrides,
    /// Also write the table as CSV into this folder (`plan.csv`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Command-line changes to a ladder's rules, shared by `plan` and `train`.
#[derive(Debug, clap::Args)]
pub struct RuleOverrides {
    /// Another training sequence length (the rules keep their form).
    #[arg(long)]
    pub seq_len: Option<usize>,
    /// One constant factor on every rung's peak LR (recipe §10.6).
    #[arg(long)]
    pub lr_multiplier: Option<f64>,
}

impl RuleOverrides {
    /// The changes these flags ask for.
    pub fn changes(&self) -> RuleChanges {
        RuleChanges { seq_len: self.seq_len, lr_multiplier: self.lr_multiplier }
    }
}

/// Runs `ladder plan`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let kind = args.ladder;
    let rules = args.rules.changes().apply(kind.rules());
    let plan = LadderPlan::with_rules(kind, rules)?;
    let mut table = plan_table(&plan)?;
    let mut out = std::io::stdout().lock();
    std::env::set_var("POLARS_FMT_MAX_ROWS", "100");
    std::env::set_var("POLARS_FMT_MAX_COLS", "20");
    std::env::set_var("POLARS_TABLE_WIDTH", "200");
    std::env::set_var("POLARS_FMT_TABLE_HIDE_COLUMN_DATA_TYPES", "1");
    std::env::set_var("POLARS_FMT_TABLE_HIDE_DATAFRAME_SHAPE_INFORMATION", "1");
    std::env::set_var("POLARS_FMT_TABLE_FORMATTING", "ASCII_MARKDOWN");
    writeln!(out, "{table}")?;
    writeln!(out, "{} runs, {:.3e} training FLOPs in all", plan.runs.len(), plan.total_flops())?;
    if let Some(dir) = args.out {
        let path = write_table(&mut table, &dir, "plan", Format::Csv)?;
        writeln!(out, "→ {}", path.display())?;
    }
    Ok(())
}

/// One row per run: size, multiplier, N, D, steps, batch, LR, FLOPs.
pub fn plan_table(plan: &LadderPlan) -> PolarsResult<DataFrame> {
    let runs = &plan.runs;
    df!(
        "run" => runs.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        "d" => runs.iter().map(|r| r.shape.d_model as u64).collect::<Vec<_>>(),
        "layers" => runs.iter().map(|r| r.shape.n_layers as u64).collect::<Vec<_>>(),
        "heads" => runs.iter().map(|r| r.shape.n_heads as u64).collect::<Vec<_>>(),
        "N" => runs.iter().map(|r| r.n).collect::<Vec<_>>(),
        "xC" => runs.iter().map(|r| r.multiplier).collect::<Vec<_>>(),
        "batch" => runs.iter().map(|r| r.batch_seqs as u64).collect::<Vec<_>>(),
        "peak_lr" => runs.iter().map(|r| r.lr.peak).collect::<Vec<_>>(),
        "warmup" => runs.iter().map(|r| r.lr.warmup).collect::<Vec<_>>(),
        "steps" => runs.iter().map(|r| r.total_steps).collect::<Vec<_>>(),
        "D" => runs.iter().map(|r| r.tokens).collect::<Vec<_>>(),
        "evals" => runs.iter().map(|r| r.eval_steps.len() as u64).collect::<Vec<_>>(),
        "FLOPs" => runs.iter().map(|r| r.flops).collect::<Vec<_>>(),
        "seed" => runs.iter().map(|r| r.seed).collect::<Vec<_>>(),
    )
}
