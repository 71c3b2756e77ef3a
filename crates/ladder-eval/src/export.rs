//! Export to the OLMo-ladder format (one wide CSV per run, a JSON config grouping runs by size),
//! which `ladder_io::olmo` imports: our own ladders then go through the same fitting code as the
//! paper's.

use std::path::Path;

use crate::log::EvalRow;
use crate::EvalError;

use ladder_io::olmo::{BATCH, STEP, TOKENS};

/// Write one run's evaluated checkpoints as an OLMo-ladder CSV: `_step`, every metric column (in
/// the order of the first row), `throughput/total_tokens`, `batch_size_in_tokens`. Every row must
/// carry the same metrics (the importer refuses empty cells).
pub fn write_run_csv(path: &Path, rows: &[EvalRow], batch_tokens: u64) -> Result<(), EvalError> {
    let Some(first) = rows.first() else {
        return Err(EvalError::Inconsistent(format!("{}: no evaluated checkpoints to export", path.display())));
    };
    let columns: Vec<&str> = first.values.iter().map(|(c, _)| c.as_str()).collect();
    let mut text = String::new();
    text.push_str(&[STEP].into_iter().chain(columns.iter().copied()).chain([TOKENS, BATCH]).collect::<Vec<_>>().join(","));
    text.push('\n');
    for row in rows {
        let mut cells = vec![row.step.to_string()];
        for column in &columns {
            let value = row.values.iter().find(|(c, _)| c == column).map(|(_, v)| *v).filter(|v| v.is_finite());
            let Some(value) = value else {
                return Err(EvalError::Inconsistent(format!(
                    "{}: step {} has no finite value of {column} (every checkpoint must carry the same metrics)",
                    path.display(),
                    row.step
                )));
            };
            cells.push(value.to_string());
        }
        cells.push(row.tokens.to_string());
        cells.push(batch_tokens.to_string());
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    ladder_core::fsio::write_atomic(path, text).map_err(|e| EvalError::io(path, e))
}
