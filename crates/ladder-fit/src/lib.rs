//! The fitting engine of the ladder toolkit and the paper's prediction recipes.
//!
//! * [`law`]: parameterised curves with analytic gradients (power laws, sigmoids).
//! * [`objective`]: loss × residual space over observations, as an argmin problem.
//! * [`bounds`]: box bounds and the active-set tests the solvers share.
//! * [`solver`]: bounded solvers implementing argmin's `Solver` trait, with typed stop reasons.
//! * [`fitter`]: the one fitting engine (bounds, multi-start, diagnostics as data).
//! * [`points`]: checkpoint policies that turn runs into fitting points.
//! * [`predict`]: step 1, step 2, chained and FLOPs predictions.
//! * [`paper`]: the paper's published tables, rebuilt as polars DataFrames.

pub mod bounds;
pub mod fitter;
pub mod law;
pub mod objective;
pub mod paper;
pub mod points;
pub mod predict;
pub mod solver;

pub use bounds::Bounds;
pub use fitter::{Fit, FitError, FitSettings, Fitter, LossKind, Method};
pub use law::Law;
pub use objective::{Loss, Observations, ResidualSpace};
