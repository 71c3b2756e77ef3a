//! `ladder predict`: fit one design on a ladder and predict targets that were never trained,
//! given only N and D, with confidence and prediction intervals, a table and a figure.

use std::io::Write;
use std::path::PathBuf;

use ladder_fit::design::{self, Design};
use ladder_fit::experiment::Experiment;
use ladder_fit::project::{self, GridAxis, Projection};
use ladder_io::table::{write_table, Format};
use ladder_report::chart::{Figure, Mark, Panel, Series};
use ladder_report::columns::{floats, strings};

/// Arguments of `ladder predict`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ladder predict --n 7e9 --d 2e12                              # the paper ladder, 8 tasks\n  ladder predict --n 7e9 --d 2e12 --n 13e9 --d 5e12\n  ladder predict --grid-n 1e9,3e9,7e9 --multipliers 1,2,5,10\n  ladder predict --experiment experiments/cpu-micro-ablation.toml --design two_step_taskce --n 3e5 --d 6e7"
)]
pub struct Args {
    /// An experiment file: its data folder, config, tasks and designs (the design is picked by
    /// --design among them). Without it: the OLMo-ladder data's `final` config, v2_main.
    #[arg(long)]
    pub experiment: Option<PathBuf>,
    /// OLMo-ladder data folder (default: the experiment's, else $OLMO_LADDER_DATA, else
    /// ../shared/olmo-ladder).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// How --data is read: a folder in the OLMo-ladder layout, a .csv/.parquet long run table, or
    /// (`wandb`) the folder layout with empty cells where nothing was evaluated.
    #[arg(long, value_enum, default_value_t = crate::source::DataFormat::Auto)]
    pub format: crate::source::DataFormat,
    /// Config of the ladder to fit (default: the experiment's, else `final`).
    #[arg(long)]
    pub config: Option<String>,
    /// Tasks (default: the experiment's, else v2_main).
    #[arg(long)]
    pub tasks: Option<String>,
    /// The design: a name among the experiment's designs, or a design kind of the registry
    /// with its defaults (`two_step` is the paper's task-bpb chain; `two_step_bpb` names it too).
    #[arg(long, default_value = "two_step_bpb")]
    pub design: String,
    /// Target parameter counts N, one per target (with as many --d).
    #[arg(long, allow_negative_numbers = true)]
    pub n: Vec<f64>,
    /// Target training tokens D, one per --n.
    #[arg(long, allow_negative_numbers = true)]
    pub d: Vec<f64>,
    /// FLOPs per token of each --n target (default: 6·N; only FLOPs designs read it).
    #[arg(long)]
    pub flops_per_token: Vec<f64>,
    /// A grid instead: these N values × --multipliers (D = 20·m·N) or × --tokens.
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["n", "d"])]
    pub grid_n: Vec<f64>,
    /// Token multipliers of the grid.
    #[arg(long, value_delimiter = ',', requires = "grid_n", conflicts_with = "tokens")]
    pub multipliers: Vec<f64>,
    /// Token counts D of the grid.
    #[arg(long, value_delimiter = ',', requires = "grid_n")]
    pub tokens: Vec<f64>,
    /// Interval level.
    #[arg(long, default_value_t = ladder_fit::uncertainty::DEFAULT_LEVEL)]
    pub level: f64,
    /// Bootstrap draws for a second confidence interval (train runs resampled, the design
    /// refitted per draw; 0: delta method only).
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output folder: projections.csv/.parquet and figures/projection.png/.svg.
    #[arg(long, default_value = "out/predict")]
    pub out: PathBuf,
}

