//! The paper's prediction recipes: step 1 ((N, D) → task loss), step 2 (task loss → accuracy),
//! their chain, and the FLOPs variant (method.md §3–7).
//!
//! ```no_run
//! use ladder_core::{Feature, Task};
//! use ladder_io::olmo;
//! use ladder_fit::predict::{Step1, Step2, Target};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ladder = olmo::load_ladder("../shared/olmo-ladder".as_ref(), "final")?;
//! let task = Task::get("hellaswag_val_5shot")?;
//! let step1 = Step1::new(Feature::RcBpb, 5).fit(&ladder, &task)?;
//! let step2 = Step2::paper(Feature::RcBpb).fit(&ladder, &task)?;
//! let target = Target::of(ladder.entry("7B-4T")?);
//! let accuracy = step2.predict(step1.predict(target.n, target.d));
//! println!("{accuracy:.4}  (step 1 stopped: {:?}, {} iterations)", step1.fit.stop, step1.fit.iterations);
//! # Ok(())
//! # }
//! ```

use crate::points::PAPER_WINDOW;
use ladder_core::{Entry, Feature, Ladder, LadderError, Task};

use crate::bounds::Bounds;
use crate::fitter::{Fit, FitError, FitSettings};
use crate::law::{FlopsPowerLaw, Law, LogSigmoid, NdPowerLaw, Sigmoid, SingleStepLaw};
use crate::objective::Observations;
use crate::points::{ladder_final_points, ladder_step2_points, mean_of_last, CheckpointPolicy, FinalPoint};

/// Errors of a prediction: bad data, or a fit that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    /// The ladder data is missing something.
    #[error(transparent)]
    Data(#[from] LadderError),
    /// A design's description is invalid.
    #[error("design `{design}`: {message}")]
    Design {
        /// Design name.
        design: String,
        /// What was wrong.
        message: String,
    },
    /// A fit failed.
    #[error("task {task}, {stage}: {source}")]
    Fit {
        /// Task key.
        task: String,
        /// `step 1`, `step 2`, ...
        stage: &'static str,
        /// The fit error.
        source: FitError,
    },
}

/// Result alias of this module.
pub type Result<T, E = PredictError> = std::result::Result<T, E>;

const UNBOUNDED: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);
const NON_NEGATIVE: (f64, f64) = (0.0, f64::INFINITY);

/// A target model: its scale and its observed (smoothed) values.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Entry name (`13B-5T`).
    pub name: String,
    /// Parameters N.
    pub n: f64,
    /// Tokens D at its last checkpoint.
    pub d: f64,
    /// Compute C = D × FLOPs per token.
    pub c: f64,
}

impl Target {
    /// The target described by an entry (its last run).
    pub fn of(entry: &Entry) -> Target {
        let d = entry.runs.last().map(|r| r.final_tokens()).unwrap_or(f64::NAN);
        Target { name: entry.name.clone(), n: entry.n, d, c: d * entry.flops_per_token }
    }

    /// Mean of a task feature over the last `k` checkpoints of the target's last run that have
    /// it.
    pub fn observed(entry: &Entry, task: &Task, feature: Feature, k: usize) -> Result<f64> {
        let run =
            entry.runs.last().ok_or_else(|| LadderError::UnknownEntry { name: entry.name.clone(), known: "an entry with runs".into() })?;
        Ok(mean_of_last(&run.finite_task_values(task, feature)?.1, k))
    }
}

/// Step 1: a power law in (N, D) fitted to the final checkpoints of the ladder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step1 {
    /// The predicted feature (task bpb by default).
    pub feature: Feature,
    /// Number of final checkpoints averaged per run.
    pub moving_avg: usize,
    /// Fitting choices (the paper's: Huber δ = 1e-3 on log residuals, L-BFGS).
    pub fit: FitSettings,
}

/// A fitted step 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Step1Fit {
    /// The law (negated for accuracy targets).
    pub law: NdPowerLaw,
    /// The fit with diagnostics.
    pub fit: Fit,
    /// The training points.
    pub points: Vec<FinalPoint>,
}

impl Step1Fit {
    /// Predicted feature value at (N, D).
    pub fn predict(&self, n: f64, d: f64) -> f64 {
        self.law.value(&self.fit.params, &[n, d])
    }
}

impl Step1 {
    /// Step 1 for `feature` averaged over the last `moving_avg` checkpoints, paper settings.
    pub const fn new(feature: Feature, moving_avg: usize) -> Step1 {
        Step1 { feature, moving_avg, fit: FitSettings::step1() }
    }

