//! Which predictions to trust: per design, task and target, the evidence the ladder itself gives
//! and a verdict from a fixed rule.
//!
//! Evidence (all measured on the ladder, none on the target):
//! * `snr`: the accuracy signal-to-noise ratio of the ladder's runs ([`crate::snr`]): can the
//!   ladder's models be told apart on the task at all?
//! * `at_bound`: parameters of any stage that ended on a bound, and `no_cov`: stages whose
//!   parameter covariance could not be formed (a flat valley); either way the intervals understate
//!   the uncertainty.
//! * `holdout_err`: the design refitted without the ladder's largest size predicts that size's
//!   runs; the mean |predicted − actual| accuracy over its runs. This is the compute-vs-error
//!   backtest at its last step: the error of a one-size-up extrapolation, a floor for the error at
//!   a target further out. `holdout_x` is that extrapolation in compute.
//! * `x_n`, `x_d`, `x_c`: the target's N, D and C over the largest of the ladder's runs.
//!
//! The rule, first match wins ([`Verdict`]):
//! * `unusable`: the design could not be fitted, or its prediction lies outside the task's accuracy
//!   range (no interval can be put on it);
//! * `weak`: `snr` < [`MIN_SNR`] (step 2 fits noise), or `holdout_err` > [`WEAK_HOLDOUT`];
//! * `caution`: `holdout_err` > [`GOOD_HOLDOUT`] or not measurable, any parameter at a bound or
//!   without covariance, or `x_c` > [`FAR_EXTRAPOLATION`];
//! * `good` otherwise.
//!
//! The thresholds were set before looking at any target's error (two points is the paper's
//! goal, five its worst tasks; a thousandfold is ten times the paper's own extrapolation); the
//! ablation summary tabulates each verdict against the errors it then has.

use crate::points::PAPER_WINDOW;
use ladder_core::{Feature, Ladder, Mode, Task};

use crate::design::{Design, FittedDesign};
use crate::points::mean_of_last;
use crate::predict::Target;

/// Below this accuracy SNR the ladder's accuracies are a cloud.
pub const MIN_SNR: f64 = 2.0;
/// A one-size-up holdout error (absolute accuracy) above which the verdict is at best `caution`.
pub const GOOD_HOLDOUT: f64 = 0.02;
/// A one-size-up holdout error above which the verdict is `weak`.
pub const WEAK_HOLDOUT: f64 = 0.05;
/// Compute extrapolation beyond the ladder above which the verdict is at best `caution`.
pub const FAR_EXTRAPOLATION: f64 = 1000.0;

/// The rule in one paragraph of Markdown, for reports.
pub fn rule_text() -> String {
    format!(
        "Trust, first match: **unusable**: no fit, or the prediction outside the accuracy range; **weak**: the ladder's accuracy SNR < {MIN_SNR}, or the design refitted without the largest size misses that size by more than {} points; **caution**: that holdout misses by more than {} points (or cannot be fitted), a parameter ended on a bound or has no covariance, or the target lies more than {FAR_EXTRAPOLATION}× beyond the ladder's compute; **good** otherwise.\n\n",
        100.0 * WEAK_HOLDOUT,
        100.0 * GOOD_HOLDOUT
    )
}

/// How far a prediction can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every check passed.
    Good,
    /// The prediction may hold, but its interval or reach is doubtful.
    Caution,
    /// The ladder gives little reason to believe it.
    Weak,
    /// No usable prediction.
    Unusable,
}

impl Verdict {
    /// The name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Good => "good",
            Verdict::Caution => "caution",
            Verdict::Weak => "weak",
            Verdict::Unusable => "unusable",
        }
    }

    /// Every verdict, best first.
    pub const ALL: [Verdict; 4] = [Verdict::Good, Verdict::Caution, Verdict::Weak, Verdict::Unusable];
}

/// The target-independent evidence for one design fitted for one task.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Accuracy SNR of the ladder's runs (NaN when it cannot be measured).
    pub snr: f64,
    /// Parameters on a bound, over all stages (`step 1 α`).
    pub at_bound: Vec<String>,
    /// Stages without a parameter covariance.
    pub no_cov: usize,
    /// Mean |error| of the one-size-up holdout (NaN when it cannot be fitted).
    pub holdout_err: f64,
    /// Compute of the held-out size over the largest compute of the rest.
    pub holdout_x: f64,
}

/// The ladder's reach: the largest N, D and C over its train runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    /// Largest N.
    pub n: f64,
    /// Largest final D.
    pub d: f64,
    /// Largest final C.
    pub c: f64,
}

impl Reach {
    /// The reach of `ladder`'s train runs.
    pub fn of(ladder: &Ladder) -> Reach {
        let mut reach = Reach { n: 0.0, d: 0.0, c: 0.0 };
        for entry in ladder.train_entries() {
            for run in &entry.runs {
                let d = run.final_tokens();
                reach.n = reach.n.max(entry.n);
                reach.d = reach.d.max(d);
                reach.c = reach.c.max(d * entry.flops_per_token);
            }
        }
        reach
    }

    /// The target's N, D and C over the reach.
    pub fn ratios(&self, target: &Target) -> [f64; 3] {
        [target.n / self.n, target.d / self.d, target.c / self.c]
    }
}

