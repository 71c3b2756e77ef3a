//! The fitting engine: one [`Fitter`] drives every [`Law`] through argmin, with bounds,
//! deterministic multi-start, and diagnostics returned as data.

use argmin::core::{Executor, State};
use argmin::solver::neldermead::NelderMead;

use crate::bounds::Bounds;
use crate::law::Law;
use crate::objective::Residuals;
use crate::objective::{Loss, Objective, Observations, ResidualSpace};
use crate::solver::{BoundedLm, ProjectedLbfgs, StopReason, Trf};

/// Why a fit could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Fewer observations than free parameters.
    #[error("{law}: {points} points cannot determine {params} parameters (need at least {params})")]
    TooFewPoints {
        /// The law.
        law: &'static str,
        /// Observations given.
        points: usize,
        /// Parameters of the law.
        params: usize,
    },
    /// An observation is NaN or infinite (or not positive in log space).
    #[error("{law}: observation {index} is {value}, expected a finite{positive} number")]
    BadObservation {
        /// The law.
        law: &'static str,
        /// Index of the observation.
        index: usize,
        /// Its value.
        value: f64,
        /// " positive" in log space.
        positive: &'static str,
    },
    /// Starting point, bounds and law disagree in length, or a bound is inverted.
    #[error("{law}: {message}")]
    BadSetup {
        /// The law.
        law: &'static str,
        /// What was wrong.
        message: String,
    },
    /// No start gave a finite objective, or the solver failed.
    #[error("{law}: {message}")]
    Solver {
        /// The law.
        law: &'static str,
        /// The solver's message.
        message: String,
    },
}

/// How many starting points to try and how to place them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultiStart {
    /// Total number of starts (the given p0 is always the first).
    pub starts: usize,
}

/// The optimisation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Projected L-BFGS: any loss (the paper's L-BFGS-B).
    Lbfgs,
    /// Bounded Levenberg–Marquardt with the analytic Jacobian: squared loss only.
    LevenbergMarquardt,
    /// Trust Region Reflective with a finite-difference Jacobian, as SciPy's `curve_fit`:
    /// squared loss only (the paper's step 2).
    #[serde(alias = "trf")]
    TrustRegionReflective,
    /// argmin's Nelder–Mead simplex on the bound-projected parameters: any loss, no gradient.
    NelderMead,
}

/// A loss as named in experiment files (`loss = "huber"`, with its δ under `delta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Huber loss with transition δ.
    Huber,
    /// Squared loss (least squares).
    Squared,
}

/// The paper's Huber transition δ (step 1).
pub const PAPER_HUBER_DELTA: f64 = 1e-3;

/// Fitting choices of one stage of a design, as data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitSettings {
    /// Loss per residual.
    pub loss: Loss,
    /// Residual space.
    pub residuals: ResidualSpace,
    /// Optimisation method.
    pub method: Method,
    /// Number of deterministic starts (the first is the stage's own p0).
    pub starts: usize,
}

/// Changes to a stage's [`FitSettings`], as written in experiment files (every key optional).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitOverrides {
    /// `huber` or `squared`.
    pub loss: Option<LossKind>,
    /// Huber δ (with `loss = "huber"`, or a stage whose loss is already Huber).
    pub delta: Option<f64>,
    /// `log` or `linear`.
    pub residuals: Option<ResidualSpace>,
    /// `lbfgs`, `trust_region_reflective` (`trf`), `levenberg_marquardt` or `nelder_mead`.
    pub method: Option<Method>,
    /// Number of deterministic starts.
    pub starts: Option<usize>,
}