    /// Fits step 1 for one task on the train entries of `ladder` (method.md §3.3 settings).
    pub fn fit(&self, ladder: &Ladder, task: &Task) -> Result<Step1Fit> {
        let points = ladder_final_points(ladder, task, self.feature, self.moving_avg)?;
        let mut data = Observations::default();
        for p in &points {
            data.push(&[p.n, p.d], p.y);
        }
        let (law, p0, bounds) = if self.feature.is_accuracy() {
            (
                NdPowerLaw { negated: true },
                [2.0, 2.0, 0.2, 0.2, 1.0],
                Bounds::new(&[NON_NEGATIVE, NON_NEGATIVE, NON_NEGATIVE, UNBOUNDED, UNBOUNDED]),
            )
        } else {
            (NdPowerLaw::default(), [3.0, 6.0, 0.1, 0.2, 1.0], Bounds::new(&[NON_NEGATIVE; 5]))
        };
        let fit = self.fit.fitter(bounds).fit(&law, &data, &p0).map_err(|source| PredictError::Fit {
            task: task.key.clone(),
            stage: "step 1",
            source,
        })?;
        Ok(Step1Fit { law, fit, points })
    }
}

/// Step 1 in compute: L(C) = e^a/C^α + E fitted to the ladder's final checkpoints (method.md §7).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlopsStep1 {
    /// The predicted feature.
    pub feature: Feature,
    /// Number of final checkpoints averaged per run.
    pub moving_avg: usize,
    /// Fitting choices (the paper's step-1 settings).
    pub fit: FitSettings,
}

/// A fitted FLOPs step 1.
#[derive(Debug, Clone, PartialEq)]
pub struct FlopsStep1Fit {
    /// The fit with diagnostics.
    pub fit: Fit,
}

impl FlopsStep1Fit {
    /// Predicted feature value at compute C.
    pub fn predict(&self, c: f64) -> f64 {
        FlopsPowerLaw.value(&self.fit.params, &[c])
    }
}

impl FlopsStep1 {
    /// The compute law for `feature` averaged over the last `moving_avg` checkpoints.
    pub const fn new(feature: Feature, moving_avg: usize) -> FlopsStep1 {
        FlopsStep1 { feature, moving_avg, fit: FitSettings::step1() }
    }

    /// Fits the compute power law for one task.
    pub fn fit(&self, ladder: &Ladder, task: &Task) -> Result<FlopsStep1Fit> {
        let mut data = Observations::default();
        for p in ladder_final_points(ladder, task, self.feature, self.moving_avg)? {
            data.push(&[p.c], p.y);
        }
        let fit = self
            .fit
            .fitter(Bounds::new(&[NON_NEGATIVE, (0.0, 1.0), NON_NEGATIVE]))
            .fit(&FlopsPowerLaw, &data, &[3.0, 0.1, 1.0])
            .map_err(|source| PredictError::Fit { task: task.key.clone(), stage: "FLOPs step 1", source })?;
        Ok(FlopsStep1Fit { fit })
    }
}

/// The curve of step 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step2Curve {
    /// Four-parameter sigmoid with the ideal point (0, 1) added (the paper's default).
    Sigmoid,
    /// Three-parameter log-sigmoid, no ideal point (for TaskCE).
    LogSigmoid(LogSigmoid),
}

/// Step 2: task feature → accuracy, fitted to the intermediate checkpoints of the ladder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step2 {
    /// The input feature (task bpb by default).
    pub feature: Feature,
    /// The accuracy predicted (RC accuracy by default).
    pub accuracy: Feature,
    /// Which checkpoints, smoothed how.
    pub policy: CheckpointPolicy,
    /// The curve.
    pub curve: Step2Curve,
    /// Fitting choices (the paper's: least squares by trust region reflective).
    pub fit: FitSettings,
}

/// A fitted step 2.
#[derive(Debug, Clone, PartialEq)]
pub struct Step2Fit {
    /// The curve.
    pub curve: Step2Curve,
    /// The fit with diagnostics.
    pub fit: Fit,
    /// Mean absolute relative error over the ladder points (the ideal point excluded).
    pub fit_error: f64,
    /// Number of ladder points fitted (the ideal point excluded).
    pub points: usize,
}