/// The design named `name`: one of the experiment's, else a registry kind with its defaults.
fn pick_design(name: &str, experiment: Option<&Experiment>) -> anyhow::Result<Box<dyn Design>> {
    if let Some(e) = experiment {
        if let Some(d) = e.designs()?.into_iter().find(|d| d.name() == name) {
            return Ok(d);
        }
    }
    let kind = if name == "two_step_bpb" { "two_step" } else { name };
    if !design::REGISTRY.iter().any(|k| k.kind == kind) {
        let mut known: Vec<String> = experiment
            .map(|e| e.designs().map(|d| d.iter().map(|d| d.name().to_string()).collect()).unwrap_or_default())
            .unwrap_or_default();
        known.extend(design::REGISTRY.iter().map(|k| k.kind.to_string()));
        anyhow::bail!("unknown design `{name}`; known: two_step_bpb, {}", known.join(", "));
    }
    Ok(design::build(&format!("name = {name:?}\nkind = {kind:?}").parse::<toml::Table>()?)?)
}

fn projections(args: &Args) -> anyhow::Result<Vec<Projection>> {
    if !args.grid_n.is_empty() {
        let axis =
            if args.tokens.is_empty() { GridAxis::Multipliers(args.multipliers.clone()) } else { GridAxis::Tokens(args.tokens.clone()) };
        return Ok(project::grid(&args.grid_n, &axis)?);
    }
    anyhow::ensure!(!args.n.is_empty(), "no target: give --n and --d (one --d per --n), or --grid-n with --multipliers or --tokens");
    anyhow::ensure!(args.n.len() == args.d.len(), "{} --n but {} --d: give one D per N", args.n.len(), args.d.len());
    anyhow::ensure!(
        args.flops_per_token.is_empty() || args.flops_per_token.len() == args.n.len(),
        "{} --flops-per-token for {} targets: give one per target or none",
        args.flops_per_token.len(),
        args.n.len()
    );
    Ok(args
        .n
        .iter()
        .zip(&args.d)
        .enumerate()
        .map(|(i, (&n, &d))| Projection::new(n, d, args.flops_per_token.get(i).copied()))
        .collect::<Result<_, _>>()?)
}

/// Runs `ladder predict`.
pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.level > 0.0 && args.level < 1.0, "--level must lie in (0, 1), found {}", args.level);
    let experiment = args.experiment.as_deref().map(Experiment::from_file).transpose()?;
    let targets = projections(&args)?;
    let design = pick_design(&args.design, experiment.as_ref())?;
    let data_dir = args
        .data
        .clone()
        .or_else(|| experiment.as_ref().and_then(|e| e.data.clone()))
        .unwrap_or_else(|| ladder_io::olmo::default_data_dir(&std::env::current_dir().unwrap_or_default()));
    let config = args
        .config
        .clone()
        .or_else(|| experiment.as_ref().map(|e| e.config.clone()))
        .unwrap_or_else(|| ladder_fit::paper::LADDER_CONFIG.into());
    let tasks = args.tasks.clone().or_else(|| experiment.as_ref().map(|e| e.tasks.clone())).unwrap_or_else(|| "v2_main".into());
    let (ladder, skipped) = crate::source::load(&data_dir, &config, args.format)?;
    if let Some(line) = crate::source::report(&skipped) {
        eprintln!("{line}");
    }
    let tasks = ladder_core::TaskSet::get(&tasks)?.tasks;
    let boot = (args.bootstrap > 0).then_some(ladder_fit::uncertainty::BootstrapSettings {
        draws: args.bootstrap,
        level: args.level,
        seed: args.seed,
        ..Default::default()
    });
    let bar = if args.bootstrap > 0 {
        indicatif::ProgressBar::new((args.bootstrap * tasks.len()) as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut table = project::project_with(&ladder, design.as_ref(), &tasks, &targets, args.level, boot.as_ref(), &|| bar.inc(1))?;
    bar.finish_and_clear();
    let mut written = vec![
        write_table(&mut table, &args.out, "projections", Format::Csv)?,
        write_table(&mut table, &args.out, "projections", Format::Parquet)?,
    ];
    written.extend(figure(&ladder, &tasks, &table, design.name(), args.level, &args.out.join("figures"))?);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}{}", ladder_report::markdown::projections(&table, args.level)?, ladder_fit::trust::rule_text())?;
    let failed: Vec<String> = strings(&table, "error")?
        .into_iter()
        .zip(strings(&table, "task")?)
        .filter(|(e, _)| !e.is_empty())
        .map(|(e, t)| format!("{t}: {e}"))
        .collect();
    let removed = crate::outputs::replace(&args.out, &written)?;
    writeln!(out, "wrote:")?;
    for path in written {
        writeln!(out, "  {}", path.display())?;
    }
    for path in removed {
        writeln!(out, "  removed (an earlier run's, not written now): {}", path.display())?;
    }
    anyhow::ensure!(
        failed.is_empty(),
        "{} projections have no value (their rows are kept, with the message):\n  {}",
        failed.len(),
        failed.join("\n  ")
    );
    Ok(())
}

