//! Typed errors: every error on user data names the file, the row or column, and what was expected.

use std::path::PathBuf;

/// Result alias used across the toolkit's libraries.
pub type Result<T, E = LadderError> = std::result::Result<T, E>;

/// Everything that can go wrong while reading or interpreting ladder data.
#[derive(Debug, thiserror::Error)]
pub enum LadderError {
    /// A file could not be opened or read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is syntactically malformed (CSV record, JSON).
    #[error("{path}: line {line}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when unknown).
        line: u64,
        /// What was wrong.
        message: String,
    },
    /// A CSV file has a header but no data rows (or no header at all).
    #[error("{path}: the file has no data rows (expected a header and at least one checkpoint row)")]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// A required column is absent.
    #[error("{path}: missing column `{column}`{hint}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column that was looked for.
        column: String,
        /// Extra context (for example which task or feature needed it).
        hint: String,
    },
    /// A cell is not a finite number.
    #[error("{path}: line {line}, column `{column}`: expected a finite number, found `{value}`")]
    BadCell {
        /// The file.
        path: PathBuf,
        /// 1-based line number in the file (the header is line 1).
        line: u64,
        /// The column name.
        column: String,
        /// The offending text.
        value: String,
    },
    /// A task key is not in the registry.
    #[error("unknown task `{key}`; known tasks: {known}")]
    UnknownTask {
        /// The key asked for.
        key: String,
        /// Comma-separated list of known keys.
        known: String,
    },
    /// A task set name is not in the registry.
    #[error("unknown task set `{name}`; known task sets: {known}")]
    UnknownTaskSet {
        /// The name asked for.
        name: String,
        /// Comma-separated list of known names.
        known: String,
    },
    /// A config names a run file that does not exist.
    #[error("{config}: entry `{entry}` lists `{listed}`, but {resolved} does not exist")]
    MissingRunFile {
        /// The config file.
        config: PathBuf,
        /// The config entry.
        entry: String,
        /// The path as written in the config.
        listed: String,
        /// Where it was looked for.
        resolved: PathBuf,
    },
    /// A config entry is invalid.
    #[error("{config}: entry `{entry}`: {message}")]
    BadConfig {
        /// The config file.
        config: PathBuf,
        /// The entry name.
        entry: String,
        /// What was wrong.
        message: String,
    },
    /// A named entry (model size, target) is not in the ladder.
    #[error("no entry `{name}` in the ladder; entries: {known}")]
    UnknownEntry {
        /// The name asked for.
        name: String,
        /// Comma-separated list of entries.
        known: String,
    },
    /// A metric column (or a task's values in a run) without a single value.
    #[error("{path}: column `{column}` has no value at any checkpoint")]
    NoValues {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// A name given as a target is not an eval entry of the ladder.
    #[error("`{name}` is not a target of this ladder (an eval entry of its config); targets: {targets}")]
    NotATarget {
        /// The name asked for.
        name: String,
        /// Comma-separated eval entries.
        targets: String,
    },
    /// A table operation (polars, in `ladder-io` and above) failed.
    #[error("table error: {0}")]
    Table(String),
}

/// The 1-based line of byte `offset` in `text` (a parser's error position → a line to report).
pub fn line_at(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod line_tests {
    #[test]
    fn line_at_counts_line_breaks_before_the_offset() {
        let text = "a = 1\nb = 2\n[[c]]\n";
        assert_eq!(super::line_at(text, 0), 1);
        assert_eq!(super::line_at(text, 6), 2, "the first byte of line 2");
        assert_eq!(super::line_at(text, 12), 3);
        assert_eq!(super::line_at(text, 999), 4);
    }
}