/// The one-size-up holdout: `design` refitted on the ladder without its largest train size
/// predicts each run of that size; returns the mean |error| of accuracy (mean of each run's last
/// five checkpoints) and the compute extrapolation, or `None` when the smaller ladder cannot be
/// fitted or has no such size.
pub fn holdout(ladder: &Ladder, design: &dyn Design, task: &Task) -> Option<(f64, f64)> {
    let largest = ladder.train_entries().max_by(|a, b| a.n.total_cmp(&b.n))?;
    let mut rest = ladder.clone();
    rest.entries.retain(|e| !(e.mode == Mode::Train && e.name == largest.name));
    rest.train_entries().next()?;
    let fitted = design.fit(&rest, task).ok()?;
    let mut errors = Vec::new();
    for run in &largest.runs {
        let (tokens, values) = run.finite_task_values(task, Feature::RcAcc).ok()?;
        let d = *tokens.last()?;
        let target = Target { name: run.name.clone(), n: largest.n, d, c: d * largest.flops_per_token };
        errors.push((fitted.predict(&target) - mean_of_last(&values, PAPER_WINDOW)).abs());
    }
    let err = errors.iter().sum::<f64>() / errors.len() as f64;
    let c_held = largest.runs.iter().map(|r| r.final_tokens() * largest.flops_per_token).fold(0.0, f64::max);
    err.is_finite().then(|| (err, c_held / Reach::of(&rest).c))
}

impl Evidence {
    /// The evidence for `fitted` (the design fitted on the whole ladder for `task`).
    pub fn gather(ladder: &Ladder, design: &dyn Design, task: &Task, fitted: &FittedDesign) -> Evidence {
        let snr = crate::snr::signal_noise(ladder, task, Feature::RcAcc).map_or(f64::NAN, |s| s.snr());
        let at_bound = fitted
            .stages
            .iter()
            .flat_map(|s| s.param_names.iter().zip(&s.fit.at_bound).filter(|(_, &b)| b).map(move |(name, _)| format!("{} {name}", s.stage)))
            .collect();
        let no_cov = fitted.stages.iter().filter(|s| s.fit.covariance.is_none()).count();
        let (holdout_err, holdout_x) = holdout(ladder, design, task).unwrap_or((f64::NAN, f64::NAN));
        Evidence { snr, at_bound, no_cov, holdout_err, holdout_x }
    }

    /// The verdict for a target `ratios` (from [`Reach::ratios`]) beyond the ladder, whose
    /// prediction is `informative` (inside the accuracy range), and the reasons that lowered it.
    pub fn verdict(&self, ratios: [f64; 3], informative: bool) -> (Verdict, Vec<String>) {
        if !informative {
            return (Verdict::Unusable, vec!["prediction outside the accuracy range".into()]);
        }
        let mut weak = Vec::new();
        let mut caution = Vec::new();
        if self.snr < MIN_SNR {
            weak.push(format!("SNR {:.1} < {MIN_SNR}", self.snr));
        } else if self.snr.is_nan() {
            caution.push("SNR not measurable".into());
        }
        if self.holdout_err > WEAK_HOLDOUT {
            weak.push(format!("holdout error {:.3} > {WEAK_HOLDOUT}", self.holdout_err));
        } else if self.holdout_err > GOOD_HOLDOUT {
            caution.push(format!("holdout error {:.3} > {GOOD_HOLDOUT}", self.holdout_err));
        } else if self.holdout_err.is_nan() {
            caution.push("no holdout fit".into());
        }
        if !self.at_bound.is_empty() {
            caution.push(format!("{} at a bound", self.at_bound.join(", ")));
        }
        if self.no_cov > 0 {
            caution.push(format!("{} stage(s) without covariance", self.no_cov));
        }
        if ratios[2] > FAR_EXTRAPOLATION {
            caution.push(format!("{:.0}× the ladder's compute", ratios[2]));
        }
        let verdict = if !weak.is_empty() {
            Verdict::Weak
        } else if !caution.is_empty() {
            Verdict::Caution
        } else {
            Verdict::Good
        };
        weak.extend(caution);
        (verdict, weak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(snr: f64, holdout_err: f64, at_bound: usize) -> Evidence {
        Evidence { snr, at_bound: vec!["step 1 α".into(); at_bound], no_cov: 0, holdout_err, holdout_x: 3.0 }
    }

    #[test]
    fn the_rule_takes_the_worst_reason() {
        let near = [10.0, 10.0, 100.0];
        assert_eq!(evidence(20.0, 0.01, 0).verdict(near, true), (Verdict::Good, vec![]));
        assert_eq!(evidence(20.0, 0.01, 0).verdict(near, false).0, Verdict::Unusable);
        assert_eq!(evidence(1.5, 0.01, 0).verdict(near, true).0, Verdict::Weak);
        assert_eq!(evidence(20.0, 0.06, 0).verdict(near, true).0, Verdict::Weak);
        assert_eq!(evidence(20.0, 0.03, 0).verdict(near, true).0, Verdict::Caution);
        assert_eq!(evidence(20.0, f64::NAN, 0).verdict(near, true).0, Verdict::Caution);
        assert_eq!(evidence(20.0, 0.01, 1).verdict(near, true).0, Verdict::Caution);
        let (v, reasons) = evidence(20.0, 0.01, 0).verdict([100.0, 100.0, 5000.0], true);
        assert_eq!((v, reasons), (Verdict::Caution, vec!["5000× the ladder's compute".to_string()]));
        let (v, reasons) = evidence(1.0, 0.1, 2).verdict(near, true);
        assert_eq!(v, Verdict::Weak);
        assert_eq!(reasons.len(), 3, "{reasons:?}");
    }
}
