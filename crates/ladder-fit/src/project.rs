//! Projections: a design's predictions for targets that were never trained, given only their
//! parameter count N and tokens D (and, if known, FLOPs per token).
//!
//! Every projection carries two intervals, both built on the logit scale of the task's accuracy
//! range [chance, 1] so that they never leave it:
//! * the **confidence interval** of the mean prediction: the delta method through every stage's
//!   parameter covariance ([`crate::uncertainty::delta_interval`]);
//! * the **prediction interval** of one trained run: the same variance plus the observation
//!   noise of a single run's final checkpoints ([`observation_noise`]), OLMo-core's
//!   `include_observation_noise`. A real model is one run, so this is the interval to compare
//!   it with.
//!
//! A prediction outside the accuracy range (a sigmoid extrapolated past its ceiling, say) has
//! no logit and gets no interval: it is marked uninformative instead of printed as a range
//! wider than the metric's.

use ladder_core::{Feature, Ladder, Task};
use polars::prelude::*;

use crate::design::Design;
use crate::predict::{PredictError, Result, Target};
use crate::trust::{Evidence, Reach, Verdict};
use crate::uncertainty::{bootstrap, bounded_interval, delta_interval, BootstrapSettings, BootstrapSummary, Interval};

/// Checkpoints at the end of each run whose spread is the observation noise.
pub const NOISE_CHECKPOINTS: usize = 5;

/// A target given by its scale alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// Row label (`N=7e9 D=2e12`, or a name given by the caller).
    pub name: String,
    /// Parameters N (non-embedding, as the ladder counts them).
    pub n: f64,
    /// Training tokens D.
    pub d: f64,
    /// FLOPs per token; without it, the estimate 6·N (forward and backward of the dense
    /// layers, no attention term), which only FLOPs-based designs read.
    pub flops_per_token: Option<f64>,
}

impl Projection {
    /// A projection of (N, D), both positive and finite.
    pub fn new(n: f64, d: f64, flops_per_token: Option<f64>) -> Result<Self> {
        let bad = |what: &str, v: f64| PredictError::Design {
            design: "projection".into(),
            message: format!("{what} must be a positive number, found {v}"),
        };
        if !(n.is_finite() && n > 0.0) {
            return Err(bad("N", n));
        }
        if !(d.is_finite() && d > 0.0) {
            return Err(bad("D", d));
        }
        if let Some(f) = flops_per_token.filter(|f| !(f.is_finite() && *f > 0.0)) {
            return Err(bad("FLOPs per token", f));
        }
        Ok(Self { name: format!("N={n:.3e} D={d:.3e}"), n, d, flops_per_token })
    }

    /// The target the designs predict.
    pub fn target(&self) -> Target {
        Target { name: self.name.clone(), n: self.n, d: self.d, c: self.d * self.flops_per_token.unwrap_or(6.0 * self.n) }
    }
}

/// The second axis of a grid of projections.
#[derive(Debug, Clone, PartialEq)]
pub enum GridAxis {
    /// Token multipliers m: D = 20·m·N (the ladder's xC).
    Multipliers(Vec<f64>),
    /// Token counts D.
    Tokens(Vec<f64>),
}

/// Every N of `ns` × every point of `axis`, in that order; an empty grid is an error.
pub fn grid(ns: &[f64], axis: &GridAxis) -> Result<Vec<Projection>> {
    let along = match axis {
        GridAxis::Multipliers(m) | GridAxis::Tokens(m) => m,
    };
    if ns.is_empty() || along.is_empty() {
        return Err(PredictError::Design {
            design: "projection".into(),
            message: format!(
                "a grid needs at least one N and one point along the other axis; got {} N values and {} points",
                ns.len(),
                along.len()
            ),
        });
    }
    let mut out = Vec::new();
    for &n in ns {
        for &a in along {
            let d = match axis {
                GridAxis::Multipliers(_) => 20.0 * a * n,
                GridAxis::Tokens(_) => a,
            };
            let mut p = Projection::new(n, d, None)?;
            if let GridAxis::Multipliers(_) = axis {
                p.name = format!("N={n:.3e} {a}xC");
            }
            out.push(p);
        }
    }
    Ok(out)
}

/// The standard deviation of a single run's accuracy around its own mean over its last
/// [`NOISE_CHECKPOINTS`] checkpoints, pooled over the ladder's train runs (the mean of their
/// variances).
pub fn observation_noise(ladder: &Ladder, task: &Task) -> Result<f64> {
    let mut variances = Vec::new();
    for entry in ladder.train_entries() {
        for run in &entry.runs {
            let values = run.finite_task_values(task, Feature::RcAcc)?.1;
            let last = &values[values.len().saturating_sub(NOISE_CHECKPOINTS)..];
            if last.len() >= 2 {
                let mean = last.iter().sum::<f64>() / last.len() as f64;
                variances.push(last.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (last.len() - 1) as f64);
            }
        }
    }
    if variances.is_empty() {
        return Err(PredictError::Design {
            design: "observation noise".into(),
            message: format!("task {}: no train run has 2 or more checkpoints to measure it on", task.key),
        });
    }
    Ok((variances.iter().sum::<f64>() / variances.len() as f64).sqrt())
}

