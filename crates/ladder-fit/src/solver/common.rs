//! Pieces every solver here shares: the starting point, the termination status, small
//! vector algebra.

use argmin::core::{Error as ArgminError, TerminationReason, TerminationStatus};

use super::StopReason;
use crate::bounds::Bounds;

/// The starting point projected into the bounds, or an error if the state has none.
pub(crate) fn starting_point(param: Option<Vec<f64>>, bounds: &Bounds) -> Result<Vec<f64>, ArgminError> {
    let mut x = param.ok_or_else(|| ArgminError::msg("no starting point"))?;
    bounds.project(&mut x);
    Ok(x)
}

/// argmin's termination status for a solver's own stop reason.
pub(crate) fn termination(stop: Option<StopReason>) -> TerminationStatus {
    match stop {
        Some(reason) => TerminationStatus::Terminated(TerminationReason::SolverExit(reason.label().to_string())),
        None => TerminationStatus::NotTerminated,
    }
}

/// Inner product.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Euclidean norm.
pub(crate) fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// Jᵀv for a row-major m × n matrix.
pub(crate) fn jt_times(jac: &[f64], v: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for (row, vi) in jac.chunks_exact(n).zip(v) {
        for (o, j) in out.iter_mut().zip(row) {
            *o += j * vi;
        }
    }
    out
}
