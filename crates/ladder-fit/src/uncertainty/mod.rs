//! Uncertainty of a prediction through the whole chain.
//!
//! * [`bootstrap`](mod@bootstrap): cluster bootstrap over ladder runs (or residuals of checkpoints within
//!   runs); every draw refits every stage.
//! * [`delta`]: the delta method on the stages' Gauss–Newton covariances (cheap).
//! * [`coverage`]: how often the intervals cover the truth when the largest rung is held out.

pub mod bootstrap;
pub mod coverage;
pub mod delta;

pub use bootstrap::{bootstrap, BootstrapSettings, BootstrapSummary, Resampling};
pub use coverage::coverage_backtest;
pub use delta::delta_interval;

/// The level of every interval unless one is asked for: 90 %, as the paper's ladder analyses
/// report.
pub const DEFAULT_LEVEL: f64 = 0.9;

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Interval {
    /// Whether `x` lies in the interval (ends included).
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }

    /// An interval of NaNs (no interval could be made).
    pub const NONE: Interval = Interval { lo: f64::NAN, hi: f64::NAN };
}

/// An interval around `center` with standard error `se` at `level`, built on the logit scale of
/// [min, max]; `None` when `center` lies outside (min, max) or `se` is not finite.
pub fn bounded_interval(center: f64, se: f64, level: f64, min: f64, max: f64) -> Option<Interval> {
    let u = (center - min) / (max - min);
    if !(u > 0.0 && u < 1.0 && se.is_finite()) {
        return None;
    }
    let z = normal_quantile(0.5 + level / 2.0);
    let logit = (u / (1.0 - u)).ln();
    let se_logit = se / ((max - min) * u * (1.0 - u));
    let back = |l: f64| min + (max - min) / (1.0 + (-l).exp());
    Some(Interval { lo: back(logit - z * se_logit), hi: back(logit + z * se_logit) })
}

/// Quantile `p` of the standard normal distribution (Acklam's rational approximation, relative
/// error below 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] =
        [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.383_577_518_672_69e2, -3.066479806614716e1, 2.506628277459239];
    const B: [f64; 5] = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] =
        [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p >= 1.0 {
        f64::INFINITY
    } else if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Linear-interpolation quantile of sorted values (`q` in [0, 1]).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    sorted[i] + frac * (next - sorted[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_intervals_stay_in_range_and_match_the_normal_one_when_narrow() {
        let i = bounded_interval(0.6, 0.001, 0.9, 0.25, 1.0).unwrap();
        let z = normal_quantile(0.95);
        assert!((i.lo - (0.6 - z * 0.001)).abs() < 1e-5 && (i.hi - (0.6 + z * 0.001)).abs() < 1e-5, "{i:?}");
        let wide = bounded_interval(0.3, 5.0, 0.9, 0.25, 1.0).unwrap();
        assert!(wide.lo >= 0.25 && wide.hi <= 1.0 && wide.lo < 0.3 && wide.hi > 0.3, "{wide:?}");
        assert!(bounded_interval(1.2, 0.01, 0.9, 0.25, 1.0).is_none());
        assert!(bounded_interval(0.25, 0.01, 0.9, 0.25, 1.0).is_none());
        assert!(bounded_interval(0.5, f64::NAN, 0.9, 0.25, 1.0).is_none());
    }

    #[test]
    fn normal_quantiles_are_right() {
        assert!((normal_quantile(0.95) - 1.6448536269514722).abs() < 1e-8);
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-8);
        assert!((normal_quantile(0.5)).abs() < 1e-12);
        assert!((normal_quantile(0.001) + 3.090232306167813).abs() < 1e-7);
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.125), 1.5);
        assert_eq!(quantile(&v, 1.0), 5.0);
    }
}
