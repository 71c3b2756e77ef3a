//! `ladder decide`: which data recipe? Fit every recipe's ladder and rank the recipes at the
//! target, against the single-scale baseline, with compute multipliers.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use ladder_fit::decision::RecipeLadder;
use ladder_fit::experiment::Experiment;
use ladder_io::table::{write_table, Format};

/// Arguments of `ladder decide`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Experiment file (TOML) with a `[decision]` table naming the recipes, e.g.
    /// experiments/cpu-recipes-decide.toml.
    pub file: PathBuf,
    /// The folder holding one OLMo-ladder folder per recipe (`DATA/<recipe>/configs/<config>.json`,
    /// as `ladder run` collects a recipe experiment). Defaults to the experiment file's `data`.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// How each recipe's folder is read (`wandb`: empty cells where nothing was evaluated).
    #[arg(long, value_enum, default_value_t = crate::source::DataFormat::Auto)]
    pub format: crate::source::DataFormat,
    /// Output folder: predictions (every recipe's prediction at the target), decisions (decision
    /// accuracy per task of every ladder subset and single-scale ranking, with compute shares),
    /// multipliers (CSV and Parquet), summary.md and `figures/decision_accuracy_<metric>.{png,svg}`.
    #[arg(long, default_value = "out/decide")]
    pub out: PathBuf,
    /// Do not draw the figure.
    #[arg(long)]
    pub no_figures: bool,
}

/// Runs `ladder decide`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let experiment = Experiment::from_file(&args.file)?;
    let settings = experiment.decide_settings().with_context(|| format!("reading {}", args.file.display()))?;
    let spec = experiment.decision.as_ref().expect("checked by decide_settings");
    let data = args
        .data
        .clone()
        .or_else(|| experiment.data.clone())
        .with_context(|| format!("{}: give the folder of the recipes' ladders as `data` in the file or --data", args.file.display()))?;
    let mut recipes = Vec::new();
    for recipe in &spec.recipes {
        let (ladder, skipped) = crate::source::load(&data.join(recipe), &experiment.config, args.format)
            .with_context(|| format!("recipe {recipe} (a folder of `data`: {})", data.display()))?;
        if let Some(line) = crate::source::report(&skipped) {
            eprintln!("{recipe}: {line}");
        }
        recipes.push(RecipeLadder { recipe: recipe.clone(), ladder });
    }
    let tasks = ladder_core::TaskSet::get(&experiment.tasks)?.tasks;
    let draws = ladder_fit::decision::bootstrap_draws(&experiment.designs()?, tasks.len(), &settings);
    let bar = if draws > 0 { indicatif::ProgressBar::new(draws as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("multiplier bootstrap {bar:40} {pos}/{len} draws, {per_sec}, ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let start = std::time::Instant::now();
    let mut result = experiment.decide(&recipes, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let elapsed = start.elapsed().as_secs_f64();
    let mut written = Vec::new();
    for format in [Format::Csv, Format::Parquet] {
        written.push(write_table(&mut result.predictions, &args.out, "predictions", format)?);
        written.push(write_table(&mut result.decisions, &args.out, "decisions", format)?);
        written.push(write_table(&mut result.multipliers, &args.out, "multipliers", format)?);
    }
    let summary = ladder_report::decision::decision_summary(&result.predictions, &result.decisions, &result.multipliers)?;
    let summary_path = args.out.join("summary.md");
    ladder_core::fsio::write_atomic(&summary_path, &summary).with_context(|| format!("writing {}", summary_path.display()))?;
    written.push(summary_path);
    if !args.no_figures {
        for metric in &settings.metrics {
            written.extend(crate::figures::decision_vs_compute(&result.decisions, metric.name(), &args.out.join("figures"))?);
        }
    }
    let removed = crate::outputs::replace(&args.out, &written)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{summary}")?;
    writeln!(out, "{} recipes × {} tasks decided in {elapsed:.1} s; wrote:", recipes.len(), tasks.len())?;
    for path in written {
        writeln!(out, "  {}", path.display())?;
    }
    for path in removed {
        writeln!(out, "  removed (an earlier run's, not written now): {}", path.display())?;
    }
    Ok(())
}
