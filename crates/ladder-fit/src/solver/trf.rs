//! Trust Region Reflective least squares with box bounds (Branch, Coleman & Li 1999), following
//! the published description of SciPy's `least_squares(method="trf")`, which `curve_fit` uses
//! when bounds are given.
//!
//! Why a second least-squares solver: some of the paper's step-2 fits (the log-sigmoid on
//! TaskCE) sit in flat valleys where every solver stops somewhere different. Reproducing the
//! published numbers there means stopping where SciPy stops: same Coleman–Li scaling, the same
//! exact trust-region subproblem (solved through an SVD), the same step selection (projected
//! Newton step, reflected step, scaled gradient step), the same radius updates, the same
//! forward-difference Jacobian (relative step √ε·max(1, |x|)) and the same stopping rules
//! (ftol = xtol = gtol = 1e-8).

use argmin::core::{Error as ArgminError, IterState, Operator, Problem, Solver, TerminationStatus, KV};

use super::common::{dot, jt_times, norm, starting_point, termination};
use super::StopReason;
use crate::bounds::Bounds;

/// Trust Region Reflective (see the module docs).
#[derive(Debug, Clone)]
pub struct Trf {
    bounds: Bounds,
    ftol: f64,
    xtol: f64,
    gtol: f64,
    delta: f64,
    alpha: f64,
    jacobian: Vec<f64>,
    stop: Option<StopReason>,
}

type TrfState = IterState<Vec<f64>, Vec<f64>, (), (), Vec<f64>, f64>;

const EPS: f64 = f64::EPSILON;

impl Trf {
    /// A solver for the given bounds with ftol = xtol = gtol = 1e-8.
    pub fn new(bounds: Bounds) -> Self {
        Trf { bounds, ftol: 1e-8, xtol: 1e-8, gtol: 1e-8, delta: 1.0, alpha: 0.0, jacobian: Vec::new(), stop: None }
    }

    /// Why the solver stopped (`None` before it stopped by itself).
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.stop
    }

    /// Coleman–Li scaling vector v and its derivative dv.
    fn scaling(&self, x: &[f64], g: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (mut v, mut dv) = (vec![1.0; x.len()], vec![0.0; x.len()]);
        for i in 0..x.len() {
            let (lo, hi) = (self.bounds.lower[i], self.bounds.upper[i]);
            if g[i] < 0.0 && hi.is_finite() {
                v[i] = hi - x[i];
                dv[i] = -1.0;
            }
            if g[i] > 0.0 && lo.is_finite() {
                v[i] = x[i] - lo;
                dv[i] = 1.0;
            }
        }
        (v, dv)
    }

    /// Moves points on (or, with `rstep > 0`, near) a bound strictly inside.
    fn strictly_feasible(&self, x: &mut [f64], rstep: f64) {
        for i in 0..x.len() {
            let (lo, hi) = (self.bounds.lower[i], self.bounds.upper[i]);
            let (lower_dist, upper_dist) = (x[i] - lo, hi - x[i]);
            let (lower_active, upper_active) = if rstep == 0.0 {
                (lo.is_finite() && x[i] <= lo, hi.is_finite() && x[i] >= hi)
            } else {
                (
                    lo.is_finite() && lower_dist <= (rstep * lo.abs().max(1.0)).min(upper_dist),
                    hi.is_finite() && upper_dist <= (rstep * hi.abs().max(1.0)).min(lower_dist),
                )
            };
            if lower_active {
                x[i] = if rstep == 0.0 { next_toward(lo, hi) } else { lo + rstep * lo.abs().max(1.0) };
            } else if upper_active {
                x[i] = if rstep == 0.0 { next_toward(hi, lo) } else { hi - rstep * hi.abs().max(1.0) };
            }
            if x[i] < lo || x[i] > hi {
                x[i] = 0.5 * (lo + hi);
            }
        }
    }

    /// Forward-difference Jacobian (row-major, m × n), stepping backwards at an upper bound.
    fn finite_difference_jacobian<O>(&self, problem: &mut Problem<O>, x: &[f64], f0: &[f64]) -> Result<Vec<f64>, ArgminError>
    where
        O: Operator<Param = Vec<f64>, Output = Vec<f64>>,
    {
        let (n, m) = (x.len(), f0.len());
        let mut jac = vec![0.0; m * n];
        for j in 0..n {
            let (lo, hi) = (self.bounds.lower[j], self.bounds.upper[j]);
            let sign = if x[j] >= 0.0 { 1.0 } else { -1.0 };
            let mut h = EPS.sqrt() * sign * x[j].abs().max(1.0);
            let (lower_dist, upper_dist) = (x[j] - lo, hi - x[j]);
            let stepped = x[j] + h;
            let fits = h.abs() <= lower_dist.max(upper_dist);
            if (stepped < lo || stepped > hi) && fits {
                h = -h;
            } else if !fits {
                h = if upper_dist >= lower_dist { upper_dist } else { -lower_dist };
            }
            let mut xh = x.to_vec();
            xh[j] += h;
            let dx = xh[j] - x[j];
            let fh = problem.apply(&xh)?;
            for i in 0..m {
                jac[i * n + j] = (fh[i] - f0[i]) / dx;
            }
        }
        Ok(jac)
    }
}

