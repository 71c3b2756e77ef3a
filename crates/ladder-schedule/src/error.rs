//! Errors of schedule construction.

use thiserror::Error;

/// What can go wrong while resolving a ladder run.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ScheduleError {
    /// A rung name that no size table knows.
    #[error("unknown rung {name:?}; known rungs: {known}")]
    UnknownRung {
        /// The name asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// A ladder name other than `paper` or `micro`.
    #[error("unknown ladder {0:?}; expected `paper` or `micro`")]
    UnknownLadder(String),
    /// A parameter that must be positive and finite was not.
    #[error("{what} must be positive and finite, got {value}")]
    NotPositive {
        /// The parameter's name.
        what: &'static str,
        /// Its value.
        value: f64,
    },
    /// A rule produced a batch of zero sequences.
    #[error("the batch rule gives 0 sequences for {rung} (N = {n}, sequence length {seq_len}); use a longer run or a shorter sequence")]
    ZeroBatch {
        /// The rung.
        rung: String,
        /// Its N.
        n: u64,
        /// The sequence length.
        seq_len: usize,
    },
    /// A model shape that cannot exist (e.g. width not divisible by the number of heads).
    #[error("invalid model shape {name}: {why}")]
    InvalidShape {
        /// The shape's name.
        name: String,
        /// What is wrong with it.
        why: String,
    },
}