/// Fits `design` for every task and predicts every projection: one row per task × projection
/// with `design`, `task`, `target`, `n`, `d`, `c`, `feature`, `feature_predicted` (two-step
/// designs), `predicted`, `se` (delta method), `ci_lo`/`ci_hi`, `obs_sd`, `pi_lo`/`pi_hi` and
/// `informative` (false: the prediction lies outside the accuracy range, no interval), the
/// evidence for trusting it and its verdict ([`crate::trust`]: `snr`, `holdout_err`, `x_n`,
/// `x_d`, `x_c`, `verdict`, `reasons`). A task whose fit fails keeps its rows with NaN, the
/// verdict `unusable` and the message in `error`. The bootstrap columns (`boot_lo`, `boot_hi`,
/// `boot_sd`) are NaN: [`project_with`] fills them.
pub fn project(ladder: &Ladder, design: &dyn Design, tasks: &[Task], projections: &[Projection], level: f64) -> Result<DataFrame> {
    project_with(ladder, design, tasks, projections, level, None, &|| {})
}

/// [`project`] with a bootstrap confidence interval too (`boot_lo`, `boot_hi`, `boot_sd`: the
/// design refitted on resampled ladders, [`crate::uncertainty::bootstrap()`]), calling `progress`
/// once per draw.
pub fn project_with(
    ladder: &Ladder,
    design: &dyn Design,
    tasks: &[Task],
    projections: &[Projection],
    level: f64,
    boot: Option<&BootstrapSettings>,
    progress: &(dyn Fn() + Sync),
) -> Result<DataFrame> {
    if projections.is_empty() {
        return Err(PredictError::Design { design: design.name().into(), message: "no targets to project".into() });
    }
    let reach = Reach::of(ladder);
    let mut rows = Rows::default();
    for task in tasks {
        let fitted = design.fit(ladder, task);
        let noise = observation_noise(ladder, task);
        let evidence = fitted.as_ref().ok().map(|f| Evidence::gather(ladder, design, task, f));
        let targets: Vec<Target> = projections.iter().map(Projection::target).collect();
        let summaries: Vec<Option<BootstrapSummary>> = match (boot, &fitted) {
            (Some(settings), Ok(_)) => bootstrap(ladder, design, task, &targets, &BootstrapSettings { level, ..*settings }, progress)
                .into_iter()
                .map(Some)
                .collect(),
            _ => vec![None; projections.len()],
        };
        rows.boot.extend(summaries);
        for p in projections {
            let target = p.target();
            let ratios = reach.ratios(&target);
            rows.key(design.name(), &task.key, p, &target, ratios);
            match (&fitted, &noise, &evidence) {
                (Ok(fitted), Ok(obs), Some(evidence)) => {
                    let prediction = fitted.prediction(&target);
                    let (ci, se) = delta_interval(fitted, &target, level, (task.minimum, task.maximum))
                        .map_or((None, f64::NAN), |(i, se)| ((i.lo.is_finite()).then_some(i), se));
                    let pi = bounded_interval(prediction.accuracy, (se * se + obs * obs).sqrt(), level, task.minimum, task.maximum);
                    let (verdict, reasons) = evidence.verdict(ratios, pi.is_some());
                    rows.trust(evidence.snr, evidence.holdout_err, verdict, reasons.join("; "));
                    rows.values(prediction.feature, prediction.accuracy, se, ci, *obs, pi, String::new());
                }
                (Err(e), _, _) | (_, Err(e), _) => {
                    rows.trust(f64::NAN, f64::NAN, Verdict::Unusable, "no fit".into());
                    rows.values(None, f64::NAN, f64::NAN, None, f64::NAN, None, e.to_string())
                }
                (Ok(_), Ok(_), None) => unreachable!("evidence is gathered for every fit"),
            }
        }
    }
    rows.frame(design.intermediate())
}

#[derive(Default)]
struct Rows {
    design: Vec<String>,
    task: Vec<String>,
    target: Vec<String>,
    n: Vec<f64>,
    d: Vec<f64>,
    c: Vec<f64>,
    feature_predicted: Vec<f64>,
    predicted: Vec<f64>,
    se: Vec<f64>,
    ci: Vec<Option<Interval>>,
    obs_sd: Vec<f64>,
    pi: Vec<Option<Interval>>,
    error: Vec<String>,
    x: [Vec<f64>; 3],
    snr: Vec<f64>,
    holdout_err: Vec<f64>,
    verdict: Vec<&'static str>,
    reasons: Vec<String>,
    boot: Vec<Option<BootstrapSummary>>,
}

