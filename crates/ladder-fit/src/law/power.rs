//! Power laws in (N, D) and in compute C.

use super::Law;

/// L(N, D) = e^a / N^α + e^b / D^β + E, parameters (a, b, α, β, E) (method.md §3.1).
///
/// With `negated` the two power terms are subtracted (the form used when step 1 targets
/// accuracy directly: Acc = E − e^a/N^α − e^b/D^β).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NdPowerLaw {
    /// Subtract the power terms instead of adding them.
    pub negated: bool,
}

impl Law for NdPowerLaw {
    fn name(&self) -> &'static str {
        if self.negated {
            "nd_power_negated"
        } else {
            "nd_power"
        }
    }
    fn param_names(&self) -> &'static [&'static str] {
        &["a", "b", "alpha", "beta", "E"]
    }
    fn inputs(&self) -> usize {
        2
    }
    fn value(&self, p: &[f64], x: &[f64]) -> f64 {
        let s = if self.negated { -1.0 } else { 1.0 };
        s * ((p[0] - p[2] * x[0].ln()).exp() + (p[1] - p[3] * x[1].ln()).exp()) + p[4]
    }
    fn value_and_gradient(&self, p: &[f64], x: &[f64], g: &mut [f64]) -> f64 {
        let s = if self.negated { -1.0 } else { 1.0 };
        let (ln_n, ln_d) = (x[0].ln(), x[1].ln());
        let (tn, td) = ((p[0] - p[2] * ln_n).exp(), (p[1] - p[3] * ln_d).exp());
        g[0] = s * tn;
        g[1] = s * td;
        g[2] = -s * ln_n * tn;
        g[3] = -s * ln_d * td;
        g[4] = 1.0;
        s * (tn + td) + p[4]
    }
    fn formula(&self, p: &[f64]) -> String {
        let op = if self.negated { "-" } else { "+" };
        let sign = if self.negated { "-" } else { "" };
        format!("L(N, D) = {sign}{:.4} / N^{:.4} {op} {:.4} / D^{:.4} + {:.4}", p[0].exp(), p[2], p[1].exp(), p[3], p[4])
    }
}

/// L(C) = e^a / C^α + E, parameters (a, α, E) (method.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlopsPowerLaw;

impl Law for FlopsPowerLaw {
    fn name(&self) -> &'static str {
        "flops_power"
    }
    fn param_names(&self) -> &'static [&'static str] {
        &["a", "alpha", "E"]
    }
    fn inputs(&self) -> usize {
        1
    }
    fn value(&self, p: &[f64], x: &[f64]) -> f64 {
        (p[0] - p[1] * x[0].ln()).exp() + p[2]
    }
    fn value_and_gradient(&self, p: &[f64], x: &[f64], g: &mut [f64]) -> f64 {
        let ln_c = x[0].ln();
        let t = (p[0] - p[1] * ln_c).exp();
        g[0] = t;
        g[1] = -ln_c * t;
        g[2] = 1.0;
        t + p[2]
    }
    fn formula(&self, p: &[f64]) -> String {
        format!("L(C) = {:.4} / C^{:.4} + {:.4}", p[0].exp(), p[1], p[2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::law::tests::check_gradient;

    #[test]
    fn gradients_match_finite_differences() {
        let x = [1.9e8, 3.8e9];
        check_gradient(&NdPowerLaw::default(), &[3.6, 4.6, 0.22, 0.24, 0.45], &x);
        check_gradient(&NdPowerLaw { negated: true }, &[2.0, 2.0, 0.15, 0.17, 0.98], &x);
        check_gradient(&FlopsPowerLaw, &[3.0, 0.1, 1.0], &[7.2e18]);
    }

    #[test]
    fn the_paper_mmlu_coefficients_give_its_loss_scale() {
        // method.md §12: MMLU step-1 coefficients; the 13B-5T prediction is 0.7502.
        let p = [3.639427, 4.606090, 0.226216, 0.236076, 0.454093];
        let pred = NdPowerLaw::default().value(&p, &[13_202_396_160.0, 5_000_088_518_656.0]);
        assert!((pred - 0.7501562).abs() < 1e-5, "{pred}");
    }
}
