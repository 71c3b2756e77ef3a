//! Objectives: a law, observations, a residual space and a loss, as an argmin problem.

use argmin::core::{CostFunction, Error as ArgminError, Gradient, Jacobian, Operator};

use crate::law::Law;

/// Observations to fit: covariates (flattened, `law.inputs()` per point) and targets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observations {
    /// Covariates, row-major.
    pub x: Vec<f64>,
    /// Observed values.
    pub y: Vec<f64>,
}

impl Observations {
    /// Adds one point.
    pub fn push(&mut self, x: &[f64], y: f64) {
        self.x.extend_from_slice(x);
        self.y.push(y);
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Covariates of point `i` when there are `dim` per point.
    pub fn point(&self, i: usize, dim: usize) -> &[f64] {
        &self.x[i * dim..(i + 1) * dim]
    }
}

/// Where residuals are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResidualSpace {
    /// r = log(prediction) − log(observation) (step 1; predictions must stay positive).
    Log,
    /// r = prediction − observation (step 2).
    Linear,
}

/// Loss applied to each residual; the objective is the sum over points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loss {
    /// ½r² for |r| < δ, δ(|r| − δ/2) beyond (the paper's step 1 uses δ = 1e-3).
    Huber {
        /// Transition point δ.
        delta: f64,
    },
    /// ½r² (least squares; the paper's step 2).
    Squared,
}

impl Loss {
    /// ρ(r) and ψ(r) = ρ'(r).
    fn value_and_slope(self, r: f64) -> (f64, f64) {
        match self {
            Loss::Huber { delta } if r.abs() >= delta => (delta * (r.abs() - 0.5 * delta), delta * r.signum()),
            _ => (0.5 * r * r, r),
        }
    }
}

/// Σ loss(residual(law(p, x_i), y_i)) over the observations.
pub struct Objective<'a> {
    /// The law being fitted.
    pub law: &'a dyn Law,
    /// The data.
    pub data: &'a Observations,
    /// Residual space.
    pub space: ResidualSpace,
    /// Loss per residual.
    pub loss: Loss,
}

impl Objective<'_> {
    /// Residual of point `i` and the factor that turns ∂prediction into ∂residual; `None` where
    /// the residual is undefined (a non-positive prediction in log space).
    fn residual(&self, pred: f64, y: f64) -> Option<(f64, f64)> {
        match self.space {
            ResidualSpace::Linear => Some((pred - y, 1.0)),
            ResidualSpace::Log if pred > 0.0 => Some((pred.ln() - y.ln(), 1.0 / pred)),
            ResidualSpace::Log => None,
        }
    }

    /// The objective; +∞ where a residual is undefined or not finite.
    pub fn value(&self, p: &[f64]) -> f64 {
        let dim = self.law.inputs();
        let mut total = 0.0;
        for (i, &y) in self.data.y.iter().enumerate() {
            match self.residual(self.law.value(p, self.data.point(i, dim)), y) {
                Some((r, _)) if r.is_finite() => total += self.loss.value_and_slope(r).0,
                _ => return f64::INFINITY,
            }
        }
        total
    }

    /// The objective and its gradient (NaN gradient where the objective is infinite).
    pub fn value_and_gradient(&self, p: &[f64]) -> (f64, Vec<f64>) {
        let dim = self.law.inputs();
        let mut grad = vec![0.0; p.len()];
        let mut point_grad = vec![0.0; p.len()];
        let mut total = 0.0;
        for (i, &y) in self.data.y.iter().enumerate() {
            let pred = self.law.value_and_gradient(p, self.data.point(i, dim), &mut point_grad);
            match self.residual(pred, y) {
                Some((r, scale)) if r.is_finite() => {
                    let (rho, psi) = self.loss.value_and_slope(r);
                    total += rho;
                    for (g, pg) in grad.iter_mut().zip(&point_grad) {
                        *g += psi * scale * pg;
                    }
                }
                _ => return (f64::INFINITY, vec![f64::NAN; p.len()]),
            }
        }
        (total, grad)
    }

    /// Mean absolute relative error of the law over the observations (the paper's fit error).
    pub fn mean_relative_error(&self, p: &[f64]) -> f64 {
        let dim = self.law.inputs();
        let n = self.data.len() as f64;
        self.data.y.iter().enumerate().map(|(i, y)| ((self.law.value(p, self.data.point(i, dim)) - y) / y).abs()).sum::<f64>() / n
    }
}

