//! Prediction designs as plug-ins: a design fits on a ladder and predicts a target's accuracy.
//!
//! Each design is one type implementing [`Design`], plus one [`DesignKind`] line in
//! [`REGISTRY`] that builds it from an experiment file's table (`kind = "two_step"`, ...). The
//! grid runner and the CLI only see `dyn Design`.

mod direct_accuracy;
mod flops_two_step;
mod single_step;
mod two_step;

pub use direct_accuracy::DirectAccuracy;
pub use flops_two_step::FlopsTwoStep;
pub use single_step::SingleStepDesign;
pub use two_step::TwoStep;

use ladder_core::{Feature, Ladder, Task};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::fitter::{Fit, FitOverrides};
use crate::predict::{PredictError, Result, Target};

/// One fitted stage of a design, with its diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct StageFit {
    /// Stage name (`step 1`, `step 2`, `single step`).
    pub stage: &'static str,
    /// Law name.
    pub law: &'static str,
    /// Parameter names of the law.
    pub param_names: &'static [&'static str],
    /// The fit.
    pub fit: Fit,
    /// Mean absolute relative error over the stage's ladder points (step 2: without the ideal
    /// point the sigmoid is also fitted to).
    pub fit_error: f64,
}

impl StageFit {
    /// The fitted parameters as `name=value` pairs (6 decimals), space-separated.
    pub fn params_text(&self) -> String {
        self.param_names.iter().zip(&self.fit.params).map(|(n, v)| format!("{n}={v:.6}")).collect::<Vec<_>>().join(" ")
    }
}

/// What a design predicts for a target: the accuracy, and the intermediate feature of a
/// two-step design (step 1's output).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// Predicted accuracy.
    pub accuracy: f64,
    /// Predicted intermediate feature (task loss), for two-step designs.
    pub feature: Option<f64>,
}

/// The prediction of a design as a function of its stages' parameters.
pub type Predictor = Box<dyn Fn(&[&[f64]], &Target) -> Prediction + Send + Sync>;

/// A fitted step 2 alone: accuracy from a value of the intermediate feature.
pub type FeatureToAccuracy = Box<dyn Fn(f64) -> f64 + Send + Sync>;

/// A design fitted for one task: its stages and its predictor.
pub struct FittedDesign {
    /// Stages in order; the last one's fit error is the design's fit error.
    pub stages: Vec<StageFit>,
    predictor: Predictor,
    step2: Option<FeatureToAccuracy>,
}

impl FittedDesign {
    /// Wraps fitted stages and the function of their parameters that predicts a target.
    pub fn new(stages: Vec<StageFit>, predictor: impl Fn(&[&[f64]], &Target) -> Prediction + Send + Sync + 'static) -> FittedDesign {
        FittedDesign { stages, predictor: Box::new(predictor), step2: None }
    }

    /// Adds a two-step design's fitted step 2, for accuracy at an observed feature value.
    pub fn with_step2(mut self, step2: impl Fn(f64) -> f64 + Send + Sync + 'static) -> FittedDesign {
        self.step2 = Some(Box::new(step2));
        self
    }

    /// Step 2 alone at a value of the intermediate feature (`None` for one-step designs).
    pub fn accuracy_at(&self, feature: f64) -> Option<f64> {
        self.step2.as_ref().map(|f| f(feature))
    }

    /// The prediction for `target` at the fitted parameters.
    pub fn prediction(&self, target: &Target) -> Prediction {
        let params: Vec<&[f64]> = self.stages.iter().map(|s| s.fit.params.as_slice()).collect();
        (self.predictor)(&params, target)
    }

    /// Predicted accuracy of `target`.
    pub fn predict(&self, target: &Target) -> f64 {
        self.prediction(target).accuracy
    }

    /// The predicted accuracy with other stage parameters (for the delta method).
    pub fn predict_with(&self, params: &[&[f64]], target: &Target) -> f64 {
        (self.predictor)(params, target).accuracy
    }
}

/// A prediction design.
pub trait Design: Send + Sync + std::fmt::Debug {
    /// Unique name of this design in result tables.
    fn name(&self) -> &str;
    /// Registry kind (`two_step`, ...).
    fn kind(&self) -> &'static str;
    /// Fits the design on the train entries of `ladder` for one task.
    fn fit(&self, ladder: &Ladder, task: &Task) -> Result<FittedDesign>;
    /// The intermediate feature a two-step design predicts first (task bpb, ...), if any.
    fn intermediate(&self) -> Option<Feature> {
        None
    }
}

