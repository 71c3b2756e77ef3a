//! The run table: one CSV row per step, appended and flushed as the run goes.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::TrainError;

/// Column names of the run table.
pub const COLUMNS: [&str; 9] = ["step", "tokens", "lr", "train_loss", "train_ce", "z_loss", "grad_norm", "val_ce", "seconds"];

/// One step's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based optimizer step.
    pub step: u64,
    /// Tokens consumed after this step (D).
    pub tokens: u64,
    /// LR of this step's update.
    pub lr: f64,
    /// Training objective (CE + z-loss term).
    pub train_loss: f64,
    /// Training cross-entropy (nats/token).
    pub train_ce: f64,
    /// Mean logsumexp² (before its coefficient).
    pub z_loss: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
    /// Held-out LM loss (nats/token) at eval steps, else NaN.
    pub val_ce: f64,
    /// Wall seconds since the run (or its resume) started.
    pub seconds: f64,
}

/// An open run table.
#[derive(Debug)]
pub struct RunTable {
    path: PathBuf,
    file: std::fs::File,
}

impl RunTable {
    /// Open `path` for a run starting after step `keep_through`: rows up to it are kept (a
    /// resume), later rows (written after the last checkpoint, before a kill) are dropped.
    pub fn open(path: &Path, keep_through: u64) -> Result<Self, TrainError> {
        // Only whole rows are kept: a line a kill cut short is dropped with the later ones.
        let kept: Vec<String> = if keep_through > 0 && path.exists() {
            let text = std::fs::read_to_string(path).map_err(|e| TrainError::file(path, e))?;
            whole_lines(&text).skip(1).filter(|line| parse(line).is_some_and(|r| r.step <= keep_through)).map(str::to_string).collect()
        } else {
            Vec::new()
        };
        let mut text = COLUMNS.join(",") + "\n";
        for line in kept {
            text.push_str(&line);
            text.push('\n');
        }
        // Rewritten whole, then appended to: a kill during the rewrite leaves the old table.
        ladder_core::fsio::write_atomic(path, text).map_err(|e| TrainError::file(path, e))?;
        let file = std::fs::OpenOptions::new().append(true).open(path).map_err(|e| TrainError::file(path, e))?;
        Ok(Self { path: path.to_path_buf(), file })
    }

    /// Append a row and flush it to disk.
    pub fn append(&mut self, row: &Row) -> Result<(), TrainError> {
        let line = format!(
            "{},{},{:e},{},{},{},{},{},{:.3}\n",
            row.step, row.tokens, row.lr, row.train_loss, row.train_ce, row.z_loss, row.grad_norm, row.val_ce, row.seconds
        );
        self.file.write_all(line.as_bytes()).and_then(|_| self.file.flush()).map_err(|e| TrainError::file(&self.path, e))
    }
}

/// The lines of `text` that end with a line break (the last one of a cut file may parse, but is
/// not whole).
fn whole_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive('\n').filter_map(|l| l.strip_suffix('\n'))
}

/// One row of the table's text, if it is whole.
fn parse(line: &str) -> Option<Row> {
    let v: Vec<&str> = line.split(',').collect();
    if v.len() != COLUMNS.len() {
        return None;
    }
    let f = |k: usize| v[k].parse::<f64>().ok();
    let u = |k: usize| v[k].parse::<u64>().ok();
    Some(Row {
        step: u(0)?,
        tokens: u(1)?,
        lr: f(2)?,
        train_loss: f(3)?,
        train_ce: f(4)?,
        z_loss: f(5)?,
        grad_norm: f(6)?,
        val_ce: f(7)?,
        seconds: f(8)?,
    })
}

/// Read a run table back (for tests and collectors): rows in order; a line that is not whole is
/// an error naming it.
pub fn read(path: &Path) -> Result<Vec<Row>, TrainError> {
    let text = std::fs::read_to_string(path).map_err(|e| TrainError::file(path, e))?;
    text.lines()
        .enumerate()
        .skip(1)
        .map(|(i, line)| {
            parse(line).ok_or_else(|| {
                TrainError::file(
                    path,
                    format!("line {}: expected {} numeric columns ({}), got {line:?}", i + 1, COLUMNS.len(), COLUMNS.join(",")),
                )
            })
        })
        .collect()
}

/// The steps of the table's whole rows (none when it cannot be read).
pub fn complete_steps(path: &Path) -> std::collections::BTreeSet<u64> {
    std::fs::read_to_string(path).map(|text| whole_lines(&text).skip(1).filter_map(parse).map(|r| r.step).collect()).unwrap_or_default()
}
