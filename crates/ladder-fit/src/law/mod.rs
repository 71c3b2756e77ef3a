//! Laws: parameterised curves with analytic gradients, fitted by the [`crate::Fitter`].
//!
//! Every law maps covariates `x` (a short slice: `[N, D]`, `[C]` or `[loss]`) and parameters
//! `p` to a prediction, and returns its gradient with respect to `p`.

mod power;
mod sigmoid;
mod single_step;

pub use power::{FlopsPowerLaw, NdPowerLaw};
pub use sigmoid::{LogSigmoid, Sigmoid};
pub use single_step::SingleStepLaw;

/// A parameterised curve with an analytic gradient.
pub trait Law: Send + Sync {
    /// Short name (`nd_power`, `sigmoid`, ...).
    fn name(&self) -> &'static str;
    /// Parameter names, in the order of the parameter vector.
    fn param_names(&self) -> &'static [&'static str];
    /// Number of covariates per observation.
    fn inputs(&self) -> usize;
    /// The prediction at covariates `x`.
    fn value(&self, p: &[f64], x: &[f64]) -> f64;
    /// The prediction, writing its gradient with respect to `p` into `grad`.
    fn value_and_gradient(&self, p: &[f64], x: &[f64], grad: &mut [f64]) -> f64;
    /// A readable formula with the fitted parameters substituted.
    fn formula(&self, p: &[f64]) -> String;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::Law;

    /// Compares the analytic gradient to central differences.
    pub fn check_gradient(law: &dyn Law, p: &[f64], x: &[f64]) {
        let mut g = vec![0.0; p.len()];
        let v = law.value_and_gradient(p, x, &mut g);
        assert!((v - law.value(p, x)).abs() <= 1e-12 * v.abs().max(1.0));
        for j in 0..p.len() {
            let h = 1e-6 * p[j].abs().max(1.0);
            let (mut hi, mut lo) = (p.to_vec(), p.to_vec());
            hi[j] += h;
            lo[j] -= h;
            let numeric = (law.value(&hi, x) - law.value(&lo, x)) / (2.0 * h);
            assert!(
                (numeric - g[j]).abs() <= 1e-5 * numeric.abs().max(1e-3),
                "{} d/d{}: {numeric} vs {}",
                law.name(),
                law.param_names()[j],
                g[j]
            );
        }
    }
}
