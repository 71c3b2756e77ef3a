//! Tables as the interface between stages: the long run table (one row per run × checkpoint ×
//! metric) and writing any polars table as CSV or Parquet.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use ladder_core::error::{LadderError, Result};
use ladder_core::ladder::{Checkpoints, Entry, Ladder, Mode, Run};

/// Column names of the long run table, in order.
pub const RUN_TABLE_COLUMNS: [&str; 11] =
    ["entry", "mode", "n", "flops_per_token", "run", "multiplier", "checkpoint", "step", "tokens", "metric", "value"];

/// Flattens a ladder into the long run table (schema [`RUN_TABLE_COLUMNS`]).
pub fn run_table(ladder: &Ladder) -> Result<DataFrame> {
    let mut cols: (Vec<String>, Vec<&str>, Vec<f64>, Vec<f64>, Vec<String>) = Default::default();
    let (mut mult, mut ckpt, mut step, mut tokens, mut metric, mut value) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for entry in &ladder.entries {
        for run in &entry.runs {
            let m = run.multiplier;
            for (name, values) in &run.checkpoints.metrics {
                for (i, v) in values.iter().enumerate() {
                    cols.0.push(entry.name.clone());
                    cols.1.push(entry.mode.name());
                    cols.2.push(entry.n);
                    cols.3.push(entry.flops_per_token);
                    cols.4.push(run.name.clone());
                    mult.push(m);
                    ckpt.push(i as u32);
                    step.push(run.checkpoints.steps.as_ref().map(|s| s[i]));
                    tokens.push(run.checkpoints.tokens[i]);
                    metric.push(name.as_str());
                    value.push(*v);
                }
            }
        }
    }
    let [e, mo, n, f, r, mu, c, s, t, me, v] = RUN_TABLE_COLUMNS;
    df!(e => cols.0, mo => cols.1, n => cols.2, f => cols.3, r => cols.4, mu => mult, c => ckpt,
        s => step, t => tokens, me => metric, v => value)
    .map_err(crate::table_error)
}

/// Rebuilds a ladder from a long run table (the inverse of [`run_table`]); entries and runs keep
/// the order of their first row.
pub fn ladder_from_run_table(df: &DataFrame, source: &Path) -> Result<Ladder> {
    let col = |name: &str| -> Result<&Column> {
        df.column(name).map_err(|_| LadderError::MissingColumn {
            path: source.to_path_buf(),
            column: name.to_string(),
            hint: " (a run table needs the columns of ladder_io::table::RUN_TABLE_COLUMNS)".to_string(),
        })
    };
    let (entry, mode, run, metric) = (
        col("entry")?.str().map_err(crate::table_error)?,
        col("mode")?.str().map_err(crate::table_error)?,
        col("run")?.str().map_err(crate::table_error)?,
        col("metric")?.str().map_err(crate::table_error)?,
    );
    let (n, flops, tokens, value) = (
        col("n")?.f64().map_err(crate::table_error)?,
        col("flops_per_token")?.f64().map_err(crate::table_error)?,
        col("tokens")?.f64().map_err(crate::table_error)?,
        col("value")?.f64().map_err(crate::table_error)?,
    );
    // Optional: a run's multiplier (xC), the first non-null value of its rows.
    let multiplier = df.column("multiplier").ok().map(|c| c.cast(&DataType::Float64)).transpose().map_err(crate::table_error)?;
    let multiplier = multiplier.as_ref().map(|c| c.f64()).transpose().map_err(crate::table_error)?;
    let (step, checkpoint) =
        (col("step")?.f64().map_err(crate::table_error)?, col("checkpoint")?.cast(&DataType::UInt32).map_err(crate::table_error)?);
    let checkpoint = checkpoint.u32().map_err(crate::table_error)?;
    let mut ladder = Ladder::default();
    let mut where_: HashMap<(String, String), (usize, usize)> = HashMap::new();
    let mut builders: Vec<Vec<(Checkpoints, HashMap<String, usize>)>> = Vec::new();
    for i in 0..df.height() {
        let line = i as u64 + 2;
        let missing =
            |column: &str| LadderError::BadCell { path: source.to_path_buf(), line, column: column.to_string(), value: "null".to_string() };
        let (e, r) = (entry.get(i).ok_or_else(|| missing("entry"))?, run.get(i).ok_or_else(|| missing("run"))?);
        let (ei, ri) = match where_.get(&(e.to_string(), r.to_string())) {
            Some(&pos) => pos,
            None => {
                let ei = match ladder.entries.iter().position(|x| x.name == e) {
                    Some(ei) => ei,
                    None => {
                        let mode = match mode.get(i) {
                            Some("train") => Mode::Train,
                            Some("eval") => Mode::Eval,
                            other => {
                                return Err(LadderError::BadCell {
                                    path: source.to_path_buf(),
                                    line,
                                    column: "mode".to_string(),
                                    value: format!("{other:?} (expected train or eval)"),
                                })
                            }
                        };
                        ladder.entries.push(Entry {
                            name: e.to_string(),
                            mode,
                            n: n.get(i).ok_or_else(|| missing("n"))?,
                            flops_per_token: flops.get(i).ok_or_else(|| missing("flops_per_token"))?,
                            runs: Vec::new(),
                        });
                        builders.push(Vec::new());
                        ladder.entries.len() - 1
                    }
                };
                ladder.entries[ei].runs.push(Run::new(r, source, Checkpoints { steps: None, tokens: vec![], metrics: vec![] }));
                builders[ei].push((Checkpoints { steps: Some(vec![]), tokens: vec![], metrics: vec![] }, HashMap::new()));
                let pos = (ei, ladder.entries[ei].runs.len() - 1);
                where_.insert((e.to_string(), r.to_string()), pos);
                pos
            }
        };
        let (ck, index) = &mut builders[ei][ri];
        if ladder.entries[ei].runs[ri].multiplier.is_none() {
            ladder.entries[ei].runs[ri].multiplier = multiplier.and_then(|m| m.get(i));
        }
        let c = checkpoint.get(i).ok_or_else(|| missing("checkpoint"))? as usize;
        if c >= ck.tokens.len() {
            ck.tokens.resize(c + 1, f64::NAN);
            if let Some(s) = ck.steps.as_mut() {
                s.resize(c + 1, f64::NAN);
            }
        }
        ck.tokens[c] = tokens.get(i).ok_or_else(|| missing("tokens"))?;
        match (step.get(i), ck.steps.as_mut()) {
            (Some(s), Some(steps)) => steps[c] = s,
            _ => ck.steps = None,
        }
        let m = metric.get(i).ok_or_else(|| missing("metric"))?;
        let mi = *index.entry(m.to_string()).or_insert_with(|| {
            ck.metrics.push((m.to_string(), Vec::new()));
            ck.metrics.len() - 1
        });
        let values = &mut ck.metrics[mi].1;
        if c >= values.len() {
            values.resize(c + 1, f64::NAN);
        }
        values[c] = value.get(i).ok_or_else(|| missing("value"))?;
    }
    for (entry, runs) in ladder.entries.iter_mut().zip(builders) {
        for (run, (mut ck, _)) in entry.runs.iter_mut().zip(runs) {
            for (_, values) in ck.metrics.iter_mut() {
                values.resize(ck.tokens.len(), f64::NAN);
            }
            *run = Run::new(run.name.clone(), source, ck).with_multiplier(run.multiplier);
        }
    }
    Ok(ladder)
}

