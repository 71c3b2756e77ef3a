//! Solvers plugged into argmin's executor, each with a typed [`StopReason`].
//!
//! [`ProjectedLbfgs`] minimises any smooth objective in a box (the paper's L-BFGS-B fits);
//! [`BoundedLm`] solves box-bounded least squares (the paper's `curve_fit` fits).

mod bounded_lm;
mod projected_lbfgs;

pub use bounded_lm::BoundedLm;
pub use projected_lbfgs::{ProjectedLbfgs, StopReason};