/// The next representable float after `from` in the direction of `to`.
fn next_toward(from: f64, to: f64) -> f64 {
    if from == to || from.is_nan() || to.is_nan() {
        return from;
    }
    let bits = from.to_bits() as i64;
    let up = to > from;
    let next = match (from == 0.0, from > 0.0, up) {
        (true, _, true) => 1,
        (true, _, false) => (1u64 << 63 | 1) as i64,
        (false, true, true) | (false, false, false) => bits + 1,
        _ => bits - 1,
    };
    f64::from_bits(next as u64)
}

/// Thin SVD of a rows × n matrix (row-major) by one-sided Jacobi rotations: returns singular
/// values (descending), V (n × n, row-major, columns are right singular vectors) and A·V
/// (= U·Σ, row-major).
fn svd(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let rows = a.len() / n;
    let mut v = vec![0.0; n * n];
    (0..n).for_each(|i| v[i * n + i] = 1.0);
    for _sweep in 0..60 {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                let (mut alpha, mut beta, mut gamma) = (0.0, 0.0, 0.0);
                for r in 0..rows {
                    let (x, y) = (a[r * n + p], a[r * n + q]);
                    alpha += x * x;
                    beta += y * y;
                    gamma += x * y;
                }
                if gamma == 0.0 || gamma.abs() <= EPS * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let t = if zeta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                for r in 0..rows {
                    let (x, y) = (a[r * n + p], a[r * n + q]);
                    a[r * n + p] = c * x - s * y;
                    a[r * n + q] = s * x + c * y;
                }
                for r in 0..n {
                    let (x, y) = (v[r * n + p], v[r * n + q]);
                    v[r * n + p] = c * x - s * y;
                    v[r * n + q] = s * x + c * y;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let sv: Vec<f64> = (0..n).map(|j| (0..rows).map(|r| a[r * n + j] * a[r * n + j]).sum::<f64>().sqrt()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| sv[j].total_cmp(&sv[i]));
    let permute = |m: &[f64], k: usize| -> Vec<f64> {
        let mut out = vec![0.0; m.len()];
        for r in 0..m.len() / k {
            for (new, &old) in order.iter().enumerate() {
                out[r * k + new] = m[r * k + old];
            }
        }
        out
    };
    (order.iter().map(|&i| sv[i]).collect(), permute(&v, n), permute(&a, n))
}

/// Exact trust-region subproblem min ‖J p + f‖ s.t. ‖p‖ ≤ Δ, given the SVD of J
/// (Moré & Sorensen; s descending, v n × n, uf = Uᵀf). Returns (p, α).
fn trust_region_step(m: usize, uf: &[f64], s: &[f64], v: &[f64], delta: f64, initial_alpha: f64) -> (Vec<f64>, f64) {
    let n = s.len();
    let suf: Vec<f64> = s.iter().zip(uf).map(|(a, b)| a * b).collect();
    let combine = |coef: &[f64]| -> Vec<f64> { (0..n).map(|r| (0..n).map(|c| v[r * n + c] * coef[c]).sum()).collect() };
    let full_rank = s[n - 1] > EPS * m as f64 * s[0];
    if full_rank {
        let p: Vec<f64> = combine(&uf.iter().zip(s).map(|(u, s)| -u / s).collect::<Vec<_>>());
        if norm(&p) <= delta {
            return (p, 0.0);
        }
    }
    let phi_and_derivative = |alpha: f64| {
        let denom: Vec<f64> = s.iter().map(|s| s * s + alpha).collect();
        let p_norm = suf.iter().zip(&denom).map(|(a, d)| (a / d).powi(2)).sum::<f64>().sqrt();
        let phi = p_norm - delta;
        let phi_prime = -suf.iter().zip(&denom).map(|(a, d)| a * a / d.powi(3)).sum::<f64>() / p_norm;
        (phi, phi_prime)
    };
    let mut alpha_upper = norm(&suf) / delta;
    let mut alpha_lower = if full_rank {
        let (phi, phi_prime) = phi_and_derivative(0.0);
        -phi / phi_prime
    } else {
        0.0
    };
    let mut alpha =
        if !full_rank && initial_alpha == 0.0 { (0.001 * alpha_upper).max((alpha_lower * alpha_upper).sqrt()) } else { initial_alpha };
    for _ in 0..10 {
        if alpha < alpha_lower || alpha > alpha_upper {
            alpha = (0.001 * alpha_upper).max((alpha_lower * alpha_upper).sqrt());
        }
        let (phi, phi_prime) = phi_and_derivative(alpha);
        if phi < 0.0 {
            alpha_upper = alpha;
        }
        let ratio = phi / phi_prime;
        alpha_lower = alpha_lower.max(alpha - ratio);
        alpha -= (phi + delta) * ratio / delta;
        if phi.abs() < 0.01 * delta {
            break;
        }
    }
    let mut p = combine(&suf.iter().zip(s).map(|(a, s)| -a / (s * s + alpha)).collect::<Vec<_>>());
    let scale = delta / norm(&p);
    p.iter_mut().for_each(|x| *x *= scale);
    (p, alpha)
}

/// The quadratic model q(s) = ½‖J s‖² + ½ sᵀ diag s + gᵀ s, where J is m × n row-major.
struct Quadratic<'a> {
    jac: &'a [f64],
    g: &'a [f64],
    diag: &'a [f64],
}

impl Quadratic<'_> {
    fn times(&self, s: &[f64]) -> Vec<f64> {
        self.jac.chunks_exact(s.len()).map(|row| dot(row, s)).collect()
    }

    fn value(&self, s: &[f64]) -> f64 {
        let js = self.times(s);
        0.5 * (dot(&js, &js) + s.iter().zip(self.diag).map(|(x, d)| x * x * d).sum::<f64>()) + dot(s, self.g)
    }

    /// Coefficients (a, b, c) of t ↦ q(s0 + t·s) = a t² + b t + c.
    fn along(&self, s: &[f64], s0: Option<&[f64]>) -> (f64, f64, f64) {
        let v = self.times(s);
        let a = 0.5 * (dot(&v, &v) + s.iter().zip(self.diag).map(|(x, d)| x * x * d).sum::<f64>());
        let mut b = dot(self.g, s);
        let mut c = 0.0;
        if let Some(s0) = s0 {
            let u = self.times(s0);
            b += dot(&u, &v) + s0.iter().zip(s).zip(self.diag).map(|((x, y), d)| x * y * d).sum::<f64>();
            c = 0.5 * (dot(&u, &u) + s0.iter().zip(self.diag).map(|(x, d)| x * x * d).sum::<f64>()) + dot(self.g, s0);
        }
        (a, b, c)
    }
}

