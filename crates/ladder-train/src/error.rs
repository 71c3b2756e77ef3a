//! Errors of a training run.

use std::path::PathBuf;
use thiserror::Error;

/// What can stop a run.
#[derive(Debug, Error)]
pub enum TrainError {
    /// Reading or writing a run file failed.
    #[error("{path}: {why}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// The data cannot feed the run.
    #[error(transparent)]
    Data(#[from] ladder_data::DataError),
    /// The loss became NaN or infinite; the last good checkpoint is kept.
    #[error(
        "loss is {loss} at step {step}; stopped. The last good checkpoint (step {last_checkpoint}) is intact: fix the config and resume"
    )]
    NonFiniteLoss {
        /// The step.
        step: u64,
        /// The loss value.
        loss: f64,
        /// The step of the last checkpoint on disk (0: none).
        last_checkpoint: u64,
    },
    /// The in-loop evaluation failed (its log, or its tasks).
    #[error(transparent)]
    Eval(#[from] ladder_eval::EvalError),
    /// A configuration that cannot run.
    #[error("invalid training config: {0}")]
    Config(String),
}

impl TrainError {
    /// A file error from anything printable.
    pub fn file(path: impl Into<PathBuf>, why: impl std::fmt::Display) -> Self {
        TrainError::File { path: path.into(), why: why.to_string() }
    }
}
