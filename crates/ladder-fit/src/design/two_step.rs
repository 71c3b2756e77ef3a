//! The paper's design: step 1 (N, D) → task feature, step 2 feature → accuracy.

use ladder_core::{Feature, Ladder, Task, TaskLoss};
use serde::Deserialize;

use super::{chained, default_window, parse_params, settings, stage, Design, DesignKind, FittedDesign};
use crate::fitter::{FitOverrides, FitSettings};
use crate::law::Law;
use crate::law::LogSigmoid;
use crate::points::CheckpointPolicy;
use crate::predict::{PredictError, Result, Step1, Step2, Step2Curve};

/// Two-step prediction through an intermediate feature (task bpb, TaskCE or C4 loss).
#[derive(Debug, Clone, PartialEq)]
pub struct TwoStep {
    /// Design name.
    pub name: String,
    /// Step 1.
    pub step1: Step1,
    /// Step 2.
    pub step2: Step2,
}

/// Experiment-file parameters of the two-step designs (shared with the FLOPs variant).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TwoStepParams {
    /// Intermediate feature: `rc_bpb` (default), `rc_soft_log` (TaskCE) or `c4`.
    #[serde(default = "default_feature")]
    pub feature: TaskLoss,
    /// Step-2 curve: `sigmoid` (default) or `log_sigmoid`.
    #[serde(default)]
    pub curve: CurveKind,
    /// Final checkpoints averaged per run in step 1 (default 5).
    #[serde(default = "default_window")]
    pub moving_avg: usize,
    /// Fraction of each run's first checkpoints dropped from step 2 (default 0.1).
    #[serde(default = "default_skip")]
    pub skip_fraction: f64,
    /// Moving-average window of step 2 (default 5).
    #[serde(default = "default_window")]
    pub step2_moving_avg: usize,
    /// Step 2 on each run's final checkpoint only (default false: all intermediate ones).
    #[serde(default)]
    pub final_only: bool,
    /// Changes to step 1's fitting (paper: Huber δ = 1e-3, log residuals, L-BFGS).
    #[serde(default)]
    pub step1_fit: FitOverrides,
    /// Changes to step 2's fitting (paper: least squares, trust region reflective).
    #[serde(default)]
    pub step2_fit: FitOverrides,
}

/// The step-2 curves an experiment file can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CurveKind {
    /// The paper's sigmoid.
    #[default]
    Sigmoid,
    /// TaskCE's log-sigmoid (stable numerics).
    LogSigmoid,
}

fn default_feature() -> TaskLoss {
    TaskLoss::RcBpb
}
fn default_skip() -> f64 {
    crate::points::PAPER_SKIP
}

impl TwoStepParams {
    /// The intermediate feature and both stages these parameters describe.
    pub(crate) fn stages(&self, name: &str) -> Result<(Feature, Step1, Step2)> {
        let bad = |message: String| PredictError::Design { design: name.to_string(), message };
        let feature = Feature::from(self.feature);
        let curve = match self.curve {
            CurveKind::Sigmoid => Step2Curve::Sigmoid,
            CurveKind::LogSigmoid => Step2Curve::LogSigmoid(LogSigmoid::default()),
        };
        if !(0.0..=1.0).contains(&self.skip_fraction) {
            return Err(bad(format!("skip_fraction must lie in [0, 1], found {}", self.skip_fraction)));
        }
        let policy = CheckpointPolicy {
            skip_fraction: if self.final_only { 1.0 } else { self.skip_fraction },
            moving_avg: self.step2_moving_avg,
            last_n: None,
        };
        let step1 = Step1 { feature, moving_avg: self.moving_avg, fit: settings(name, self.step1_fit, FitSettings::step1())? };
        let step2 = Step2 { feature, accuracy: Feature::RcAcc, policy, curve, fit: settings(name, self.step2_fit, FitSettings::step2())? };
        Ok((feature, step1, step2))
    }
}

pub(super) const KIND: DesignKind = DesignKind {
    kind: "two_step",
    about: "step 1 (N, D) -> feature (rc_bpb | rc_soft_log | c4), step 2 feature -> accuracy (sigmoid | log_sigmoid)",
    build: |name, params| {
        let (_, step1, step2) = parse_params::<TwoStepParams>(name, params)?.stages(name)?;
        Ok(Box::new(TwoStep { name: name.to_string(), step1, step2 }))
    },
};

impl Design for TwoStep {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &'static str {
        KIND.kind
    }
    fn intermediate(&self) -> Option<ladder_core::Feature> {
        Some(self.step1.feature)
    }
    fn fit(&self, ladder: &Ladder, task: &Task) -> Result<FittedDesign> {
        let s1 = self.step1.fit(ladder, task)?;
        let s2 = self.step2.fit(ladder, task)?;
        let law = s1.law;
        Ok(chained(stage("step 1", &law, &s1.fit), move |p, t| law.value(p, &[t.n, t.d]), s2))
    }
}