/// Minimum of a t² + b t + c over [lo, hi]: the ends first, then the interior extremum.
fn minimize_quadratic_1d(a: f64, b: f64, lo: f64, hi: f64, c: f64) -> (f64, f64) {
    let mut candidates = vec![lo, hi];
    if a != 0.0 {
        let extremum = -0.5 * b / a;
        if lo < extremum && extremum < hi {
            candidates.push(extremum);
        }
    }
    candidates
        .into_iter()
        .map(|t| (t, t * (a * t + b) + c))
        .fold((f64::NAN, f64::INFINITY), |best, cur| if cur.1 < best.1 { cur } else { best })
}

impl Trf {
    /// Largest step along `s` from `x` that stays in the box, and which bounds it hits (±1).
    fn step_to_bound(&self, x: &[f64], s: &[f64]) -> (f64, Vec<f64>) {
        let steps: Vec<f64> =
            (0..x.len())
                .map(|i| {
                    if s[i] == 0.0 {
                        f64::INFINITY
                    } else {
                        ((self.bounds.lower[i] - x[i]) / s[i]).max((self.bounds.upper[i] - x[i]) / s[i])
                    }
                })
                .collect();
        let min = steps.iter().copied().fold(f64::INFINITY, f64::min);
        let hits = steps.iter().zip(s).map(|(st, si)| if *st == min { si.signum() * (*si != 0.0) as u8 as f64 } else { 0.0 }).collect();
        (min, hits)
    }