/// One panel per task: predicted accuracy vs compute along the targets (sorted by compute), both
/// bands, the ladder's runs at their final checkpoint, and the targets marked.
fn figure(
    ladder: &ladder_core::Ladder,
    tasks: &[ladder_core::Task],
    table: &polars::prelude::DataFrame,
    design: &str,
    level: f64,
    dir: &std::path::Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let names = strings(table, "task")?;
    let [n, c, predicted, ci_lo, ci_hi, pi_lo, pi_hi] =
        ["n", "c", "predicted", "ci_lo", "ci_hi", "pi_lo", "pi_hi"].map(|col| floats(table, col).unwrap_or_default());
    let mut panels = Vec::new();
    for task in tasks {
        let mut rows: Vec<usize> = (0..names.len()).filter(|&i| names[i] == task.key).collect();
        rows.sort_by(|&a, &b| c[a].total_cmp(&c[b]));
        // One curve per N (a grid's N values each along their D), in compute order.
        let mut sizes: Vec<f64> = rows.iter().map(|&i| n[i]).collect();
        sizes.sort_by(f64::total_cmp);
        sizes.dedup();
        let line = |v: &[f64], size: f64| -> Vec<(f64, f64)> {
            rows.iter().filter(|&&i| n[i] == size && v[i].is_finite()).map(|&i| (c[i], v[i])).collect()
        };
        let mut runs = Vec::new();
        for entry in ladder.train_entries() {
            for run in &entry.runs {
                if let Ok((tokens, acc)) = run.finite_task_values(task, ladder_core::Feature::RcAcc) {
                    runs.push((tokens[tokens.len() - 1] * entry.flops_per_token, acc[acc.len() - 1]));
                }
            }
        }
        let pct = (100.0 * level).round();
        let mut series = vec![Series { label: Some("ladder runs (final checkpoint)".into()), points: runs, mark: Mark::Points, color: 9 }];
        for (k, &size) in sizes.iter().enumerate() {
            let label = |s: String| (k == 0).then_some(s);
            series.push(Series {
                label: label(format!("{pct} % prediction interval (one run)")),
                points: line(&pi_lo, size),
                mark: Mark::Line,
                color: 4,
            });
            series.push(Series { label: None, points: line(&pi_hi, size), mark: Mark::Line, color: 4 });
            series.push(Series {
                label: label(format!("{pct} % confidence interval")),
                points: line(&ci_lo, size),
                mark: Mark::Line,
                color: 2,
            });
            series.push(Series { label: None, points: line(&ci_hi, size), mark: Mark::Line, color: 2 });
            series.push(Series {
                label: label("projection (one line per N)".into()),
                points: line(&predicted, size),
                mark: Mark::Line,
                color: 0,
            });
            series.push(Series { label: label("targets".into()), points: line(&predicted, size), mark: Mark::Cross, color: 1 });
        }
        panels.push(Panel {
            title: task.key.clone(),
            x_label: "compute C (FLOPs)".into(),
            y_label: "accuracy".into(),
            log_x: true,
            series,
        });
    }
    let figure = Figure { title: format!("Projected accuracy vs compute ({design})"), panels, columns: 3, shared_legend: true };
    Ok(figure.render(&dir.join("projection"))?.to_vec())
}
