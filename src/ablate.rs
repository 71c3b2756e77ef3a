//! `ladder ablate`: run an experiment file's grid of designs and write one prediction table.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use ladder_fit::design::REGISTRY;
use ladder_fit::experiment::Experiment;
use ladder_io::table::{write_table, Format};

/// Arguments of `ladder ablate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Experiment file (TOML), e.g. experiments/paper-ablation.toml.
    #[arg(required_unless_present = "list_designs")]
    pub file: Option<PathBuf>,
    /// OLMo-ladder data folder. Defaults to the experiment file's `data` folder, else
    /// $OLMO_LADDER_DATA, else ../shared/olmo-ladder.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// How --data is read (a folder: the OLMo-ladder layout; a .csv/.parquet file: a long run
    /// table; `wandb`: the folder layout with empty cells where nothing was evaluated).
    #[arg(long, value_enum, default_value_t = crate::source::DataFormat::Auto)]
    pub format: crate::source::DataFormat,
    /// Output folder: predictions, backtest and `variance_<feature>` tables (CSV and Parquet),
    /// summary.md (predicted vs actual, errors, interval hits, compute), figures/ (predicted vs
    /// actual, error vs compute, and per target the paper chain's step-1 and step-2 fits).
    #[arg(long, default_value = "out/ablate")]
    pub out: PathBuf,
    /// Do not draw the figures (PNG and SVG in OUT/figures).
    #[arg(long)]
    pub no_figures: bool,
    /// Exit 0 even when some fits fail (their rows keep NaN and the message in `error`); without
    /// it the command writes everything, lists the failures and exits non-zero.
    #[arg(long)]
    pub allow_failed_fits: bool,
    /// List the design kinds an experiment file can use, and exit.
    #[arg(long)]
    pub list_designs: bool,
}

/// Runs `ladder ablate`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if args.list_designs {
        for kind in REGISTRY {
            writeln!(out, "{:16} {}", kind.kind, kind.about)?;
        }
        return Ok(());
    }
    let file = args.file.expect("clap requires FILE");
    let experiment = Experiment::from_file(&file)?;
    let data_dir = args
        .data
        .clone()
        .or_else(|| experiment.data.clone())
        .unwrap_or_else(|| ladder_io::olmo::default_data_dir(&std::env::current_dir().unwrap_or_default()));
    let (ladder, skipped) = crate::source::load(&data_dir, &experiment.config, args.format)?;
    if let Some(line) = crate::source::report(&skipped) {
        eprintln!("{line}");
    }
    let variance_ladder = match &experiment.variance {
        Some(spec) => Some(
            ladder_io::olmo::load_ladder(&data_dir, &spec.config)
                .with_context(|| format!("loading config `{}` from {}", spec.config, data_dir.display()))?,
        ),
        None => None,
    };
    let start = std::time::Instant::now();
    let draws = experiment.bootstrap_draws()?;
    let bar = if draws > 0 { indicatif::ProgressBar::new(draws as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("bootstrap {bar:40} {pos}/{len} draws, {per_sec}, ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut result = experiment.run_with_progress(&ladder, variance_ladder.as_ref(), &|| bar.inc(1))?;
    bar.finish_and_clear();
    let elapsed = start.elapsed().as_secs_f64();
    let mut written = Vec::new();
    for format in [Format::Csv, Format::Parquet] {
        written.push(write_table(&mut result.predictions, &args.out, "predictions", format)?);
        if let Some(backtest) = result.backtest.as_mut() {
            written.push(write_table(backtest, &args.out, "backtest", format)?);
        }
        if let Some(projections) = result.projections.as_mut() {
            written.push(write_table(projections, &args.out, "projections", format)?);
        }
        if let Some(coverage) = result.coverage.as_mut() {
            written.push(write_table(coverage, &args.out, "coverage", format)?);
        }
        written.push(write_table(&mut result.snr, &args.out, "snr", format)?);
        for (feature, table) in result.variance.iter_mut() {
            written.push(write_table(table, &args.out, &format!("variance_{}", feature.name()), format)?);
        }
    }
    let mut summary = ladder_report::markdown::predicted_vs_actual(&result.predictions)?;
    summary.push_str(&ladder_report::markdown::error_pivot(&result.predictions)?);
    summary.push_str(&ladder_report::markdown::points_pivot(&result.predictions)?);
    summary.push_str(&ladder_report::markdown::interval_summary(&result.predictions, result.coverage.as_ref())?);
    summary.push_str(&ladder_report::markdown::trust_summary(&result.predictions)?);
    summary.push_str(&ladder_fit::trust::rule_text());
    let (ladder, _) = experiment.with_inline_targets(&ladder)?;
    summary.push_str(&ladder_report::markdown::compute_share(&ladder, &result.targets)?);
    summary.push_str(&ladder_report::markdown::snr_summary(&result.snr)?);
    if let Some(projections) = &result.projections {
        summary.push_str(&ladder_report::markdown::projections(projections, experiment.uncertainty.level)?);
    }
    let summary_path = args.out.join("summary.md");
    ladder_core::fsio::write_atomic(&summary_path, &summary).with_context(|| format!("writing {}", summary_path.display()))?;
    written.push(summary_path);
    if !args.no_figures {
        let dir = args.out.join("figures");
        written.extend(crate::figures::predicted_vs_actual(&result.predictions, &dir, "predicted_vs_actual")?);
        // The paper's chain (step 1 on task bpb, step 2 sigmoid) drawn against each target.
        let tasks = ladder_core::TaskSet::get(&experiment.tasks)?.tasks;
        let design = ladder_fit::paper::paper_design("two_step_bpb").expect("a paper design").design;
        let fits: Result<Vec<_>, _> = tasks.iter().map(|task| design.fit(&ladder, task)).collect();
        for target in &result.targets {
            let drawn = fits
                .as_ref()
                .map_err(|e| anyhow::anyhow!("{e}"))
                .and_then(|fits| crate::figures::paper_fits(&ladder, &tasks, fits, ladder.target(target)?, &dir.join(target)));
            match drawn {
                Ok(files) => written.extend(files),
                Err(e) => writeln!(out, "note: no step-1/step-2 figures for {target}: {e:#}")?,
            }
        }
        if let Some(backtest) = &result.backtest {
            written.extend(crate::figures::error_vs_compute(backtest, &dir)?);
        }
    }
    let removed = crate::outputs::replace(&args.out, &written)?;
    writeln!(out, "{summary}")?;
    writeln!(out, "{} predictions in {elapsed:.1} s; wrote:", result.predictions.height())?;
    for path in written {
        writeln!(out, "  {}", path.display())?;
    }
    for path in removed {
        writeln!(out, "  removed (an earlier run's, not written now): {}", path.display())?;
    }
    let failed = failed_fits(&result.predictions)?;
    if !failed.is_empty() && !args.allow_failed_fits {
        anyhow::bail!(
            "{} of {} predictions have no value (everything else is written; --allow-failed-fits exits 0):\n  {}",
            failed.len(),
            result.predictions.height(),
            failed.join("\n  ")
        );
    }
    Ok(())
}

/// `design / task / target: message` for every row of a prediction table whose fit failed.
fn failed_fits(predictions: &polars::prelude::DataFrame) -> anyhow::Result<Vec<String>> {
    let [design, task, target, error] = ["design", "task", "target", "error"].map(|c| ladder_report::columns::strings(predictions, c));
    let (design, task, target, error) = (design?, task?, target?, error?);
    Ok((0..error.len())
        .filter(|&i| !error[i].is_empty())
        .map(|i| format!("{} / {} / {}: {}", design[i], task[i], target[i], error[i]))
        .collect())
}
