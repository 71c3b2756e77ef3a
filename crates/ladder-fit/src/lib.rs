//! The fitting engine of the ladder toolkit and the paper's prediction recipes.
//!
//! * [`law`]: parameterised curves with analytic gradients (power laws, sigmoids).
//! * [`objective`]: loss × residual space over observations, as an argmin problem.
//! * [`bounds`]: box bounds and the active-set tests the solvers share.
//! * [`solver`]: bounded solvers implementing argmin's `Solver` trait, with typed stop reasons.
//! * [`fitter`]: the one fitting engine (bounds, multi-start, diagnostics as data).
//! * [`points`]: checkpoint policies that turn runs into fitting points.
//! * [`predict`]: step 1, step 2, chained and FLOPs predictions.
//! * [`project`]: predictions for untrained (N, D) with confidence and prediction intervals.
//! * [`snr`]: signal and noise of each task over a ladder's runs.
//! * [`trust`]: per prediction, the ladder's evidence for trusting it and a verdict.
//! * [`decision`]: decision accuracy of recipe rankings, and effective-compute multipliers.
//! * [`ablation`]: grids of designs × tasks × targets → one prediction table.
//! * [`backtest`]: compute-vs-error backtests on growing subsets of the ladder.
//! * [`design`]: prediction designs as plug-ins, with a registry by kind.
//! * [`experiment`]: experiment files (TOML) that declare a grid and its backtests.
//! * [`uncertainty`]: bootstrap and delta-method intervals, and their coverage.
//! * [`paper`]: the paper's published tables, rebuilt as polars DataFrames.

pub mod ablation;
pub mod backtest;
pub mod bounds;
pub mod decision;
pub mod design;
pub mod experiment;
pub mod fitter;
pub mod law;
pub mod objective;
pub mod paper;
pub mod points;
pub mod predict;
pub mod project;
pub mod snr;
pub mod solver;
pub mod trust;
pub mod uncertainty;

pub use bounds::Bounds;
pub use fitter::{Fit, FitError, FitOverrides, FitSettings, Fitter, LossKind, Method};
pub use law::Law;
pub use objective::{Loss, Observations, ResidualSpace};
pub use points::PAPER_WINDOW;
