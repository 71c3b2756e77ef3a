//! Solvers plugged into argmin's executor, each with a typed [`StopReason`].
//!
//! [`ProjectedLbfgs`] minimises any smooth objective in a box (the paper's L-BFGS-B fits);
//! [`BoundedLm`] solves box-bounded least squares with an analytic Jacobian; [`Trf`] is the
//! trust-region reflective method of SciPy's `curve_fit`, used to reproduce the paper's step 2.

mod bounded_lm;
mod common;
mod projected_lbfgs;
mod stop;
mod trf;

pub use bounded_lm::BoundedLm;
pub use projected_lbfgs::ProjectedLbfgs;
pub use stop::StopReason;
pub use trf::Trf;

pub(crate) use common::solve as solve_linear;
