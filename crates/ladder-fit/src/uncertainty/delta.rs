//! Delta-method intervals: the prediction's gradient with respect to every stage's parameters
//! (central differences through the design's own predictor), combined with each stage's
//! Gauss–Newton covariance. Stages are fitted on separate data, so their covariances add.
//!
//! Unlike the reference code's step-2 band, the gradient here is that of the predictor itself,
//! so no derivative can carry a wrong sign (method.md §10), and step 1's uncertainty is
//! propagated too.

use super::{bounded_interval, Interval};
use crate::design::FittedDesign;
use crate::predict::Target;

/// Interval at `level` (e.g. 0.9) and standard error of the predicted accuracy; `None` when a
/// stage has no covariance. The interval is built on the logit scale of the metric's `range`
/// (chance, maximum), so it never leaves it; it is [`Interval::NONE`] (uninformative) when the
/// prediction itself lies outside the range.
pub fn delta_interval(fitted: &FittedDesign, target: &Target, level: f64, range: (f64, f64)) -> Option<(Interval, f64)> {
    let params: Vec<Vec<f64>> = fitted.stages.iter().map(|s| s.fit.params.clone()).collect();
    let mut variance = 0.0;
    for (s, stage) in fitted.stages.iter().enumerate() {
        let cov = stage.fit.covariance.as_ref()?;
        let k = params[s].len();
        let mut grad = vec![0.0; k];
        for j in 0..k {
            if stage.fit.at_bound[j] {
                continue;
            }
            let h = 1e-6 * params[s][j].abs().max(1e-3);
            let shifted = |delta: f64| {
                let mut p = params.clone();
                p[s][j] += delta;
                let views: Vec<&[f64]> = p.iter().map(Vec::as_slice).collect();
                fitted.predict_with(&views, target)
            };
            grad[j] = (shifted(h) - shifted(-h)) / (2.0 * h);
        }
        for i in 0..k {
            for j in 0..k {
                variance += grad[i] * cov[i * k + j] * grad[j];
            }
        }
    }
    let se = variance.max(0.0).sqrt();
    let center = fitted.predict(target);
    se.is_finite().then(|| (bounded_interval(center, se, level, range.0, range.1).unwrap_or(Interval::NONE), se))
}