impl FitOverrides {
    /// `base` with these changes applied; a `delta` for a squared loss is refused.
    pub fn apply(self, base: FitSettings) -> Result<FitSettings, String> {
        let base_delta = match base.loss {
            Loss::Huber { delta } => delta,
            Loss::Squared => PAPER_HUBER_DELTA,
        };
        let huber = Loss::Huber { delta: self.delta.unwrap_or(base_delta) };
        let loss = match (self.loss, self.delta) {
            (Some(LossKind::Squared), Some(_)) => return Err("`delta` belongs to loss = \"huber\", not \"squared\"".into()),
            (Some(LossKind::Squared), None) => Loss::Squared,
            (Some(LossKind::Huber), _) => huber,
            (None, Some(_)) if base.loss == Loss::Squared => {
                return Err("`delta` needs loss = \"huber\" (this stage's loss is squared)".into())
            }
            (None, Some(_)) => huber,
            (None, None) => base.loss,
        };
        Ok(FitSettings {
            loss,
            residuals: self.residuals.unwrap_or(base.residuals),
            method: self.method.unwrap_or(base.method),
            starts: self.starts.unwrap_or(base.starts),
        })
    }
}

impl FitSettings {
    /// The paper's step 1: Huber (δ = 1e-3) on log residuals, L-BFGS, one start.
    pub const fn step1() -> FitSettings {
        FitSettings { loss: Loss::Huber { delta: PAPER_HUBER_DELTA }, residuals: ResidualSpace::Log, method: Method::Lbfgs, starts: 1 }
    }

    /// The paper's step 2: least squares, trust region reflective, one start.
    pub const fn step2() -> FitSettings {
        FitSettings { loss: Loss::Squared, residuals: ResidualSpace::Linear, method: Method::TrustRegionReflective, starts: 1 }
    }

    /// A fitter with these settings and the given bounds.
    pub fn fitter(&self, bounds: Bounds) -> Fitter {
        Fitter::from(*self).with_bounds(bounds)
    }
}

impl From<FitSettings> for Fitter {
    fn from(settings: FitSettings) -> Fitter {
        Fitter::new(settings.loss, settings.residuals).with_method(settings.method).with_starts(settings.starts)
    }
}

/// Fitting settings; build with [`Fitter::new`] and the `with_*` methods.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitter {
    method: Method,
    loss: Loss,
    space: ResidualSpace,
    bounds: Option<Bounds>,
    max_iters: u64,
    pgtol: f64,
    multistart: MultiStart,
}

/// A fitted law with its diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Fitted parameters, in the law's order.
    pub params: Vec<f64>,
    /// Objective at the parameters.
    pub objective: f64,
    /// Solver iterations of the kept start.
    pub iterations: u64,
    /// Why the kept start stopped.
    pub stop: StopReason,
    /// Which parameters ended on a bound.
    pub at_bound: Vec<bool>,
    /// Index of the start that was kept (0 = the given p0).
    pub start: usize,
    /// Mean absolute relative error over the fitted observations.
    pub fit_error: f64,
    /// Gauss–Newton covariance of the parameters (row-major k × k; rows and columns of
    /// parameters on a bound are zero), `None` when the data cannot support one.
    pub covariance: Option<Vec<f64>>,
}

impl Fitter {
    /// A fitter with the given loss and residual space, no bounds, one start, 15 000 iterations;
    /// trust region reflective for squared loss, L-BFGS otherwise.
    pub fn new(loss: Loss, space: ResidualSpace) -> Fitter {
        let method = if loss == Loss::Squared { Method::TrustRegionReflective } else { Method::Lbfgs };
        Fitter { method, loss, space, bounds: None, max_iters: 15_000, pgtol: 1e-10, multistart: MultiStart { starts: 1 } }
    }

    /// Sets the optimisation method (Levenberg–Marquardt needs the squared loss).
    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Sets box bounds.
    pub fn with_bounds(mut self, bounds: Bounds) -> Self {
        self.bounds = Some(bounds);
        self
    }

    /// Sets the number of deterministic starts (at least 1).
    pub fn with_starts(mut self, starts: usize) -> Self {
        self.multistart = MultiStart { starts: starts.max(1) };
        self
    }