    fn in_bounds(&self, x: &[f64]) -> bool {
        x.iter().zip(self.bounds.lower.iter().zip(&self.bounds.upper)).all(|(v, (lo, hi))| v >= lo && v <= hi)
    }

    /// Chooses between the trust-region step (shortened at the bound), its reflection, and the
    /// scaled gradient step; returns (step, step in scaled space, predicted reduction).
    #[allow(clippy::too_many_arguments)]
    fn select_step(
        &self,
        x: &[f64],
        q: &Quadratic<'_>,
        mut p: Vec<f64>,
        mut p_h: Vec<f64>,
        d: &[f64],
        delta: f64,
        theta: f64,
    ) -> (Vec<f64>, Vec<f64>, f64) {
        let moved: Vec<f64> = x.iter().zip(&p).map(|(a, b)| a + b).collect();
        if self.in_bounds(&moved) {
            let value = q.value(&p_h);
            return (p, p_h, -value);
        }
        let (p_stride, hits) = self.step_to_bound(x, &p);
        let mut r_h = p_h.clone();
        for (r, h) in r_h.iter_mut().zip(&hits) {
            if *h != 0.0 {
                *r = -*r;
            }
        }
        let mut r: Vec<f64> = d.iter().zip(&r_h).map(|(a, b)| a * b).collect();
        p.iter_mut().for_each(|v| *v *= p_stride);
        p_h.iter_mut().for_each(|v| *v *= p_stride);
        let on_bound: Vec<f64> = x.iter().zip(&p).map(|(a, b)| a + b).collect();
        // Intersection of p_h + t r_h with the trust region (positive root).
        let to_tr = {
            let a = dot(&r_h, &r_h);
            let b = dot(&p_h, &r_h);
            let c = dot(&p_h, &p_h) - delta * delta;
            let disc = (b * b - a * c).max(0.0).sqrt();
            let qq = -(b + disc.copysign(b));
            let (t1, t2) = (qq / a, c / qq);
            t1.max(t2)
        };
        let (to_bound, _) = self.step_to_bound(&on_bound, &r);
        let r_stride = to_bound.min(to_tr);
        let (r_lo, r_hi) = if r_stride > 0.0 {
            ((1.0 - theta) * p_stride / r_stride, if r_stride == to_bound { theta * to_bound } else { to_tr })
        } else {
            (0.0, -1.0)
        };
        let r_value = if r_lo <= r_hi {
            let (a, b, c) = q.along(&r_h, Some(&p_h));
            let (t, value) = minimize_quadratic_1d(a, b, r_lo, r_hi, c);
            r_h = r_h.iter().zip(&p_h).map(|(rv, pv)| rv * t + pv).collect();
            r = r_h.iter().zip(d).map(|(a, b)| a * b).collect();
            value
        } else {
            f64::INFINITY
        };
        p.iter_mut().for_each(|v| *v *= theta);
        p_h.iter_mut().for_each(|v| *v *= theta);
        let p_value = q.value(&p_h);
        let mut ag_h: Vec<f64> = q.g.iter().map(|v| -v).collect();
        let ag: Vec<f64> = d.iter().zip(&ag_h).map(|(a, b)| a * b).collect();
        let to_tr = delta / norm(&ag_h);
        let (to_bound, _) = self.step_to_bound(x, &ag);
        let ag_limit = if to_bound < to_tr { theta * to_bound } else { to_tr };
        let (a, b, _) = q.along(&ag_h, None);
        let (ag_stride, ag_value) = minimize_quadratic_1d(a, b, 0.0, ag_limit, 0.0);
        ag_h.iter_mut().for_each(|v| *v *= ag_stride);
        let ag: Vec<f64> = ag.iter().map(|v| v * ag_stride).collect();
        if p_value < r_value && p_value < ag_value {
            (p, p_h, -p_value)
        } else if r_value < p_value && r_value < ag_value {
            (r, r_h, -r_value)
        } else {
            (ag, ag_h, -ag_value)
        }
    }
}

