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

/// Solves the k × k system `a · x = b` by Gaussian elimination with partial pivoting.
pub(crate) fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let k = b.len();
    for c in 0..k {
        let p = (c..k).max_by(|&i, &j| a[i * k + c].abs().total_cmp(&a[j * k + c].abs()))?;
        if a[p * k + c].abs() < 1e-300 {
            return None;
        }
        for j in 0..k {
            a.swap(c * k + j, p * k + j);
        }
        b.swap(c, p);
        for i in c + 1..k {
            let f = a[i * k + c] / a[c * k + c];
            for j in c..k {
                a[i * k + j] -= f * a[c * k + j];
            }
            b[i] -= f * b[c];
        }
    }
    for c in (0..k).rev() {
        let s: f64 = (c + 1..k).map(|j| a[c * k + j] * b[j]).sum();
        b[c] = (b[c] - s) / a[c * k + c];
    }
    b.iter().all(|v| v.is_finite()).then_some(b)
}

#[cfg(test)]
mod tests {
    use super::solve;

    #[test]
    fn gaussian_elimination_solves_a_pivoting_system() {
        let x = solve(vec![0.0, 2.0, 1.0, 1.0], vec![4.0, 3.0]).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12, "{x:?}");
        assert!(solve(vec![1.0, 1.0, 1.0, 1.0], vec![1.0, 2.0]).is_none());
    }
}