    /// Fits `law` to `data` starting from `p0`; with several starts, keeps the lowest objective.
    pub fn fit(&self, law: &dyn Law, data: &Observations, p0: &[f64]) -> Result<Fit, FitError> {
        let name = law.name();
        let k = law.param_names().len();
        let bounds = self.bounds.clone().unwrap_or_else(|| Bounds::free(k));
        if p0.len() != k || bounds.len() != k {
            return Err(FitError::BadSetup {
                law: name,
                message: format!("{k} parameters, but p0 has {} and the bounds {}", p0.len(), bounds.len()),
            });
        }
        if let Some(j) = (0..k).find(|&j| !(bounds.lower[j] <= bounds.upper[j])) {
            return Err(FitError::BadSetup { law: name, message: format!("bound of `{}` is inverted", law.param_names()[j]) });
        }
        if matches!(self.method, Method::LevenbergMarquardt | Method::TrustRegionReflective) && self.loss != Loss::Squared {
            return Err(FitError::BadSetup { law: name, message: format!("{:?} needs the squared loss", self.method) });
        }
        if data.len() < k {
            return Err(FitError::TooFewPoints { law: name, points: data.len(), params: k });
        }
        let log = self.space == ResidualSpace::Log;
        if let Some((index, &value)) = data.y.iter().enumerate().find(|(_, v)| !v.is_finite() || (log && **v <= 0.0)) {
            return Err(FitError::BadObservation { law: name, index, value, positive: if log { " positive" } else { "" } });
        }
        let objective = Objective { law, data, space: self.space, loss: self.loss };
        let mut best: Option<Fit> = None;
        let mut last_error = None;
        for (start, p) in starting_points(p0, &bounds, self.multistart.starts).into_iter().enumerate() {
            match self.run(&objective, &bounds, p) {
                Ok((params, value, iterations, stop)) => {
                    if best.as_ref().is_none_or(|b| value < b.objective) {
                        best = Some(Fit {
                            at_bound: bounds.at_bound(&params),
                            fit_error: objective.mean_relative_error(&params),
                            covariance: None,
                            params,
                            objective: value,
                            iterations,
                            stop,
                            start,
                        });
                    }
                }
                Err(message) => last_error = Some(message),
            }
        }
        let mut best = best.ok_or_else(|| FitError::Solver { law: name, message: last_error.unwrap_or_default() })?;
        best.covariance = covariance(&objective, &best.params, &best.at_bound);
        Ok(best)
    }

    fn run(&self, objective: &Objective<'_>, bounds: &Bounds, p: Vec<f64>) -> Result<(Vec<f64>, f64, u64, StopReason), String> {
        let (params, iterations, stop) = match self.method {
            Method::Lbfgs => {
                let solver = ProjectedLbfgs::new(bounds.clone()).with_pgtol(self.pgtol);
                let result = Executor::new(objective_ref(objective), solver)
                    .configure(|s| s.param(p).max_iters(self.max_iters))
                    .run()
                    .map_err(|e| e.to_string())?;
                (result.state().get_best_param().cloned(), result.state().get_iter(), result.solver().stop_reason())
            }
            Method::LevenbergMarquardt => {
                let solver = BoundedLm::new(bounds.clone());
                let result = Executor::new(Residuals(objective_ref(objective)), solver)
                    .configure(|s| s.param(p).max_iters(self.max_iters))
                    .run()
                    .map_err(|e| e.to_string())?;
                (result.state().get_best_param().cloned(), result.state().get_iter(), result.solver().stop_reason())
            }
            Method::TrustRegionReflective => {
                let result = Executor::new(Residuals(objective_ref(objective)), Trf::new(bounds.clone()))
                    .configure(|s| s.param(p).max_iters(self.max_iters))
                    .run()
                    .map_err(|e| e.to_string())?;
                (result.state().get_best_param().cloned(), result.state().get_iter(), result.solver().stop_reason())
            }
            Method::NelderMead => {
                let simplex: Vec<Vec<f64>> = std::iter::once(p.clone())
                    .chain((0..p.len()).map(|j| {
                        let mut v = p.clone();
                        v[j] += 0.1 * v[j].abs().max(0.1);
                        v
                    }))
                    .collect();
                let solver = NelderMead::new(simplex).with_sd_tolerance(1e-12).map_err(|e| e.to_string())?;
                let problem = Projected { objective: objective_ref(objective), bounds };
                let result = Executor::new(problem, solver).configure(|s| s.max_iters(self.max_iters)).run().map_err(|e| e.to_string())?;
                let converged = matches!(result.state().get_termination_reason(), Some(argmin::core::TerminationReason::SolverConverged));
                let mut best = result.state().get_best_param().cloned();
                if let Some(b) = best.as_mut() {
                    bounds.project(b);
                }
                (best, result.state().get_iter(), converged.then_some(StopReason::SimplexCollapsed))
            }
        };
        let params = params.ok_or("the solver returned no parameters")?;
        Ok((objective.value(&params), params, iterations, stop.unwrap_or(StopReason::MaxIterations)))
            .map(|(value, params, iterations, stop)| (params, value, iterations, stop))
    }
}

