//! Training ladder runs.
//!
//! * [`optim`]: AdamW (0.9, 0.95, 1e-8) with weight decay 0.1 on everything but the input
//!   embedding, and global-norm gradient clipping.
//! * [`checkpoint`]: model + optimizer + progress saved every K steps, atomically; resume.
//! * [`run_table`]: the run's table (step, tokens, LR, losses, eval metrics) written as it goes.
//! * [`trainer`]: the loop that ties them to a [`ladder_schedule::RunPlan`].

pub mod checkpoint;
pub mod error;
pub mod optim;
pub mod run_table;
pub mod trainer;

pub use error::TrainError;
pub use trainer::{train_step, Progress, StepStats, TrainConfig, TrainSummary, Trainer};
