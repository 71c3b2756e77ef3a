//! Errors of evaluation and export: which file, which line, what was expected.

use std::path::PathBuf;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line of a file is not what it should be.
    #[error("{path}:{line}: {why}")]
    BadLine {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What was expected.
        why: String,
    },
    /// Rows that cannot form one table.
    #[error("{0}")]
    Inconsistent(String),
    /// Tasks or tokenizer could not be loaded.
    #[error(transparent)]
    Data(#[from] ladder_data::DataError),
}

impl EvalError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}