/// Gauss–Newton covariance s²(JᵀJ)⁻¹ over the free parameters, with J the Jacobian of the
/// residuals (in the fit's residual space) and s² = Σr² / (m − free); parameters on a bound are
/// held fixed (zero rows and columns).
fn covariance(objective: &Objective<'_>, params: &[f64], at_bound: &[bool]) -> Option<Vec<f64>> {
    use argmin::core::{Jacobian, Operator};
    let k = params.len();
    let residuals = Residuals(objective_ref(objective));
    let r = residuals.apply(&params.to_vec()).ok()?;
    let jac = residuals.jacobian(&params.to_vec()).ok()?;
    let free: Vec<usize> = (0..k).filter(|&j| !at_bound[j]).collect();
    let m = r.len();
    if m <= free.len() || free.is_empty() {
        return None;
    }
    let s2 = r.iter().map(|v| v * v).sum::<f64>() / (m - free.len()) as f64;
    let f = free.len();
    let mut jtj = vec![0.0; f * f];
    for row in jac.chunks_exact(k) {
        for (a, &i) in free.iter().enumerate() {
            for (b, &j) in free.iter().enumerate() {
                jtj[a * f + b] += row[i] * row[j];
            }
        }
    }
    let mut cov = vec![0.0; k * k];
    for (b, &j) in free.iter().enumerate() {
        let unit: Vec<f64> = (0..f).map(|a| if a == b { 1.0 } else { 0.0 }).collect();
        let column = crate::solver::solve_linear(jtj.clone(), unit)?;
        for (a, &i) in free.iter().enumerate() {
            cov[i * k + j] = s2 * column[a];
        }
    }
    cov.iter().all(|v| v.is_finite()).then_some(cov)
}

/// The objective evaluated at parameters projected into the bounds (for Nelder–Mead).
struct Projected<'a> {
    objective: Objective<'a>,
    bounds: &'a Bounds,
}

impl argmin::core::CostFunction for Projected<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        let mut q = p.clone();
        self.bounds.project(&mut q);
        Ok(self.objective.value(&q))
    }
}

/// argmin takes the problem by value; a thin copy of the borrowed objective.
fn objective_ref<'a>(o: &Objective<'a>) -> Objective<'a> {
    Objective { law: o.law, data: o.data, space: o.space, loss: o.loss }
}