impl<O> Solver<O, TrfState> for Trf
where
    O: Operator<Param = Vec<f64>, Output = Vec<f64>>,
{
    fn name(&self) -> &str {
        "trust region reflective"
    }

    fn init(&mut self, problem: &mut Problem<O>, mut state: TrfState) -> Result<(TrfState, Option<KV>), ArgminError> {
        let mut x = starting_point(state.take_param(), &self.bounds)?;
        self.strictly_feasible(&mut x, 1e-10);
        let f = problem.apply(&x)?;
        let cost = 0.5 * dot(&f, &f);
        if !cost.is_finite() {
            return Err(argmin::argmin_error!(InvalidParameter, "the residuals are not finite at the starting point"));
        }
        self.jacobian = self.finite_difference_jacobian(problem, &x, &f)?;
        let n = x.len();
        let g = jt_times(&self.jacobian, &f, n);
        let (v, _) = self.scaling(&x, &g);
        self.delta = x.iter().zip(&v).map(|(a, b)| (a / b.sqrt()).powi(2)).sum::<f64>().sqrt();
        if self.delta == 0.0 {
            self.delta = 1.0;
        }
        self.alpha = 0.0;
        self.stop = None;
        Ok((state.param(x).cost(cost).gradient(g).residuals(f), None))
    }

    fn next_iter(&mut self, problem: &mut Problem<O>, mut state: TrfState) -> Result<(TrfState, Option<KV>), ArgminError> {
        let x = state.take_param().expect("initialised");
        let g = state.take_gradient().expect("initialised");
        let f = state.take_residuals().expect("initialised");
        let cost = state.get_cost();
        let (n, m) = (x.len(), f.len());
        let (v, dv) = self.scaling(&x, &g);
        let g_norm = g.iter().zip(&v).map(|(a, b)| (a * b).abs()).fold(0.0, f64::max);
        if g_norm < self.gtol {
            self.stop = Some(StopReason::ProjectedGradient);
            return Ok((state.param(x).cost(cost).gradient(g).residuals(f), None));
        }
        let d: Vec<f64> = v.iter().map(|v| v.sqrt()).collect();
        let diag_h: Vec<f64> = g.iter().zip(&dv).map(|(a, b)| a * b).collect();
        let g_h: Vec<f64> = d.iter().zip(&g).map(|(a, b)| a * b).collect();
        let mut j_aug = Vec::with_capacity((m + n) * n);
        for row in self.jacobian.chunks_exact(n) {
            j_aug.extend(row.iter().zip(&d).map(|(a, b)| a * b));
        }
        for i in 0..n {
            j_aug.extend((0..n).map(|j| if i == j { diag_h[i].sqrt() } else { 0.0 }));
        }
        let j_h = j_aug[..m * n].to_vec();
        let (s, vmat, us) = svd(j_aug, n);
        // uf = Uᵀ f_aug with U = (A V) Σ⁻¹; the augmented rows of f are zero.
        let uf: Vec<f64> =
            (0..n).map(|k| if s[k] > 0.0 { (0..m).map(|r| us[r * n + k] * f[r]).sum::<f64>() / s[k] } else { 0.0 }).collect();
        let theta = (1.0 - g_norm).max(0.995);
        let q = Quadratic { jac: &j_h, g: &g_h, diag: &diag_h };
        let x_norm = norm(&x);
        let mut accepted: Option<(Vec<f64>, Vec<f64>, f64)> = None;
        for _ in 0..100 {
            let (p_h, alpha) = trust_region_step(m, &uf, &s, &vmat, self.delta, self.alpha);
            self.alpha = alpha;
            let p: Vec<f64> = d.iter().zip(&p_h).map(|(a, b)| a * b).collect();
            let (step, step_h, predicted) = self.select_step(&x, &q, p, p_h, &d, self.delta, theta);
            let mut x_new: Vec<f64> = x.iter().zip(&step).map(|(a, b)| a + b).collect();
            self.strictly_feasible(&mut x_new, 0.0);
            let f_new = problem.apply(&x_new)?;
            let step_h_norm = norm(&step_h);
            if !f_new.iter().all(|v| v.is_finite()) {
                self.delta = 0.25 * step_h_norm;
                continue;
            }
            let cost_new = 0.5 * dot(&f_new, &f_new);
            let reduction = cost - cost_new;
            let ratio = if predicted > 0.0 {
                reduction / predicted
            } else if predicted == 0.0 && reduction == 0.0 {
                1.0
            } else {
                0.0
            };
            let delta_new = if ratio < 0.25 {
                0.25 * step_h_norm
            } else if ratio > 0.75 && step_h_norm > 0.95 * self.delta {
                2.0 * self.delta
            } else {
                self.delta
            };
            let step_norm = norm(&step);
            let ftol_met = reduction < self.ftol * cost && ratio > 0.25;
            let xtol_met = step_norm < self.xtol * (self.xtol + x_norm);
            if ftol_met || xtol_met {
                self.stop = Some(if ftol_met { StopReason::RelativeReduction } else { StopReason::SmallStep });
                if reduction > 0.0 {
                    accepted = Some((x_new, f_new, cost_new));
                }
                break;
            }
            self.alpha *= self.delta / delta_new;
            self.delta = delta_new;
            if reduction > 0.0 {
                accepted = Some((x_new, f_new, cost_new));
                break;
            }
        }
        match accepted {
            Some((x_new, f_new, cost_new)) => {
                self.jacobian = self.finite_difference_jacobian(problem, &x_new, &f_new)?;
                let g_new = jt_times(&self.jacobian, &f_new, n);
                Ok((state.param(x_new).cost(cost_new).gradient(g_new).residuals(f_new), None))
            }
            None => {
                self.stop.get_or_insert(StopReason::LineSearchFailed);
                Ok((state.param(x).cost(cost).gradient(g).residuals(f), None))
            }
        }
    }

    fn terminate(&mut self, _state: &TrfState) -> TerminationStatus {
        termination(self.stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svd_reconstructs_the_matrix() {
        let a = vec![3.0, 1.0, 1.0, -1.0, 3.0, 1.0, 0.5, 0.0, 2.0, 1.0, 1.0, 1.0];
        let (s, v, us) = svd(a.clone(), 3);
        assert!(s[0] >= s[1] && s[1] >= s[2]);
        // A = (A V) Vᵀ
        for r in 0..4 {
            for c in 0..3 {
                let back: f64 = (0..3).map(|k| us[r * 3 + k] * v[c * 3 + k]).sum();
                assert!((back - a[r * 3 + c]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn next_toward_moves_one_ulp() {
        assert!(next_toward(1.0, 2.0) > 1.0 && next_toward(1.0, 2.0) - 1.0 == f64::EPSILON);
        assert!(next_toward(0.0, 1.0) > 0.0);
        assert!(next_toward(0.0, -1.0) < 0.0);
        assert!(next_toward(1.0, 0.0) < 1.0);
    }

    #[test]
    fn trust_region_step_respects_the_radius() {
        let (p, alpha) = trust_region_step(3, &[1.0, 1.0], &[2.0, 1.0], &[1.0, 0.0, 0.0, 1.0], 0.1, 0.0);
        assert!((norm(&p) - 0.1).abs() < 1e-12 && alpha > 0.0);
        let (p, alpha) = trust_region_step(3, &[1.0, 1.0], &[2.0, 1.0], &[1.0, 0.0, 0.0, 1.0], 10.0, 0.0);
        assert_eq!((p, alpha), (vec![-0.5, -1.0], 0.0));
    }
}