/// Reads a table written by [`write_table`] (or any CSV with a header row, or Parquet file),
/// by its extension: `.csv` or `.parquet`; anything else is refused.
pub fn read_table(path: &Path) -> Result<DataFrame> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let io = |source| LadderError::Io { path: path.to_path_buf(), source };
    let bad = |message: String| LadderError::Malformed { path: path.to_path_buf(), line: 0, message };
    match extension {
        "csv" => CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish())
            .map_err(|e| bad(e.to_string())),
        "parquet" => ParquetReader::new(std::fs::File::open(path).map_err(io)?).finish().map_err(|e| bad(e.to_string())),
        other => Err(bad(format!("expected a run table as .csv or .parquet, found a `.{other}` file"))),
    }
}

/// Output formats of [`write_table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// Writes `df` as `dir/name.csv` (or `.parquet`), creating `dir`, whole (a temporary name, then
/// renamed: a reader or a kill never leaves half a table); returns the path written.
pub fn write_table(df: &mut DataFrame, dir: &Path, name: &str, format: Format) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|source| LadderError::Io { path: dir.to_path_buf(), source })?;
    let ext = match format {
        Format::Csv => "csv",
        Format::Parquet => "parquet",
    };
    let path = dir.join(format!("{name}.{ext}"));
    let mut bytes = Vec::new();
    match format {
        Format::Csv => CsvWriter::new(&mut bytes).finish(df).map_err(crate::table_error)?,
        Format::Parquet => {
            ParquetWriter::new(&mut bytes).finish(df).map_err(crate::table_error)?;
        }
    }
    ladder_core::fsio::write_atomic(&path, bytes).map_err(|source| LadderError::Io { path: path.clone(), source })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader polling a table while it is rewritten never sees it empty or half written (a
    /// table written in place is truncated first, and the reader sees that).
    #[test]
    fn a_rewritten_table_is_never_seen_partial() {
        let dir = std::env::temp_dir().join(format!("ladder-core-table-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let rows = 20_000;
        let mut df = df!("x" => (0..rows).map(|i| i as f64).collect::<Vec<_>>(), "name" => vec!["run"; rows]).unwrap();
        let path = write_table(&mut df, &dir, "t", Format::Csv).unwrap();
        let whole = std::fs::read(&path).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let (path, stop, len) = (path.clone(), stop.clone(), whole.len());
            std::thread::spawn(move || {
                let (mut reads, mut partial) = (0, 0);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if let Ok(bytes) = std::fs::read(&path) {
                        reads += 1;
                        partial += usize::from(bytes.len() != len);
                    }
                }
                (reads, partial)
            })
        };
        for _ in 0..50 {
            write_table(&mut df, &dir, "t", Format::Csv).unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (reads, partial) = reader.join().unwrap();
        assert!(reads > 0);
        assert_eq!(partial, 0, "{partial} of {reads} reads saw a partial table");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn run_table_round_trips() {
        let run = |name: &str, steps: Option<Vec<f64>>| {
            Run::new(
                name,
                "mem",
                Checkpoints { steps, tokens: vec![10.0, 20.0], metrics: vec![("a".into(), vec![1.0, 2.0]), ("b".into(), vec![3.0, 4.0])] },
            )
        };
        let ladder = Ladder {
            entries: vec![
                Entry {
                    name: "s".into(),
                    mode: Mode::Train,
                    n: 5.0,
                    flops_per_token: 30.0,
                    runs: vec![run("s-1xC", Some(vec![1.0, 2.0])).with_multiplier(Some(1.0))],
                },
                Entry { name: "t".into(), mode: Mode::Eval, n: 50.0, flops_per_token: 300.0, runs: vec![run("t", None)] },
            ],
        };
        let df = run_table(&ladder).unwrap();
        assert_eq!(df.height(), 8);
        let back = ladder_from_run_table(&df, Path::new("mem")).unwrap();
        assert_eq!(back, ladder);
    }
}
