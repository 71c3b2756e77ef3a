//! Training ladder runs.
//!
//! * [`optim`]: AdamW (0.9, 0.95, 1e-8) with weight decay 0.1 on everything but the input
//!   embedding, and global-norm gradient clipping.
//! * [`checkpoint`]: model + optimizer + progress saved every K steps, atomically; resume.
//! * [`run_table`]: the run's table (step, tokens, LR, losses, eval metrics) written as it goes.
//! * [`config`]: a run's settings (plan, data, tokenizer, seeds, tasks), built from the paper's
//!   defaults and checked before anything runs.
//! * [`trainer`]: the loop that ties them to a [`ladder_schedule::RunPlan`], with the held-out
//!   loss and the tasks of `ladder-eval` at its eval steps.
//! * [`experiment`]: ladder experiment files (rungs × multipliers, reruns, targets, data, tasks).
//! * [`fingerprint`]: what identifies a run (plan, tokenizer and data content, mix, tasks,
//!   device, code), compared on resume, skip and collect; [`lock`]: one process per run folder.
//! * [`runner`]: every run of an experiment, skipping finished and resuming interrupted ones,
//!   and the collection of their evaluations into an OLMo-ladder data folder.
//! * [`slurm`]: the same runs as Slurm job arrays (submit, follow, resubmit what failed).
//! * [`device_check`]: the same tiny training on two devices, compared element by element.

pub mod batcher;
pub mod checkpoint;
pub mod config;
pub mod device_check;
pub mod error;
pub mod experiment;
pub mod fingerprint;
pub mod lock;
pub mod optim;
pub mod run_table;
pub mod runner;
pub mod slurm;
pub mod trainer;

pub use config::{TaskEvalConfig, TrainConfig, TrainConfigBuilder, TrainData, TrainSettings};
pub use error::TrainError;
pub use trainer::{train_step, Progress, StepStats, TrainSummary, Trainer};
