//! Errors of data loading.

use std::path::PathBuf;
use thiserror::Error;

/// What can go wrong while reading or packing data.
#[derive(Debug, Error)]
pub enum DataError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line of a file (JSONL, JSON, TOML) that is not what it should be.
    #[error("{path}:{line}: {why}")]
    BadLine {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        why: String,
    },
    /// A package could not be fetched or unpacked.
    #[error("fetching {package}: {why}")]
    Fetch {
        /// The package (registry, name, version).
        package: String,
        /// What failed, with the client's own message.
        why: String,
    },
    /// A request that names something unknown or impossible.
    #[error("{0}")]
    Config(String),
    /// Too little text for what was asked.
    #[error("not enough data: {0}")]
    TooSmall(String),
}

impl DataError {
    /// A TOML parse error of `text` (read from `path`), at the line where it points.
    pub fn toml(path: &std::path::Path, text: &str, e: &toml::de::Error) -> Self {
        let line = e.span().map_or(0, |s| ladder_core::error::line_at(text, s.start));
        DataError::BadLine { path: path.to_path_buf(), line, why: e.message().to_string() }
    }
}
