//! Sigmoids that map a task loss to an accuracy (step 2).

use super::Law;

/// Logistic function evaluated without overflow.
pub(crate) fn logistic(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// softplus(z) = log(1 + e^z) evaluated without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// Acc(x) = a / (1 + e^(−k (x − x0))) + b, parameters (a, x0, k, b) (method.md §4.1).
///
/// With a < 0 the curve falls from the ceiling b (x → −∞) to the floor a + b.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sigmoid;

impl Law for Sigmoid {
    fn name(&self) -> &'static str {
        "sigmoid"
    }
    fn param_names(&self) -> &'static [&'static str] {
        &["a", "x0", "k", "b"]
    }
    fn inputs(&self) -> usize {
        1
    }
    fn value(&self, p: &[f64], x: &[f64]) -> f64 {
        p[0] * logistic(p[2] * (x[0] - p[1])) + p[3]
    }
    fn value_and_gradient(&self, p: &[f64], x: &[f64], g: &mut [f64]) -> f64 {
        let dx = x[0] - p[1];
        let s = logistic(p[2] * dx);
        let ds = s * (1.0 - s);
        g[0] = s;
        g[1] = -p[0] * p[2] * ds;
        g[2] = p[0] * dx * ds;
        g[3] = 1.0;
        p[0] * s + p[3]
    }
    fn formula(&self, p: &[f64]) -> String {
        format!("Acc(x) = {:.4} / (1 + exp(-{:.4} (x - {:.4}))) + {:.4}", p[0], p[2], p[1], p[3])
    }
}

/// Acc(x) = 1 − a · log(1 − σ(k (x − x0))) = 1 + a · softplus(k (x − x0)), parameters
/// (a, x0, k) with a ≤ 0 (method.md §4.2; used with TaskCE as the feature).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogSigmoid {
    /// Evaluate as the reference code does, `1 − a·log(1 − 1/(1 + e^(−z)))`, instead of the
    /// stable `1 + a·softplus(z)`. In floating point 1 − σ(z) underflows to 0 for z ≳ 37, so the
    /// value becomes −∞ there; that wall is where SciPy's fits stopped in the flat valley of the
    /// published TaskCE step 2 (method.md §15). Only needed to reproduce those numbers.
    pub reference_numerics: bool,
}

impl Law for LogSigmoid {
    fn name(&self) -> &'static str {
        "log_sigmoid"
    }
    fn param_names(&self) -> &'static [&'static str] {
        &["a", "x0", "k"]
    }
    fn inputs(&self) -> usize {
        1
    }
    fn value(&self, p: &[f64], x: &[f64]) -> f64 {
        let z = p[2] * (x[0] - p[1]);
        if self.reference_numerics {
            1.0 - p[0] * (1.0 - 1.0 / (1.0 + (-z).exp())).ln()
        } else {
            1.0 + p[0] * softplus(z)
        }
    }
    fn value_and_gradient(&self, p: &[f64], x: &[f64], g: &mut [f64]) -> f64 {
        let dx = x[0] - p[1];
        let z = p[2] * dx;
        let s = logistic(z);
        let sp = softplus(z);
        g[0] = sp;
        g[1] = -p[0] * p[2] * s;
        g[2] = p[0] * dx * s;
        if self.reference_numerics {
            self.value(p, x)
        } else {
            1.0 + p[0] * sp
        }
    }
    fn formula(&self, p: &[f64]) -> String {
        format!("Acc(x) = 1 + {:.4} * log(1 + exp({:.4} (x - {:.4})))", p[0], p[2], p[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::law::tests::check_gradient;

    #[test]
    fn gradients_match_finite_differences() {
        for x in [0.3, 0.62, 1.4] {
            check_gradient(&Sigmoid, &[-0.742064, 0.615953, 4.833392, 1.0], &[x]);
            check_gradient(&LogSigmoid::default(), &[-0.1, 0.9, 3.0], &[x]);
            check_gradient(&LogSigmoid { reference_numerics: true }, &[-0.1, 0.9, 3.0], &[x]);
        }
    }

    #[test]
    fn sigmoid_limits_are_ceiling_and_floor() {
        let p = [-0.75, 0.6, 5.0, 1.0];
        assert!((Sigmoid.value(&p, &[-100.0]) - 1.0).abs() < 1e-12);
        assert!((Sigmoid.value(&p, &[100.0]) - 0.25).abs() < 1e-12);
        assert!((LogSigmoid::default().value(&[-0.1, 0.9, 3.0], &[-50.0]) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn reference_numerics_hit_a_wall_where_one_minus_sigma_underflows() {
        let (stable, reference) = (LogSigmoid::default(), LogSigmoid { reference_numerics: true });
        let p = [-0.05, 1.0, 100.0];
        assert!((stable.value(&p, &[1.1]) - reference.value(&p, &[1.1])).abs() < 1e-9);
        assert_eq!(reference.value(&p, &[1.5]), f64::NEG_INFINITY);
        assert!((stable.value(&p, &[1.5]) - (1.0 - 0.05 * 50.0)).abs() < 1e-9);
    }
}
