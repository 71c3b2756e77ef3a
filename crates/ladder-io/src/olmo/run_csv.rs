//! Reading one run CSV (`_step`, metric columns, `throughput/total_tokens`, `batch_size_in_tokens`).

use std::path::Path;

use ladder_core::error::{LadderError, Result};
use ladder_core::ladder::{Checkpoints, Run};

/// Column of the training step.
pub const STEP: &str = "_step";
/// Column of the tokens consumed.
pub const TOKENS: &str = "throughput/total_tokens";
/// Column of the batch size in tokens.
pub const BATCH: &str = "batch_size_in_tokens";

/// The token-budget multiplier of a run file named as the format names runs: `190M-10xC`,
/// `1B-0.5xC-rerun` (`None` for other names, e.g. `peteish7_eval_anneal`).
pub fn multiplier_of(run_name: &str) -> Option<f64> {
    run_name.split('-').find_map(|part| part.strip_suffix("xC").and_then(|m| m.parse().ok()))
}

/// What an empty or NaN metric cell means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// It is an error (the OLMo-ladder export: every cell is filled).
    Refuse,
    /// "Not evaluated at that checkpoint" (a W&B export): kept as NaN, skipped by every fit of
    /// that metric, and counted.
    Skip,
}

/// Metric cells a lenient read skipped: (file, column, count), non-zero counts only.
pub type Skipped = Vec<(std::path::PathBuf, String, usize)>;

/// Reads a run CSV. Every cell must be a finite number (scientific notation allowed).
///
/// Tokens D per row: `throughput/total_tokens` when present, else `_step × batch_size_in_tokens`
/// (method.md §1.5). The run is named after the file stem.
pub fn read_run_csv(path: &Path) -> Result<Run> {
    read_run_csv_with(path, Missing::Refuse).map(|(run, _)| run)
}