impl Step2Fit {
    /// Predicted accuracy at feature value x.
    pub fn predict(&self, x: f64) -> f64 {
        self.law().value(&self.fit.params, &[x])
    }

    /// The fitted law.
    pub fn law(&self) -> &dyn Law {
        self.curve.law()
    }
}

impl Step2Curve {
    /// The curve as a law.
    pub fn law(&self) -> &dyn Law {
        match self {
            Step2Curve::Sigmoid => &Sigmoid,
            Step2Curve::LogSigmoid(law) => law,
        }
    }
}

impl Step2 {
    /// The paper's default: bpb → RC accuracy, skip 10 %, window 5, sigmoid.
    pub fn paper(feature: Feature) -> Step2 {
        Step2 {
            feature,
            accuracy: Feature::RcAcc,
            policy: CheckpointPolicy::paper(),
            curve: Step2Curve::Sigmoid,
            fit: FitSettings::step2(),
        }
    }

    /// Fits step 2 for one task (method.md §4 settings).
    pub fn fit(&self, ladder: &Ladder, task: &Task) -> Result<Step2Fit> {
        let (xs, ys) = ladder_step2_points(ladder, task, self.feature, self.accuracy, &self.policy)?;
        let mut data = Observations::default();
        for (x, y) in xs.iter().zip(&ys) {
            data.push(&[*x], *y);
        }
        let (p0, bounds): (Vec<f64>, Bounds) = match self.curve {
            Step2Curve::Sigmoid => {
                data.push(&[0.0], task.maximum);
                (
                    vec![task.minimum - task.maximum, 0.9, 3.0, task.maximum],
                    Bounds::new(&[(-1.0, 0.0), NON_NEGATIVE, NON_NEGATIVE, (0.0, 1.0)]),
                )
            }
            Step2Curve::LogSigmoid(_) => (vec![-0.1, 0.9, 3.0], Bounds::new(&[(f64::NEG_INFINITY, 0.0), NON_NEGATIVE, NON_NEGATIVE])),
        };
        let law = self.curve.law();
        let fit = self.fit.fitter(bounds).fit(law, &data, &p0).map_err(|source| PredictError::Fit {
            task: task.key.clone(),
            stage: "step 2",
            source,
        })?;
        let fit_error = xs.iter().zip(&ys).map(|(x, y)| ((law.value(&fit.params, &[*x]) - y) / y).abs()).sum::<f64>() / xs.len() as f64;
        Ok(Step2Fit { curve: self.curve, fit, fit_error, points: xs.len() })
    }
}

/// Single step: accuracy straight from (N, D) (method.md §6), fitted to the final checkpoints'
/// accuracy with a deterministic multi-start (its objective has several local optima).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SingleStep {
    /// Number of final checkpoints averaged per run.
    pub moving_avg: usize,
    /// Fitting choices (the paper's step-1 settings with 60 starts).
    pub fit: FitSettings,
}

/// A fitted single-step law.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleStepFit {
    /// The fit with diagnostics.
    pub fit: Fit,
}

impl SingleStepFit {
    /// Predicted accuracy at (N, D).
    pub fn predict(&self, n: f64, d: f64) -> f64 {
        SingleStepLaw.value(&self.fit.params, &[n, d])
    }
}

impl SingleStep {
    /// Window 5, Huber on log residuals, L-BFGS, 60 starts.
    pub fn paper() -> SingleStep {
        SingleStep { moving_avg: PAPER_WINDOW, fit: FitSettings { starts: 60, ..FitSettings::step1() } }
    }

    /// Fits the single-step law for one task.
    pub fn fit(&self, ladder: &Ladder, task: &Task) -> Result<SingleStepFit> {
        let mut data = Observations::default();
        for p in ladder_final_points(ladder, task, Feature::RcAcc, self.moving_avg)? {
            data.push(&[p.n, p.d], p.y);
        }
        let bounds = Bounds::new(&[NON_NEGATIVE, NON_NEGATIVE, NON_NEGATIVE, NON_NEGATIVE, UNBOUNDED, (-1.0, 0.0), (0.0, 1.0)]);
        let p0 = [3.0, 5.0, 0.2, 0.3, 0.0, task.minimum - 1.0, 1.0];
        let fit = self.fit.fitter(bounds).fit(&SingleStepLaw, &data, &p0).map_err(|source| PredictError::Fit {
            task: task.key.clone(),
            stage: "single step",
            source,
        })?;
        Ok(SingleStepFit { fit })
    }
}