impl Rows {
    fn key(&mut self, design: &str, task: &str, p: &Projection, t: &Target, ratios: [f64; 3]) {
        for (column, r) in self.x.iter_mut().zip(ratios) {
            column.push(r);
        }
        self.design.push(design.into());
        self.task.push(task.into());
        self.target.push(p.name.clone());
        self.n.push(t.n);
        self.d.push(t.d);
        self.c.push(t.c);
    }

    fn trust(&mut self, snr: f64, holdout_err: f64, verdict: Verdict, reasons: String) {
        self.snr.push(snr);
        self.holdout_err.push(holdout_err);
        self.verdict.push(verdict.name());
        self.reasons.push(reasons);
    }

    #[allow(clippy::too_many_arguments)]
    fn values(
        &mut self,
        feature: Option<f64>,
        predicted: f64,
        se: f64,
        ci: Option<Interval>,
        obs: f64,
        pi: Option<Interval>,
        error: String,
    ) {
        self.feature_predicted.push(feature.unwrap_or(f64::NAN));
        self.predicted.push(predicted);
        self.se.push(se);
        self.ci.push(ci);
        self.obs_sd.push(obs);
        self.pi.push(pi);
        self.error.push(error);
    }

    fn frame(self, feature: Option<Feature>) -> Result<DataFrame> {
        let bound = |v: &[Option<Interval>], lo: bool| -> Vec<f64> {
            v.iter().map(|i| i.map_or(f64::NAN, |i| if lo { i.lo } else { i.hi })).collect()
        };
        let informative: Vec<bool> = self.pi.iter().map(Option::is_some).collect();
        let [x_n, x_d, x_c] = self.x;
        let boot =
            |f: &dyn Fn(&BootstrapSummary) -> f64| -> Vec<f64> { self.boot.iter().map(|b| b.as_ref().map_or(f64::NAN, f)).collect() };
        let (boot_lo, boot_hi, boot_sd) = (boot(&|b| b.interval.lo), boot(&|b| b.interval.hi), boot(&|b| b.sd));
        let columns = vec![
            Column::new("design".into(), self.design),
            Column::new("task".into(), self.task),
            Column::new("target".into(), self.target),
            Column::new("n".into(), self.n),
            Column::new("d".into(), self.d),
            Column::new("c".into(), self.c),
            Column::new("feature".into(), vec![feature.map_or(String::new(), |f| f.name().to_string()); self.predicted.len()]),
            Column::new("feature_predicted".into(), self.feature_predicted),
            Column::new("predicted".into(), self.predicted),
            Column::new("se".into(), self.se),
            Column::new("ci_lo".into(), bound(&self.ci, true)),
            Column::new("ci_hi".into(), bound(&self.ci, false)),
            Column::new("boot_lo".into(), boot_lo),
            Column::new("boot_hi".into(), boot_hi),
            Column::new("boot_sd".into(), boot_sd),
            Column::new("obs_sd".into(), self.obs_sd),
            Column::new("pi_lo".into(), bound(&self.pi, true)),
            Column::new("pi_hi".into(), bound(&self.pi, false)),
            Column::new("informative".into(), informative),
            Column::new("snr".into(), self.snr),
            Column::new("holdout_err".into(), self.holdout_err),
            Column::new("x_n".into(), x_n),
            Column::new("x_d".into(), x_d),
            Column::new("x_c".into(), x_c),
            Column::new("verdict".into(), self.verdict),
            Column::new("reasons".into(), self.reasons),
            Column::new("error".into(), self.error),
        ];
        Ok(DataFrame::new_infer_height(columns).map_err(ladder_io::table_error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_projections_are_clear_errors() {
        assert!(Projection::new(-7e9, 1e12, None).unwrap_err().to_string().contains("N must be a positive number, found -7000000000"));
        assert!(Projection::new(7e9, f64::NAN, None).unwrap_err().to_string().contains("D must be"));
        assert!(Projection::new(7e9, 1e12, Some(0.0)).unwrap_err().to_string().contains("FLOPs per token"));
        assert!(grid(&[], &GridAxis::Multipliers(vec![1.0])).unwrap_err().to_string().contains("at least one N"));
        assert!(grid(&[1e9], &GridAxis::Tokens(vec![])).is_err());
        let g = grid(&[1e9, 7e9], &GridAxis::Multipliers(vec![1.0, 5.0])).unwrap();
        assert_eq!(g.len(), 4);
        assert_eq!((g[3].n, g[3].d), (7e9, 7e11));
        assert_eq!(g[1].target().c, 1e11 * 6e9);
    }
}
