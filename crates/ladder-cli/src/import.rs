//! `ladder import`: an OLMo-ladder config and its run CSVs → the long run table.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use ladder_core::table::{run_table, write_table, Format};

/// Arguments of `ladder import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// OLMo-ladder data folder. Defaults to $OLMO_LADDER_DATA, else ../shared/olmo-ladder.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Config name in `configs/` (without `.json`).
    #[arg(long, default_value = "final")]
    pub config: String,
    /// Folder the table is written to, as `runs.csv` (and `runs.parquet` with --parquet).
    #[arg(long, default_value = "out/import")]
    pub out: PathBuf,
    /// Also write Parquet.
    #[arg(long)]
    pub parquet: bool,
}

/// Runs `ladder import`: one row per entry × run × checkpoint × metric.
pub fn run(args: Args) -> anyhow::Result<()> {
    let data_dir = args.data.clone().unwrap_or_else(|| ladder_core::olmo::default_data_dir(&std::env::current_dir().unwrap_or_default()));
    let ladder = ladder_core::olmo::load_ladder(&data_dir, &args.config)
        .with_context(|| format!("loading config `{}` from {}", args.config, data_dir.display()))?;
    let mut table = run_table(&ladder)?;
    let path = write_table(&mut table, &args.out, "runs", Format::Csv)?;
    if args.parquet {
        write_table(&mut table, &args.out, "runs", Format::Parquet)?;
    }
    let runs: usize = ladder.entries.iter().map(|e| e.runs.len()).sum();
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
