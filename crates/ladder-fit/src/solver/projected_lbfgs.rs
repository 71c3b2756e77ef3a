//! Projected L-BFGS for box-bounded smooth problems.
//!
//! Each iteration fixes the variables that sit on a bound with the gradient pushing outwards,
//! takes the L-BFGS direction in the remaining (free) variables, and searches along the
//! projected path x(t) = P(x + t·d) with Armijo backtracking. Infinite objective values (for
//! example a log residual of a negative prediction) are rejected by the line search.

use std::collections::VecDeque;

use argmin::core::{CostFunction, Error as ArgminError, Gradient, IterState, Problem, Solver, TerminationStatus, KV};

use super::common::{starting_point, termination};
use super::StopReason;

use crate::bounds::Bounds;

/// Bounded L-BFGS (see the module docs).
#[derive(Debug, Clone)]
pub struct ProjectedLbfgs {
    bounds: Bounds,
    memory: usize,
    pgtol: f64,
    max_backtracks: usize,
    history: VecDeque<(Vec<f64>, Vec<f64>, f64)>,
    stop: Option<StopReason>,
}

impl ProjectedLbfgs {
    /// A solver for the given bounds with memory 10, projected-gradient tolerance 1e-10 and
    /// no relative-reduction stop (as SciPy with `ftol = 0`): it stops on the projected gradient,
    /// a failed line search or the iteration limit.
    pub fn new(bounds: Bounds) -> Self {
        ProjectedLbfgs { bounds, memory: 10, pgtol: 1e-10, max_backtracks: 60, history: VecDeque::new(), stop: None }
    }

    /// Sets the projected-gradient tolerance (∞-norm).
    pub fn with_pgtol(mut self, pgtol: f64) -> Self {
        self.pgtol = pgtol;
        self
    }

    /// Why the solver stopped (`None` before it stopped by itself, e.g. on the iteration limit).
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.stop
    }

    /// Two-loop recursion restricted to the free variables.
    fn direction(&self, g: &[f64], free: &[bool]) -> Vec<f64> {
        let mask = |v: &[f64]| -> Vec<f64> { v.iter().zip(free).map(|(x, f)| if *f { *x } else { 0.0 }).collect() };
        let dot = |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).zip(free).filter(|(_, f)| **f).map(|((x, y), _)| x * y).sum() };
        let mut q = mask(g);
        let mut alphas = Vec::with_capacity(self.history.len());
        for (s, y, rho) in self.history.iter().rev() {
            let a = rho * dot(s, &q);
            for (qi, yi) in q.iter_mut().zip(y) {
                *qi -= a * yi;
            }
            alphas.push(a);
        }
        if let Some((s, y, _)) = self.history.back() {
            let yy = dot(y, y);
            if yy > 0.0 {
                let gamma = dot(s, y) / yy;
                q.iter_mut().for_each(|v| *v *= gamma);
            }
        }
        for ((s, y, rho), a) in self.history.iter().zip(alphas.into_iter().rev()) {
            let b = rho * dot(y, &q);
            for (qi, si) in q.iter_mut().zip(s) {
                *qi += (a - b) * si;
            }
        }
        mask(&q).into_iter().map(|v| -v).collect()
    }
}

type LbfgsState = IterState<Vec<f64>, Vec<f64>, (), (), (), f64>;

impl<O> Solver<O, LbfgsState> for ProjectedLbfgs
where
    O: CostFunction<Param = Vec<f64>, Output = f64> + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    fn name(&self) -> &str {
        "projected L-BFGS"
    }

    fn init(&mut self, problem: &mut Problem<O>, mut state: LbfgsState) -> Result<(LbfgsState, Option<KV>), ArgminError> {
        let x = starting_point(state.take_param(), &self.bounds)?;
        let f = problem.cost(&x)?;
        if !f.is_finite() {
            return Err(argmin::argmin_error!(InvalidParameter, "the objective is not finite at the starting point"));
        }
        let g = problem.gradient(&x)?;
        self.history.clear();
        self.stop = None;
        if self.bounds.projected_gradient_norm(&x, &g) <= self.pgtol {
            self.stop = Some(StopReason::ProjectedGradient);
        }
        Ok((state.param(x).cost(f).gradient(g), None))
    }

    fn next_iter(&mut self, problem: &mut Problem<O>, mut state: LbfgsState) -> Result<(LbfgsState, Option<KV>), ArgminError> {
        let x = state.take_param().expect("initialised");
        let g = state.take_gradient().expect("initialised");
        let f = state.get_cost();
        let free: Vec<bool> = (0..x.len()).map(|i| !self.bounds.blocked(i, x[i], g[i])).collect();
        let mut d = self.direction(&g, &free);
        let slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope.is_nan() || slope >= 0.0 {
            // Not a descent direction: forget the curvature pairs and use steepest descent.
            self.history.clear();
            d = self.direction(&g, &free);
        }
        // First step without curvature information: move at most one unit in any coordinate.
        let mut t = if self.history.is_empty() { 1.0 / d.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1.0) } else { 1.0 };
        let mut accepted = None;
        for _ in 0..self.max_backtracks {
            let mut trial: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + t * b).collect();
            self.bounds.project(&mut trial);
            let decrease: f64 = g.iter().zip(trial.iter().zip(&x)).map(|(gi, (a, b))| gi * (a - b)).sum();
            let ft = problem.cost(&trial)?;
            if ft.is_finite() && ft <= f + 1e-4 * decrease && ft < f {
                accepted = Some((trial, ft));
                break;
            }
            t *= if ft.is_finite() { 0.5 } else { 0.1 };
        }
        let Some((x_new, f_new)) = accepted else {
            // A quasi-Newton direction that fails is retried once as steepest descent.
            if self.history.is_empty() {
                self.stop = Some(StopReason::LineSearchFailed);
            }
            self.history.clear();
            return Ok((state.param(x).cost(f).gradient(g), None));
        };
        let g_new = problem.gradient(&x_new)?;
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        let yy: f64 = y.iter().map(|v| v * v).sum();
        if sy > f64::EPSILON * yy && sy > 0.0 {
            if self.history.len() == self.memory {
                self.history.pop_front();
            }
            self.history.push_back((s, y, 1.0 / sy));
        }
        if self.bounds.projected_gradient_norm(&x_new, &g_new) <= self.pgtol {
            self.stop = Some(StopReason::ProjectedGradient);
        }
        Ok((state.param(x_new).cost(f_new).gradient(g_new), None))
    }

    fn terminate(&mut self, _state: &LbfgsState) -> TerminationStatus {
        termination(self.stop)
    }
}
