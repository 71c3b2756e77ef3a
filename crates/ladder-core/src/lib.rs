//! Shared vocabulary of the ladder toolkit.
//!
//! * [`scale`]: model sizes (N, FLOPs per token) and compute accounting.
//! * [`task`]: the task registry (task sets, weighted MMLU average, chance levels) and the
//!   metric features (`rc_bpb`, `rc_acc`, `c4`, `rc_soft_log`, `mc_acc`).
//! * [`ladder`]: an in-memory ladder (config entries with their runs and checkpoints).
//! * [`error`]: typed errors that name the file, row and column of bad input.
//! * [`fsio`]: files written whole (temporary name, then rename).

pub mod error;
pub mod fsio;
pub mod ladder;
pub mod rng;
pub mod scale;
pub mod task;

pub use error::{LadderError, Result};
pub use ladder::{Checkpoints, Entry, Ladder, Mode, Run};
pub use task::{Feature, Task, TaskLoss, TaskSet};
