//! Where a ladder's data comes from: `--data` and `--format` of `ablate`, `predict` and `import`.

use std::path::Path;

use anyhow::Context;
use ladder_core::Ladder;
use ladder_io::olmo::{self, Missing, Skipped};

/// How `--data` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DataFormat {
    /// A folder: the OLMo-ladder layout (`olmo`); a `.csv`/`.parquet` file: a long run table
    /// (`long`).
    Auto,
    /// The OLMo-ladder layout (`configs/<config>.json`, `ladder-runs/*.csv`), every cell filled.
    Olmo,
    /// The same layout exported from W&B: an empty or NaN metric cell means "not evaluated at
    /// that checkpoint", is skipped by every fit of that metric and counted.
    Wandb,
    /// A long run table (CSV or Parquet; the columns of `ladder import`'s `runs.csv`); rows
    /// with a NaN value are skipped and counted. The config name is not used.
    Long,
}

/// The ladder in `path` read as `format` (config `config` for the folder layouts), and the metric
/// cells that were skipped as missing.
pub fn load(path: &Path, config: &str, format: DataFormat) -> anyhow::Result<(Ladder, Skipped)> {
    let format = match format {
        DataFormat::Auto if path.is_file() => DataFormat::Long,
        DataFormat::Auto => DataFormat::Olmo,
        f => f,
    };
    match format {
        DataFormat::Long => {
            let table = ladder_io::table::read_table(path)?;
            let ladder = ladder_io::table::ladder_from_run_table(&table, path).with_context(|| format!("reading {} as a long run table", path.display()))?;
            let skipped: usize = ladder.entries.iter().flat_map(|e| &e.runs).flat_map(|r| &r.checkpoints.metrics).map(|(_, v)| v.iter().filter(|x| x.is_nan()).count()).sum();
            Ok((ladder, if skipped > 0 { vec![(path.to_path_buf(), "value".into(), skipped)] } else { Vec::new() }))
        }
        DataFormat::Wandb => Ok(olmo::load_ladder_with(path, config, Missing::Skip).with_context(|| format!("loading config `{config}` from {}", path.display()))?),
        _ => match olmo::load_ladder(path, config) {
            Ok(ladder) => Ok((ladder, Vec::new())),
            Err(e @ ladder_core::LadderError::BadCell { .. }) if matches!(&e, ladder_core::LadderError::BadCell { value, .. } if value.trim().is_empty() || value.trim().eq_ignore_ascii_case("nan")) => {
                Err(anyhow::Error::new(e).context(format!("loading config `{config}` from {} (a W&B export with cells left empty where nothing was evaluated reads with --format wandb)", path.display())))
            }
            Err(e) => Err(anyhow::Error::new(e).context(format!("loading config `{config}` from {}", path.display()))),
        },
    }
}

/// One line on what was skipped, and the columns that lost the most (nothing when nothing was).
pub fn report(skipped: &Skipped) -> Option<String> {
    if skipped.is_empty() {
        return None;
    }
    let total: usize = skipped.iter().map(|(_, _, n)| n).sum();
    let files: std::collections::BTreeSet<&Path> = skipped.iter().map(|(f, _, _)| f.as_path()).collect();
    let mut worst: Vec<&(std::path::PathBuf, String, usize)> = skipped.iter().collect();
    worst.sort_by_key(|(_, _, n)| std::cmp::Reverse(*n));
    let top: Vec<String> = worst
        .iter()
        .take(3)
        .map(|(f, c, n)| {
            format!("{n} in {c} of {}", f.file_name().map_or_else(|| f.display().to_string(), |n| n.to_string_lossy().into_owned()))
        })
        .collect();
    Some(format!(
        "skipped {total} missing values (not evaluated at those checkpoints) in {} columns of {} files; most: {}",
        skipped.len(),
        files.len(),
        top.join(", ")
    ))
}