/// The given start, then `n − 1` deterministic perturbations of it (Halton points spread over
/// ±(|p0| + 1) around each coordinate), projected into the bounds.
fn starting_points(p0: &[f64], bounds: &Bounds, n: usize) -> Vec<Vec<f64>> {
    const PRIMES: [u32; 10] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29];
    let halton = |mut i: u32, base: u32| {
        let (mut f, mut r) = (1.0, 0.0);
        while i > 0 {
            f /= base as f64;
            r += f * (i % base) as f64;
            i /= base;
        }
        r
    };
    (0..n)
        .map(|s| {
            let mut p: Vec<f64> = p0
                .iter()
                .enumerate()
                .map(|(j, &v)| if s == 0 { v } else { v + (2.0 * halton(s as u32, PRIMES[j % PRIMES.len()]) - 1.0) * (v.abs() + 1.0) })
                .collect();
            bounds.project(&mut p);
            p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::law::{NdPowerLaw, Sigmoid};

    fn ladder_grid() -> Vec<(f64, f64)> {
        let sizes = [1.9e8, 3.7e8, 7.6e8, 1.3e9];
        sizes.iter().flat_map(|&n| [1.0, 2.0, 5.0, 10.0].map(|m| (n, 20.0 * n * m))).collect()
    }

    #[test]
    fn recovers_a_noiseless_power_law() {
        let law = NdPowerLaw::default();
        let truth = [3.6, 4.6, 0.23, 0.24, 0.45];
        let mut data = Observations::default();
        for (n, d) in ladder_grid() {
            data.push(&[n, d], law.value(&truth, &[n, d]));
        }
        let fit = Fitter::from(FitSettings::step1())
            .with_bounds(Bounds::new(&[(0.0, f64::INFINITY); 5]))
            .fit(&law, &data, &[3.0, 6.0, 0.1, 0.2, 1.0])
            .unwrap();
        assert!(fit.fit_error < 1e-6, "{fit:?}");
        let far = [1.3e10, 5e12];
        assert!((law.value(&fit.params, &far) - law.value(&truth, &far)).abs() < 1e-4, "{fit:?}");
    }

    #[test]
    fn recovers_a_sigmoid_with_noise() {
        let truth = [-0.74, 0.62, 4.8, 1.0];
        let mut data = Observations::default();
        let mut state = 12345u64;
        for i in 0..400 {
            let x = 0.4 + 1.2 * i as f64 / 400.0;
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let noise = ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.01;
            data.push(&[x], Sigmoid.value(&truth, &[x]) + noise);
        }
        let fit = Fitter::from(FitSettings::step2())
            .with_bounds(Bounds::new(&[(-1.0, 0.0), (0.0, f64::INFINITY), (0.0, f64::INFINITY), (0.0, 1.0)]))
            .fit(&Sigmoid, &data, &[-0.75, 0.9, 3.0, 1.0])
            .unwrap();
        for (p, t) in fit.params.iter().zip(truth) {
            assert!((p - t).abs() < 0.05 * t.abs().max(0.1), "{fit:?}");
        }
        // Levenberg-Marquardt with the analytic Jacobian lands on the same optimum.
        let lm = Fitter::from(FitSettings::step2())
            .with_method(Method::LevenbergMarquardt)
            .with_bounds(Bounds::new(&[(-1.0, 0.0), (0.0, f64::INFINITY), (0.0, f64::INFINITY), (0.0, 1.0)]))
            .fit(&Sigmoid, &data, &[-0.75, 0.9, 3.0, 1.0])
            .unwrap();
        for (a, b) in lm.params.iter().zip(&fit.params) {
            assert!((a - b).abs() < 1e-5, "{lm:?} vs {fit:?}");
        }
        // Nelder-Mead (no gradient) gets close to the same optimum (it stalls on the b bound).
        let nm = Fitter::from(FitSettings::step2())
            .with_method(Method::NelderMead)
            .with_bounds(Bounds::new(&[(-1.0, 0.0), (0.0, f64::INFINITY), (0.0, f64::INFINITY), (0.0, 1.0)]))
            .fit(&Sigmoid, &data, &[-0.75, 0.9, 3.0, 1.0])
            .unwrap();
        assert!(nm.objective <= fit.objective * (1.0 + 1e-3), "{nm:?} vs {fit:?}");
        assert_eq!(nm.stop, StopReason::SimplexCollapsed);
        // A ceiling bound below the truth is reported as active.
        let capped = Fitter::from(FitSettings::step2())
            .with_bounds(Bounds::new(&[(-1.0, 0.0), (0.0, f64::INFINITY), (0.0, f64::INFINITY), (0.0, 0.95)]))
            .fit(&Sigmoid, &data, &[-0.75, 0.9, 3.0, 0.9])
            .unwrap();
        assert_eq!(capped.at_bound, vec![false, false, false, true], "{capped:?}");
    }

    #[test]
    fn overrides_set_the_loss_and_its_delta_together() {
        let huber = |delta| Loss::Huber { delta };
        let o = |loss, delta| FitOverrides { loss, delta, ..FitOverrides::default() };
        assert_eq!(o(None, None).apply(FitSettings::step1()).unwrap(), FitSettings::step1());
        assert_eq!(o(None, Some(0.01)).apply(FitSettings::step1()).unwrap().loss, huber(0.01));
        assert_eq!(o(Some(LossKind::Squared), None).apply(FitSettings::step1()).unwrap().loss, Loss::Squared);
        assert_eq!(o(Some(LossKind::Huber), None).apply(FitSettings::step2()).unwrap().loss, huber(PAPER_HUBER_DELTA));
        assert_eq!(o(Some(LossKind::Huber), Some(0.1)).apply(FitSettings::step2()).unwrap().loss, huber(0.1));
        assert!(o(Some(LossKind::Squared), Some(0.1)).apply(FitSettings::step1()).unwrap_err().contains("delta"));
        assert!(o(None, Some(0.1)).apply(FitSettings::step2()).unwrap_err().contains("squared"));
    }

    #[test]
    fn too_few_points_is_an_error() {
        let mut data = Observations::default();
        data.push(&[1e8, 1e9], 1.0);
        let err = Fitter::from(FitSettings::step1()).fit(&NdPowerLaw::default(), &data, &[3.0, 6.0, 0.1, 0.2, 1.0]).unwrap_err();
        assert_eq!(err, FitError::TooFewPoints { law: "nd_power", points: 1, params: 5 });
        assert!(err.to_string().contains("1 points cannot determine 5 parameters"));
    }

    #[test]
    fn nan_observations_are_refused() {
        let mut data = Observations::default();
        for i in 0..6 {
            data.push(&[1e8 * (i + 1) as f64, 1e9], if i == 3 { f64::NAN } else { 1.0 });
        }
        let err = Fitter::from(FitSettings::step1()).fit(&NdPowerLaw::default(), &data, &[3.0, 6.0, 0.1, 0.2, 1.0]).unwrap_err();
        assert!(matches!(err, FitError::BadObservation { index: 3, .. }), "{err}");
    }

    #[test]
    fn multistart_is_deterministic_and_keeps_p0_first() {
        let b = Bounds::new(&[(0.0, 1.0), (f64::NEG_INFINITY, f64::INFINITY)]);
        let a = starting_points(&[0.5, 2.0], &b, 5);
        assert_eq!(a, starting_points(&[0.5, 2.0], &b, 5));
        assert_eq!(a[0], vec![0.5, 2.0]);
        assert!(a.iter().all(|p| (0.0..=1.0).contains(&p[0])));
    }
}

#[cfg(test)]
mod multistart_tests {
    use super::*;

    /// y = sin(ω x): every wrong frequency near the start is a local optimum.
    struct Wave;
    impl Law for Wave {
        fn name(&self) -> &'static str {
            "wave"
        }
        fn param_names(&self) -> &'static [&'static str] {
            &["omega"]
        }
        fn inputs(&self) -> usize {
            1
        }
        fn value(&self, p: &[f64], x: &[f64]) -> f64 {
            (p[0] * x[0]).sin()
        }
        fn value_and_gradient(&self, p: &[f64], x: &[f64], g: &mut [f64]) -> f64 {
            g[0] = x[0] * (p[0] * x[0]).cos();
            self.value(p, x)
        }
        fn formula(&self, p: &[f64]) -> String {
            format!("sin({} x)", p[0])
        }
    }

    #[test]
    fn more_starts_escape_a_local_optimum_and_keep_the_best() {
        let mut data = Observations::default();
        for i in 0..100 {
            let x = 0.05 + 10.0 * i as f64 / 100.0;
            data.push(&[x], (3.0 * x).sin());
        }
        for method in [Method::Lbfgs, Method::TrustRegionReflective] {
            let fitter = Fitter::from(FitSettings::step2()).with_method(method);
            let one = fitter.fit(&Wave, &data, &[1.7]).unwrap();
            assert!((one.params[0] - 3.0).abs() > 0.1, "one start should stall: {one:?}");
            let many = fitter.clone().with_starts(16).fit(&Wave, &data, &[1.7]).unwrap();
            assert!((many.params[0] - 3.0).abs() < 1e-6 && many.start > 0, "{method:?}: {many:?}");
            assert_eq!(many, fitter.with_starts(16).fit(&Wave, &data, &[1.7]).unwrap(), "deterministic");
        }
    }
}
