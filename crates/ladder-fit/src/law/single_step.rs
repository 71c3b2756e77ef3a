//! The single-step law: accuracy straight from (N, D).

use super::sigmoid::logistic;
use super::{Law, NdPowerLaw};

/// Acc(N, D) = max(1e-6, p · σ(L(N, D)) + q) with L the (N, D) power law, parameters
/// (a, b, α, β, E, p, q) (method.md §6; note σ of L itself, with no shift or scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SingleStepLaw;

/// The floor that keeps predictions positive for log residuals.
const FLOOR: f64 = 1e-6;

impl Law for SingleStepLaw {
    fn name(&self) -> &'static str {
        "single_step"
    }
    fn param_names(&self) -> &'static [&'static str] {
        &["a", "b", "alpha", "beta", "E", "p", "q"]
    }
    fn inputs(&self) -> usize {
        2
    }
    fn value(&self, p: &[f64], x: &[f64]) -> f64 {
        let loss = NdPowerLaw::default().value(&p[..5], x);
        (p[5] * logistic(loss) + p[6]).max(FLOOR)
    }
    fn value_and_gradient(&self, p: &[f64], x: &[f64], g: &mut [f64]) -> f64 {
        let loss = NdPowerLaw::default().value_and_gradient(&p[..5], x, &mut g[..5]);
        let s = logistic(loss);
        let value = p[5] * s + p[6];
        if value <= FLOOR {
            g.iter_mut().for_each(|v| *v = 0.0);
            return FLOOR;
        }
        let ds = p[5] * s * (1.0 - s);
        g[..5].iter_mut().for_each(|v| *v *= ds);
        g[5] = s;
        g[6] = 1.0;
        value
    }
    fn formula(&self, p: &[f64]) -> String {
        format!(
            "Acc(N, D) = {:.4} * sigmoid({}) + {:.4}",
            p[5],
            NdPowerLaw::default().formula(&p[..5]).trim_start_matches("L(N, D) = "),
            p[6]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::law::tests::check_gradient;

    #[test]
    fn gradient_matches_finite_differences() {
        check_gradient(&SingleStepLaw, &[3.0, 5.0, 0.2, 0.3, 0.1, -0.75, 1.0], &[1.9e8, 3.8e9]);
    }

    #[test]
    fn predictions_never_fall_below_the_floor() {
        assert_eq!(SingleStepLaw.value(&[0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0], &[1e8, 1e9]), FLOOR);
    }
}
