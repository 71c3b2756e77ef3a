//! `ladder import`: a ladder in any input format (the OLMo-ladder layout, its W&B export with
//! empty cells, a long run table) → the long run table or the OLMo-ladder layout.

use std::io::Write;
use std::path::PathBuf;

use ladder_io::table::{run_table, write_table, Format};

/// Arguments of `ladder import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// OLMo-ladder data folder or a long run table file. Defaults to $OLMO_LADDER_DATA, else
    /// ../shared/olmo-ladder.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// How --data is read (see `ladder ablate --help`).
    #[arg(long, value_enum, default_value_t = crate::source::DataFormat::Auto)]
    pub format: crate::source::DataFormat,
    /// Config name in `configs/` (without `.json`).
    #[arg(long, default_value = ladder_fit::paper::LADDER_CONFIG)]
    pub config: String,
    /// What is written: the long run table (`runs.csv`, and `runs.parquet` with --parquet) or
    /// the OLMo-ladder layout (`configs/<config>.json`, `ladder-runs/*.csv`; missing values as
    /// empty cells, which `--format wandb` reads back).
    #[arg(long, value_enum, default_value_t = Output::Long)]
    pub to: Output,
    /// Output folder.
    #[arg(long, default_value = "out/import")]
    pub out: PathBuf,
    /// Also write the long table as Parquet.
    #[arg(long)]
    pub parquet: bool,
}

/// What `ladder import` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// The long run table: one row per entry × run × checkpoint × metric.
    Long,
    /// The OLMo-ladder layout: a config and one wide CSV per run.
    Olmo,
}

/// Runs `ladder import`: reads the ladder, reports skipped cells, writes it as `--to` says.
pub fn run(args: Args) -> anyhow::Result<()> {
    let data_dir = args.data.clone().unwrap_or_else(|| ladder_io::olmo::default_data_dir(&std::env::current_dir().unwrap_or_default()));
    let (ladder, skipped) = crate::source::load(&data_dir, &args.config, args.format)?;
    if let Some(line) = crate::source::report(&skipped) {
        eprintln!("{line}");
    }
    let runs: usize = ladder.entries.iter().map(|e| e.runs.len()).sum();
    if args.to == Output::Olmo {
        let written = ladder_io::olmo::write_ladder(&ladder, &args.out, &args.config)?;
        writeln!(
            std::io::stdout().lock(),
            "{} entries, {runs} runs → {} (config `{}`, {} run files)",
            ladder.entries.len(),
            args.out.display(),
            args.config,
            written.len() - 1
        )?;
        return Ok(());
    }
    let mut table = run_table(&ladder)?;
    let path = write_table(&mut table, &args.out, "runs", Format::Csv)?;
    if args.parquet {
        write_table(&mut table, &args.out, "runs", Format::Parquet)?;
    }
    let columns: Vec<String> = table.get_column_names().iter().map(|c| c.to_string()).collect();
    writeln!(
        std::io::stdout().lock(),
        "{} entries, {runs} runs, {} rows ({}) → {}",
        ladder.entries.len(),
        table.height(),
        columns.join(", "),
        path.display()
    )?;
    Ok(())
}
