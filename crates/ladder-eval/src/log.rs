//! The evaluation log of a run, `evals.csv`: one line per (step, metric), appended as the run
//! goes, so a killed run loses nothing it finished; on resume, rows after the resumed step are
//! dropped (they are evaluated again).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::EvalError;

const HEADER: &str = "step,tokens,metric,value";

/// One evaluated checkpoint: its step, training tokens D, and its (column, value) pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalRow {
    /// Training step.
    pub step: u64,
    /// Tokens consumed up to this step.
    pub tokens: u64,
    /// Metric columns (OLMo names) and values.
    pub values: Vec<(String, f64)>,
}

/// An open log, appending.
#[derive(Debug)]
pub struct EvalLog {
    path: PathBuf,
    file: std::fs::File,
}

impl EvalLog {
    /// Open `path`, keeping only the complete rows of steps ≤ `keep_through` (0: start afresh;
    /// lines a kill or a corruption left unreadable are dropped, see [`complete_rows`]).
    pub fn open(path: &Path, keep_through: u64) -> Result<Self, EvalError> {
        let kept: Vec<EvalRow> = if keep_through > 0 && path.exists() {
            complete_rows(path).into_iter().filter(|r| r.step <= keep_through).collect()
        } else {
            Vec::new()
        };
        let mut text = format!("{HEADER}\n");
        for row in &kept {
            text.push_str(&lines(row));
        }
        // The kept rows are rewritten whole: a kill during the rewrite leaves the old log.
        ladder_core::fsio::write_atomic(path, text).map_err(|e| EvalError::io(path, e))?;
        let file = std::fs::OpenOptions::new().append(true).open(path).map_err(|e| EvalError::io(path, e))?;
        Ok(Self { path: path.to_path_buf(), file })
    }

    /// Append one checkpoint's values (flushed at once).
    pub fn append(&mut self, row: &EvalRow) -> Result<(), EvalError> {
        self.file.write_all(lines(row).as_bytes()).and_then(|_| self.file.flush()).map_err(|e| EvalError::io(&self.path, e))
    }
}

fn lines(row: &EvalRow) -> String {
    // `{}` of an f64 is the shortest text that parses back to the same bits.
    row.values.iter().map(|(metric, value)| format!("{},{},{},{}\n", row.step, row.tokens, metric, value)).collect()
}

/// Read a log: its rows by step, in file order. A malformed line names its number.
pub fn read(path: &Path) -> Result<Vec<EvalRow>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
    let mut rows: Vec<EvalRow> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            if line != HEADER {
                return Err(EvalError::BadLine { path: path.into(), line: 1, why: format!("expected the header `{HEADER}`") });
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let (step, tokens, metric, value) = parse(line).map_err(|why| EvalError::BadLine { path: path.into(), line: i + 1, why })?;
        push(&mut rows, step, tokens, metric, value);
    }
    Ok(rows)
}

/// One line's (step, tokens, metric, value), or why it is not one.
fn parse(line: &str) -> Result<(u64, u64, &str, f64), String> {
    let fields: Vec<&str> = line.split(',').collect();
    let [step, tokens, metric, value] = fields[..] else {
        return Err(format!("expected 4 fields (step,tokens,metric,value), found {}", fields.len()));
    };
    let step: u64 = step.parse().map_err(|_| format!("step {step:?} is not a whole number"))?;
    let tokens: u64 = tokens.parse().map_err(|_| format!("tokens {tokens:?} is not a whole number"))?;
    let value: f64 = value.parse().map_err(|_| format!("value {value:?} is not a number"))?;
    Ok((step, tokens, metric, value))
}

/// Adds a value to the last row when it has the same step, else starts a row.
fn push(rows: &mut Vec<EvalRow>, step: u64, tokens: u64, metric: &str, value: f64) {
    match rows.last_mut() {
        Some(last) if last.step == step => last.values.push((metric.to_string(), value)),
        _ => rows.push(EvalRow { step, tokens, values: vec![(metric.to_string(), value)] }),
    }
}

/// The rows of `path` that are whole: readable lines ended by a line break only (a value cut
/// short may still parse), and only steps that carry as many metrics as the fullest step (a
/// kill during an append leaves a short last step or half a line). Nothing when the file is
/// missing or its header is wrong.
pub fn complete_rows(path: &Path) -> Vec<EvalRow> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let mut lines = text.split_inclusive('\n').filter_map(|l| l.strip_suffix('\n')).map(|l| l.strip_suffix('\r').unwrap_or(l));
    if lines.next() != Some(HEADER) {
        return Vec::new();
    }
    let mut rows: Vec<EvalRow> = Vec::new();
    for (step, tokens, metric, value) in lines.filter_map(|line| parse(line).ok()) {
        push(&mut rows, step, tokens, metric, value);
    }
    let full = rows.iter().map(|r| r.values.len()).max().unwrap_or(0);
    rows.retain(|r| r.values.len() == full);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log reopened for a resume is rewritten whole: a reader polling it meanwhile always sees
    /// the kept rows (rewritten in place, it is truncated first, and a kill then loses them).
    #[test]
    fn a_resumed_log_is_never_seen_without_its_kept_rows() {
        let dir = std::env::temp_dir().join(format!("ladder-eval-log-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("evals.csv");
        let row = |step| EvalRow { step, tokens: step * 100, values: (0..200).map(|m| (format!("metric{m}"), m as f64 / 7.0)).collect() };
        let mut log = EvalLog::open(&path, 0).unwrap();
        for s in 1..=40 {
            log.append(&row(s)).unwrap();
        }
        drop(log);
        let kept = complete_rows(&path).into_iter().filter(|r| r.step <= 40).count();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let (path, stop) = (path.clone(), stop.clone());
            std::thread::spawn(move || {
                let (mut reads, mut short) = (0, 0);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    reads += 1;
                    short += usize::from(complete_rows(&path).len() < kept);
                }
                (reads, short)
            })
        };
        for _ in 0..30 {
            drop(EvalLog::open(&path, 40).unwrap());
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (reads, short) = reader.join().unwrap();
        assert!(reads > 0);
        assert_eq!(short, 0, "{short} of {reads} reads saw fewer than the {kept} kept rows");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn log_appends_reads_back_and_truncates_on_resume() {
        let dir = std::env::temp_dir().join(format!("ladder-eval-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("evals.csv");
        let row = |step| EvalRow { step, tokens: step * 100, values: vec![("a".into(), 0.1 + step as f64 / 3.0), ("b".into(), -1e-9)] };
        let mut log = EvalLog::open(&path, 0).unwrap();
        for s in [5, 10, 15] {
            log.append(&row(s)).unwrap();
        }
        assert_eq!(read(&path).unwrap(), vec![row(5), row(10), row(15)]);
        drop(EvalLog::open(&path, 10).unwrap());
        assert_eq!(read(&path).unwrap(), vec![row(5), row(10)]);
        std::fs::write(&path, "step,tokens,metric,value\n5,500,a,x\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains(":2:") && err.contains("\"x\""), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