/// The residual vector of an objective and its Jacobian (row-major, points × parameters), for
/// least-squares solvers; the loss is taken to be ½Σr².
pub struct Residuals<'a>(pub Objective<'a>);

impl Operator for Residuals<'_> {
    type Param = Vec<f64>;
    type Output = Vec<f64>;
    fn apply(&self, p: &Self::Param) -> Result<Vec<f64>, ArgminError> {
        let o = &self.0;
        let dim = o.law.inputs();
        Ok(o.data
            .y
            .iter()
            .enumerate()
            .map(|(i, &y)| o.residual(o.law.value(p, o.data.point(i, dim)), y).map_or(f64::INFINITY, |(r, _)| r))
            .collect())
    }
}

impl Jacobian for Residuals<'_> {
    type Param = Vec<f64>;
    type Jacobian = Vec<f64>;
    fn jacobian(&self, p: &Self::Param) -> Result<Vec<f64>, ArgminError> {
        let o = &self.0;
        let (dim, k) = (o.law.inputs(), p.len());
        let mut jac = vec![0.0; o.data.len() * k];
        for (i, row) in jac.chunks_exact_mut(k).enumerate() {
            let pred = o.law.value_and_gradient(p, o.data.point(i, dim), row);
            let scale = o.residual(pred, o.data.y[i]).map_or(f64::NAN, |(_, s)| s);
            row.iter_mut().for_each(|v| *v *= scale);
        }
        Ok(jac)
    }
}

impl CostFunction for Objective<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Self::Param) -> Result<f64, ArgminError> {
        Ok(self.value(p))
    }
}

impl Gradient for Objective<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, p: &Self::Param) -> Result<Vec<f64>, ArgminError> {
        Ok(self.value_and_gradient(p).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::law::NdPowerLaw;

    #[test]
    fn gradient_matches_finite_differences_for_huber_in_log_space() {
        let law = NdPowerLaw::default();
        let mut data = Observations::default();
        for (n, d, y) in [(1e8, 2e9, 1.1), (3e8, 6e9, 0.97), (1e9, 2e10, 0.85), (2e8, 8e9, 1.0)] {
            data.push(&[n, d], y);
        }
        let obj = Objective { law: &law, data: &data, space: ResidualSpace::Log, loss: Loss::Huber { delta: 1e-3 } };
        let p = [3.0, 6.0, 0.1, 0.2, 0.5];
        let (_, g) = obj.value_and_gradient(&p);
        for j in 0..5 {
            let h = 1e-7;
            let (mut hi, mut lo) = (p.to_vec(), p.to_vec());
            hi[j] += h;
            lo[j] -= h;
            let numeric = (obj.value(&hi) - obj.value(&lo)) / (2.0 * h);
            assert!((numeric - g[j]).abs() < 1e-6 * numeric.abs().max(1e-6), "{j}: {numeric} vs {}", g[j]);
        }
    }

    #[test]
    fn non_positive_predictions_are_infinitely_bad_in_log_space() {
        let law = NdPowerLaw { negated: true };
        let mut data = Observations::default();
        data.push(&[1e8, 1e9], 0.5);
        let obj = Objective { law: &law, data: &data, space: ResidualSpace::Log, loss: Loss::Squared };
        assert!(obj.value(&[10.0, 10.0, 0.0, 0.0, 0.5]).is_infinite());
    }
}