/// A registered design kind: its name, a one-line description, and its builder from an
/// experiment-file table.
pub struct DesignKind {
    /// Value of `kind` in experiment files.
    pub kind: &'static str,
    /// One line for `ladder ablate --list-designs`.
    pub about: &'static str,
    /// Builds the design named `name` from the table's other keys.
    pub build: fn(name: &str, params: toml::Table) -> Result<Box<dyn Design>>,
}

/// Every design kind. Adding a design = one new type and one line here.
pub const REGISTRY: &[DesignKind] = &[two_step::KIND, flops_two_step::KIND, single_step::KIND, direct_accuracy::KIND];

/// Builds a design from an experiment-file table with `name`, `kind` and the kind's parameters.
pub fn build(spec: &toml::Table) -> Result<Box<dyn Design>> {
    build_labelled(spec, "(unnamed)")
}

/// [`build`], with errors of a table without a string `name` labelled `unnamed`.
pub(crate) fn build_labelled(spec: &toml::Table, unnamed: &str) -> Result<Box<dyn Design>> {
    let name = spec.get("name").and_then(|v| v.as_str());
    let bad = |message: String| PredictError::Design { design: name.unwrap_or(unnamed).to_string(), message };
    let name = name.ok_or_else(|| bad("needs a string `name`".into()))?;
    let kind = spec.get("kind").and_then(|v| v.as_str()).ok_or_else(|| bad("needs a string `kind`".into()))?;
    let entry = REGISTRY
        .iter()
        .find(|k| k.kind == kind)
        .ok_or_else(|| bad(format!("unknown kind `{kind}`; known: {}", REGISTRY.iter().map(|k| k.kind).collect::<Vec<_>>().join(", "))))?;
    let mut params = spec.clone();
    params.remove("name");
    params.remove("kind");
    (entry.build)(name, params)
}

/// Deserialises a design's parameters, naming the design in errors.
pub(crate) fn parse_params<T: DeserializeOwned>(name: &str, params: toml::Table) -> Result<T> {
    toml::Value::Table(params)
        .try_into()
        .map_err(|e: toml::de::Error| PredictError::Design { design: name.to_string(), message: e.message().to_string() })
}

/// A stage's fitting settings: `base` with the experiment file's overrides, naming the design in errors.
pub(crate) fn settings(name: &str, overrides: FitOverrides, base: crate::fitter::FitSettings) -> Result<crate::fitter::FitSettings> {
    overrides.apply(base).map_err(|message| PredictError::Design { design: name.to_string(), message })
}

/// The stage record of a fit whose fit error is the fit's own.
pub(crate) fn stage(stage: &'static str, law: &dyn crate::law::Law, fit: &Fit) -> StageFit {
    StageFit { stage, law: law.name(), param_names: law.param_names(), fit: fit.clone(), fit_error: fit.fit_error }
}

/// A two-step design fitted: step 1's stage, the feature it predicts at a target from its
/// parameters, and the fitted step 2 that maps the feature to accuracy.
pub(crate) fn chained(
    step1: StageFit,
    feature: impl Fn(&[f64], &Target) -> f64 + Send + Sync + 'static,
    step2: crate::predict::Step2Fit,
) -> FittedDesign {
    let stages = vec![step1, step2_stage(&step2)];
    let curve = step2.curve;
    FittedDesign::new(stages, move |p, t| {
        let x = feature(p[0], t);
        Prediction { accuracy: curve.law().value(p[1], &[x]), feature: Some(x) }
    })
    .with_step2(move |x| step2.predict(x))
}

/// The stage record of a fitted step 2 (its fit error leaves out the ideal point).
pub(crate) fn step2_stage(fit: &crate::predict::Step2Fit) -> StageFit {
    StageFit { fit_error: fit.fit_error, ..stage("step 2", fit.law(), &fit.fit) }
}

/// The paper's moving-average window, as a serde default.
pub(crate) fn default_window() -> usize {
    crate::points::PAPER_WINDOW
}

/// Parameters of the one-stage designs fitted to each run's final checkpoints.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FinalPointParams {
    /// Final checkpoints averaged per run (default 5).
    #[serde(default = "default_window")]
    pub moving_avg: usize,
    /// Changes to the stage's fitting settings.
    #[serde(default)]
    pub fit: FitOverrides,
}