/// [`read_run_csv`] with a policy for empty and NaN metric cells (the step and token columns
/// must always be filled); returns the run and the cells it skipped per column. A metric column
/// without a single value is an error.
pub fn read_run_csv_with(path: &Path, missing: Missing) -> Result<(Run, Skipped)> {
    let io = |source| LadderError::Io { path: path.to_path_buf(), source };
    let text = std::fs::read(path).map_err(io)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_slice());
    // Line numbers are counted from byte offsets, past any line break a record position may
    // still point at: the csv crate's own count is off by one with CRLF line endings.
    let line_at = |byte: u64| {
        let start = byte as usize;
        let skip = text.get(start..).map_or(0, |rest| rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count());
        1 + text[..(start + skip).min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64
    };
    let malformed = |e: csv::Error| LadderError::Malformed {
        path: path.to_path_buf(),
        line: e.position().map(|p| line_at(p.byte())).unwrap_or(0),
        message: e.to_string(),
    };
    let header: Vec<String> = reader.headers().map_err(malformed)?.iter().map(str::to_string).collect();
    if header.iter().all(|h| h.is_empty()) {
        return Err(LadderError::EmptyFile { path: path.to_path_buf() });
    }
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); header.len()];
    let mut skipped = vec![0usize; header.len()];
    let structural = |name: &str| [STEP, TOKENS, BATCH].contains(&name);
    for record in reader.records() {
        let record = record.map_err(malformed)?;
        for (((cell, column), name), skips) in record.iter().zip(columns.iter_mut()).zip(&header).zip(skipped.iter_mut()) {
            let text = cell.trim();
            let value = match text.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ if missing == Missing::Skip && !structural(name) && (text.is_empty() || text.eq_ignore_ascii_case("nan")) => {
                    *skips += 1;
                    f64::NAN
                }
                _ => {
                    return Err(LadderError::BadCell {
                        path: path.to_path_buf(),
                        line: record.position().map(|p| line_at(p.byte())).unwrap_or(0),
                        column: name.clone(),
                        value: cell.to_string(),
                    })
                }
            };
            column.push(value);
        }
    }
    if let Some(i) = (0..header.len()).find(|&i| !columns[i].is_empty() && columns[i].iter().all(|v| v.is_nan())) {
        return Err(LadderError::NoValues { path: path.to_path_buf(), column: header[i].clone() });
    }
    let skipped: Skipped = header.iter().zip(&skipped).filter(|(_, &n)| n > 0).map(|(h, &n)| (path.to_path_buf(), h.clone(), n)).collect();
    if columns.first().is_none_or(|c| c.is_empty()) {
        return Err(LadderError::EmptyFile { path: path.to_path_buf() });
    }
    let position = |name: &str| header.iter().position(|h| h == name);
    let steps = position(STEP).map(|i| columns[i].clone());
    let tokens = match (position(TOKENS), &steps, position(BATCH)) {
        (Some(i), _, _) => columns[i].iter().map(|t| t.trunc()).collect(),
        (None, Some(steps), Some(b)) => steps.iter().zip(&columns[b]).map(|(s, b)| s.trunc() * b.trunc()).collect(),
        _ => {
            return Err(LadderError::MissingColumn {
                path: path.to_path_buf(),
                column: TOKENS.to_string(),
                hint: format!(" (tokens D need `{TOKENS}`, or `{STEP}` and `{BATCH}`)"),
            })
        }
    };
    let metrics = header.into_iter().zip(columns).filter(|(name, _)| name != STEP).collect();
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let multiplier = multiplier_of(&name);
    Ok((Run::new(name, path, Checkpoints { steps, tokens, metrics }).with_multiplier(multiplier), skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipliers_parse_from_run_names() {
        assert_eq!(multiplier_of("190M-10xC"), Some(10.0));
        assert_eq!(multiplier_of("1B-0.5xC"), Some(0.5));
        assert_eq!(multiplier_of("1B-1xC-rerun"), Some(1.0));
        assert_eq!(multiplier_of("peteish7_eval_anneal"), None);
    }

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ladder-core-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn tokens_come_from_steps_times_batch_when_no_token_column() {
        let run = read_run_csv(&write("a.csv", "_step,batch_size_in_tokens,m\n10,4,1.5\n20,4,1e-1\n")).unwrap();
        assert_eq!(run.checkpoints.tokens, vec![40.0, 80.0]);
        assert_eq!(run.metric("m").unwrap(), &[1.5, 0.1]);
        assert_eq!(run.name, "a");
    }

    #[test]
    fn bad_cells_name_file_line_and_column() {
        let err = read_run_csv(&write("b.csv", "_step,batch_size_in_tokens,m\n10,4,1.5\n20,4,oops\n")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("b.csv") && text.contains("line 3") && text.contains("`m`") && text.contains("oops"), "{text}");
        let err = read_run_csv(&write("c.csv", "_step,batch_size_in_tokens,m\n10,4,NaN\n")).unwrap_err();
        assert!(matches!(err, LadderError::BadCell { line: 2, .. }), "{err}");
        let err = read_run_csv(&write("d.csv", "_step,batch_size_in_tokens,m\n10,4,\n")).unwrap_err();
        assert!(matches!(err, LadderError::BadCell { .. }), "{err}");
    }

    #[test]
    fn a_lenient_read_skips_empty_and_nan_metric_cells_and_counts_them() {
        let path = write("w.csv", "_step,batch_size_in_tokens,m,k\n10,4,1.5,\n20,4,NaN,2\n30,4,0.5,3\n");
        let (run, skipped) = read_run_csv_with(&path, Missing::Skip).unwrap();
        assert!(run.metric("m").unwrap()[1].is_nan() && run.metric("k").unwrap()[0].is_nan());
        assert_eq!(skipped.iter().map(|(_, c, n)| (c.as_str(), *n)).collect::<Vec<_>>(), vec![("m", 1), ("k", 1)]);
        // Text is still refused, and so are a missing step and a column without any value.
        assert!(read_run_csv_with(&write("w2.csv", "_step,batch_size_in_tokens,m\n10,4,oops\n"), Missing::Skip).is_err());
        assert!(read_run_csv_with(&write("w3.csv", "_step,batch_size_in_tokens,m\n,4,1\n"), Missing::Skip).is_err());
        let err =
            read_run_csv_with(&write("w4.csv", "_step,batch_size_in_tokens,m\n10,4,\n20,4,nan\n"), Missing::Skip).unwrap_err().to_string();
        assert!(err.contains("w4.csv") && err.contains("`m`") && err.contains("no value"), "{err}");
    }

    #[test]
    fn line_numbers_count_crlf_lines() {
        let err = read_run_csv(&write("crlf.csv", "_step,batch_size_in_tokens,m\r\n10,4,1.5\r\n20,4,2\r\n30,4,oops\r\n")).unwrap_err();
        assert!(matches!(err, LadderError::BadCell { line: 4, .. }), "{err}");
    }

    #[test]
    fn empty_and_ragged_files_are_refused() {
        assert!(matches!(read_run_csv(&write("e.csv", "")).unwrap_err(), LadderError::EmptyFile { .. }));
        assert!(matches!(read_run_csv(&write("f.csv", "_step,m\n")).unwrap_err(), LadderError::EmptyFile { .. }));
        let err = read_run_csv(&write("g.csv", "_step,batch_size_in_tokens,m\n1,2,3\n1,2\n")).unwrap_err();
        assert!(matches!(err, LadderError::Malformed { line: 3, .. }), "{err}");
        let err = read_run_csv(&write("h.csv", "m\n1\n")).unwrap_err();
        assert!(matches!(err, LadderError::MissingColumn { .. }), "{err}");
    }
}
