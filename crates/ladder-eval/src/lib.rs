//! Ranked-classification evaluation of `ladder-recipe.md` §5 with the paper's metrics.
//!
//! The pipeline of one task: [`requests`] tokenizes (context, continuation) pairs exactly as OLMo
//! did and groups them by their shared 5-shot prefix; [`scorer`] runs them through a burn model
//! (the prefix once, through a KV cache); [`metrics`] turns the log-likelihoods into acc,
//! len_norm, bpb, ce_loss, soft and soft_log; [`columns`] names them like the OLMo ladder's
//! columns; [`log`] and [`export`] write them per run in our log and in the OLMo-ladder CSV format.
//! [`heldout`] is the held-out LM loss per source.

pub mod columns;
pub mod error;
pub mod export;
pub mod heldout;
pub mod log;
pub mod metrics;
pub mod requests;
pub mod scorer;
pub mod suite;
pub mod task_eval;

pub use error::EvalError;
pub use log::{EvalLog, EvalRow};
pub use metrics::{ChoiceScore, QuestionMetrics, Ranking, TaskMetrics};
pub use scorer::{CacheLevel, Scorer, ScorerConfig};
pub use suite::TaskSuite;
pub use task_eval::{evaluate_task, TaskResult};
