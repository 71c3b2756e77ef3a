//! Bounded Levenberg–Marquardt for least-squares problems.
//!
//! Each iteration fixes the variables that sit on a bound with the gradient pushing outwards,
//! solves the damped normal equations (JᵀJ + λ·diag JᵀJ) δ = −Jᵀr in the free variables, and
//! projects x + δ into the box. λ follows Nielsen's update. Stopping rules follow MINPACK and
//! SciPy's `least_squares` (ftol, xtol, gtol, all 1e-8 by default), so fits in flat valleys stop
//! where SciPy's `curve_fit` stops rather than drifting along the valley.

use argmin::core::{Error as ArgminError, IterState, Jacobian, Operator, Problem, Solver, TerminationStatus, KV};

use super::common::{jt_times, solve, starting_point, termination};
use super::StopReason;
use crate::bounds::Bounds;

/// Bounded Levenberg–Marquardt (see the module docs).
#[derive(Debug, Clone)]
pub struct BoundedLm {
    bounds: Bounds,
    ftol: f64,
    xtol: f64,
    gtol: f64,
    lambda: f64,
    nu: f64,
    jacobian: Vec<f64>,
    stop: Option<StopReason>,
}

type LmState = IterState<Vec<f64>, Vec<f64>, (), (), Vec<f64>, f64>;

impl BoundedLm {
    /// A solver for the given bounds with ftol = xtol = gtol = 1e-8.
    pub fn new(bounds: Bounds) -> Self {
        BoundedLm { bounds, ftol: 1e-8, xtol: 1e-8, gtol: 1e-8, lambda: 0.0, nu: 2.0, jacobian: Vec::new(), stop: None }
    }

    /// Why the solver stopped (`None` before it stopped by itself).
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.stop
    }

    /// JᵀJ for the stored Jacobian.
    fn normal_matrix(&self, n: usize) -> Vec<f64> {
        let mut a = vec![0.0; n * n];
        for row in self.jacobian.chunks_exact(n) {
            for i in 0..n {
                for j in 0..n {
                    a[i * n + j] += row[i] * row[j];
                }
            }
        }
        a
    }
}

fn half_square_norm(r: &[f64]) -> f64 {
    0.5 * super::common::dot(r, r)
}

impl<O> Solver<O, LmState> for BoundedLm
where
    O: Operator<Param = Vec<f64>, Output = Vec<f64>> + Jacobian<Param = Vec<f64>, Jacobian = Vec<f64>>,
{
    fn name(&self) -> &str {
        "bounded Levenberg-Marquardt"
    }

    fn init(&mut self, problem: &mut Problem<O>, mut state: LmState) -> Result<(LmState, Option<KV>), ArgminError> {
        let x = starting_point(state.take_param(), &self.bounds)?;
        let r = problem.apply(&x)?;
        let f = half_square_norm(&r);
        if !f.is_finite() {
            return Err(argmin::argmin_error!(InvalidParameter, "the residuals are not finite at the starting point"));
        }
        self.jacobian = problem.jacobian(&x)?;
        let n = x.len();
        let g = jt_times(&self.jacobian, &r, n);
        let a = self.normal_matrix(n);
        self.lambda = 1e-3 * (0..n).map(|i| a[i * n + i]).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
        self.nu = 2.0;
        self.stop = (self.bounds.projected_gradient_norm(&x, &g) <= self.gtol).then_some(StopReason::ProjectedGradient);
        Ok((state.param(x).cost(f).gradient(g).residuals(r), None))
    }

    fn next_iter(&mut self, problem: &mut Problem<O>, mut state: LmState) -> Result<(LmState, Option<KV>), ArgminError> {
        let x = state.take_param().expect("initialised");
        let g = state.take_gradient().expect("initialised");
        let r = state.take_residuals().expect("initialised");
        let f = state.get_cost();
        let n = x.len();
        let free: Vec<usize> = (0..n).filter(|&i| !self.bounds.blocked(i, x[i], g[i])).collect();
        let a = self.normal_matrix(n);
        let k = free.len();
        for _ in 0..60 {
            let mut m = vec![0.0; k * k];
            for (p, &i) in free.iter().enumerate() {
                for (q, &j) in free.iter().enumerate() {
                    m[p * k + q] = a[i * n + j];
                }
                m[p * k + p] += self.lambda * a[i * n + i].max(1e-12);
            }
            let rhs: Vec<f64> = free.iter().map(|&i| -g[i]).collect();
            let Some(step) = solve(m, rhs) else {
                self.lambda *= self.nu;
                self.nu *= 2.0;
                continue;
            };
            let mut trial = x.clone();
            for (&i, s) in free.iter().zip(&step) {
                trial[i] += s;
            }
            self.bounds.project(&mut trial);
            let s: Vec<f64> = trial.iter().zip(&x).map(|(a, b)| a - b).collect();
            let r_new = problem.apply(&trial)?;
            let f_new = half_square_norm(&r_new);
            if f_new.is_finite() && f_new < f {
                // Predicted reduction of the linear model, for the gain ratio.
                let js: Vec<f64> = self.jacobian.chunks_exact(n).map(|row| row.iter().zip(&s).map(|(j, v)| j * v).sum()).collect();
                let predicted = -(g.iter().zip(&s).map(|(a, b)| a * b).sum::<f64>() + half_square_norm(&js));
                let rho = if predicted > 0.0 { (f - f_new) / predicted } else { 0.0 };
                self.lambda *= (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0);
                self.nu = 2.0;
                self.jacobian = problem.jacobian(&trial)?;
                let g_new = jt_times(&self.jacobian, &r_new, n);
                let step_norm = s.iter().map(|v| v * v).sum::<f64>().sqrt();
                let x_norm = trial.iter().map(|v| v * v).sum::<f64>().sqrt();
                self.stop = if self.bounds.projected_gradient_norm(&trial, &g_new) <= self.gtol {
                    Some(StopReason::ProjectedGradient)
                } else if f - f_new < self.ftol * f {
                    Some(StopReason::RelativeReduction)
                } else if step_norm < self.xtol * (self.xtol + x_norm) {
                    Some(StopReason::SmallStep)
                } else {
                    None
                };
                return Ok((state.param(trial).cost(f_new).gradient(g_new).residuals(r_new), None));
            }
            self.lambda *= self.nu;
            self.nu *= 2.0;
        }
        self.stop = Some(StopReason::LineSearchFailed);
        Ok((state.param(x).cost(f).gradient(g).residuals(r), None))
    }

    fn terminate(&mut self, _state: &LmState) -> TerminationStatus {
        termination(self.stop)
    }
}
