//! Ladder schedules: what a ladder run is, before any tensor exists.
//!
//! Pure functions of the paper's rules (`ladder-recipe.md` §1–3, §7) and of the CPU micro ladder
//! (§10): model shapes and their parameter / FLOPs accounting ([`shape`]), the size tables
//! ([`sizes`]), the batch-size, learning-rate, warmup and token-budget rules ([`rules`]), the
//! warmup + cosine learning-rate schedule ([`lr`]), the evaluation cadence ([`cadence`]) and the
//! resolved plan of every run of a ladder ([`plan`]).

pub mod cadence;
pub mod error;
pub mod lr;
pub mod plan;
pub mod rules;
pub mod shape;
pub mod sizes;

pub use cadence::EvalCadence;
pub use error::ScheduleError;
pub use lr::LrSchedule;
pub use plan::{LadderKind, LadderPlan, RunPlan};
pub use rules::{LadderRules, RuleChanges};
pub use shape::ModelShape;
pub use sizes::{micro_sizes, paper_sizes, size, Size};
