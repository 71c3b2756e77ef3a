//! Solvers plugged into argmin's executor.
//!
//! [`ProjectedLbfgs`] handles box bounds (the paper's L-BFGS-B and bounded least-squares fits).

mod projected_lbfgs;

pub use projected_lbfgs::{ProjectedLbfgs, StopReason};
