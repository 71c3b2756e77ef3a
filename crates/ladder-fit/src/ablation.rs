//! Ablation grids: designs × tasks × targets → one prediction table.

use crate::points::PAPER_WINDOW;
use ladder_core::{Feature, Ladder, LadderError, Task};
use polars::prelude::*;
use rayon::prelude::*;

use crate::design::{Design, FittedDesign};
use crate::predict::{Result, Target};
use crate::trust::{Evidence, Reach, Verdict};
use crate::uncertainty::{bootstrap, delta_interval, BootstrapSettings, BootstrapSummary, Interval};

/// Which intervals the grid puts on its predictions.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintySettings {
    /// Interval level (0.9 = 90 %).
    pub level: f64,
    /// Bootstrap settings; `None`: delta-method intervals only.
    pub bootstrap: Option<BootstrapSettings>,
    /// Designs to bootstrap, by name (empty: all).
    pub bootstrap_designs: Vec<String>,
}

impl Default for UncertaintySettings {
    fn default() -> Self {
        UncertaintySettings { level: crate::uncertainty::DEFAULT_LEVEL, bootstrap: None, bootstrap_designs: Vec::new() }
    }
}

/// One cell of the grid: a design fitted for one task (or the error that stopped it).
struct Cell<'a> {
    design: &'a dyn Design,
    task: &'a Task,
    fitted: std::result::Result<FittedDesign, String>,
    /// One bootstrap summary per target, when bootstrapped.
    boot: Option<Vec<BootstrapSummary>>,
    /// What the ladder says about trusting the fit (when it fitted).
    evidence: Option<Evidence>,
}

/// Column builder of the prediction table.
#[derive(Default)]
struct PredictionRows {
    design: Vec<String>,
    kind: Vec<&'static str>,
    task: Vec<String>,
    target: Vec<String>,
    predicted: Vec<f64>,
    actual: Vec<f64>,
    abs_error: Vec<f64>,
    rel_error: Vec<f64>,
    fit_error: Vec<f64>,
    stop: Vec<String>,
    iterations: Vec<u64>,
    params: Vec<String>,
    error: Vec<String>,
    delta: Vec<Interval>,
    delta_se: Vec<f64>,
    boot: Vec<Option<BootstrapSummary>>,
    feature: Vec<String>,
    feature_predicted: Vec<f64>,
    feature_actual: Vec<f64>,
    verdict: Vec<&'static str>,
    reasons: Vec<String>,
    snr: Vec<f64>,
    holdout_err: Vec<f64>,
    x_c: Vec<f64>,
}

/// Fits every design for every task (in parallel, deterministic order) and predicts every
/// target: one row per design × task × target with predicted, actual, absolute and relative
/// error, fit error of the last stage, stop reasons, iterations, parameters, the error message
/// of a cell that could not be fitted, and interval columns: delta method (`delta_lo`,
/// `delta_hi`, `delta_se`, `in_delta`) and bootstrap (`boot_lo`, `boot_hi`, `boot_sd`,
/// `boot_feature_sd`, `boot_failed`, `in_boot`; NaN/null where not bootstrapped), and for
/// two-step designs the intermediate feature with its step-1 prediction and observed value
/// (`feature`, `feature_predicted`, `feature_actual`; mean of the last 5 checkpoints), and what
/// the ladder says about trusting it ([`crate::trust`]: `verdict`, `reasons`, `snr`,
/// `holdout_err`, `x_c`).
/// `progress` is called once per bootstrap draw.
pub fn run_grid(
    ladder: &Ladder,
    designs: &[Box<dyn Design>],
    tasks: &[Task],
    targets: &[String],
    uncertainty: &UncertaintySettings,
    progress: &(dyn Fn() + Sync),
) -> Result<DataFrame> {
    let targets: Vec<(String, Target, &ladder_core::Entry)> = targets
        .iter()
        .map(|name| ladder.target(name).map(|e| (name.clone(), Target::of(e), e)))
        .collect::<std::result::Result<_, LadderError>>()?;
    let pairs: Vec<(&dyn Design, &Task)> = designs.iter().flat_map(|d| tasks.iter().map(move |t| (d.as_ref(), t))).collect();
    let target_points: Vec<Target> = targets.iter().map(|t| t.1.clone()).collect();
    let cells: Vec<Cell> = pairs
        .into_par_iter()
        .map(|(design, task)| {
            let fitted = design.fit(ladder, task).map_err(|e| e.to_string());
            let wanted = uncertainty.bootstrap_designs.is_empty() || uncertainty.bootstrap_designs.iter().any(|n| n == design.name());
            let boot = match (&uncertainty.bootstrap, &fitted) {
                (Some(settings), Ok(_)) if wanted => {
                    let settings = BootstrapSettings { level: uncertainty.level, ..*settings };
                    Some(bootstrap(ladder, design, task, &target_points, &settings, progress))
                }
                _ => None,
            };
            let evidence = fitted.as_ref().ok().map(|f| Evidence::gather(ladder, design, task, f));
            Cell { design, task, fitted, boot, evidence }
        })
        .collect();
    let reach = Reach::of(ladder);
    let mut rows = PredictionRows::default();
    for cell in &cells {
        for (t, (name, target, entry)) in targets.iter().enumerate() {
            let actual = Target::observed(entry, cell.task, Feature::RcAcc, PAPER_WINDOW)?;
            rows.boot.push(cell.boot.as_ref().map(|b| b[t]));
            rows.design.push(cell.design.name().to_string());
            rows.kind.push(cell.design.kind());
            rows.task.push(cell.task.key.clone());
            rows.target.push(name.clone());
            rows.actual.push(actual);
            let intermediate = cell.design.intermediate();
            rows.feature.push(intermediate.map(|f| f.name().to_string()).unwrap_or_default());
            rows.feature_actual.push(match intermediate {
                Some(f) => Target::observed(entry, cell.task, f, PAPER_WINDOW).unwrap_or(f64::NAN),
                None => f64::NAN,
            });
            rows.feature_predicted.push(match &cell.fitted {
                Ok(fitted) => fitted.prediction(target).feature.unwrap_or(f64::NAN),
                Err(_) => f64::NAN,
            });
            let ratios = reach.ratios(target);
            rows.x_c.push(ratios[2]);
            rows.snr.push(cell.evidence.as_ref().map_or(f64::NAN, |e| e.snr));
            rows.holdout_err.push(cell.evidence.as_ref().map_or(f64::NAN, |e| e.holdout_err));
            match &cell.fitted {
                Ok(fitted) => {
                    let predicted = fitted.predict(target);
                    let informative = predicted > cell.task.minimum && predicted < cell.task.maximum;
                    let (verdict, reasons) = cell.evidence.as_ref().expect("gathered for every fit").verdict(ratios, informative);
                    rows.verdict.push(verdict.name());
                    rows.reasons.push(reasons.join("; "));
                    let last = fitted.stages.last().expect("a design has at least one stage");
                    rows.predicted.push(predicted);
                    rows.abs_error.push(predicted - actual);
                    rows.rel_error.push((predicted - actual) / actual);
                    rows.fit_error.push(last.fit_error);
                    rows.stop
                        .push(fitted.stages.iter().map(|s| format!("{}: {}", s.stage, s.fit.stop.label())).collect::<Vec<_>>().join("; "));
                    rows.iterations.push(fitted.stages.iter().map(|s| s.fit.iterations).sum());
                    rows.params
                        .push(fitted.stages.iter().map(|s| format!("{}: {}", s.law, s.params_text())).collect::<Vec<_>>().join("; "));
                    rows.error.push(String::new());
                    let (interval, se) = delta_interval(fitted, target, uncertainty.level, (cell.task.minimum, cell.task.maximum))
                        .unwrap_or((Interval::NONE, f64::NAN));
                    rows.delta.push(interval);
                    rows.delta_se.push(se);
                }
                Err(message) => {
                    rows.verdict.push(Verdict::Unusable.name());
                    rows.reasons.push("no fit".into());
                    for v in [&mut rows.predicted, &mut rows.abs_error, &mut rows.rel_error, &mut rows.fit_error] {
                        v.push(f64::NAN);
                    }
                    rows.stop.push(String::new());
                    rows.iterations.push(0);
                    rows.params.push(String::new());
                    rows.error.push(message.clone());
                    rows.delta.push(Interval::NONE);
                    rows.delta_se.push(f64::NAN);
                }
            }
        }
    }
    let abs_rel: Vec<f64> = rows.rel_error.iter().map(|r| r.abs()).collect();
    let covers = |interval: Option<Interval>, actual: f64| interval.filter(|i| i.lo.is_finite()).map(|i| i.contains(actual));
    let in_delta: Vec<Option<bool>> = rows.delta.iter().zip(&rows.actual).map(|(i, a)| covers(Some(*i), *a)).collect();
    let in_boot: Vec<Option<bool>> = rows.boot.iter().zip(&rows.actual).map(|(b, a)| covers(b.map(|b| b.interval), *a)).collect();
    let boot = |f: &dyn Fn(&BootstrapSummary) -> f64| -> Vec<f64> { rows.boot.iter().map(|b| b.as_ref().map_or(f64::NAN, f)).collect() };
    let (boot_lo, boot_hi, boot_sd) = (boot(&|b| b.interval.lo), boot(&|b| b.interval.hi), boot(&|b| b.sd));
    let boot_feature_sd = boot(&|b| b.feature_sd.unwrap_or(f64::NAN));
    let boot_failed: Vec<Option<u32>> = rows.boot.iter().map(|b| b.map(|b| b.failed as u32)).collect();
    let (delta_lo, delta_hi): (Vec<f64>, Vec<f64>) = rows.delta.iter().map(|i| (i.lo, i.hi)).unzip();
    Ok(df!(
        "design" => rows.design, "kind" => rows.kind, "task" => rows.task, "target" => rows.target,
        "predicted" => rows.predicted, "actual" => rows.actual, "abs_error" => rows.abs_error,
        "rel_error" => rows.rel_error, "abs_rel_error" => abs_rel, "fit_error" => rows.fit_error,
        "stop" => rows.stop, "iterations" => rows.iterations, "params" => rows.params, "error" => rows.error,
        "delta_lo" => delta_lo, "delta_hi" => delta_hi, "delta_se" => rows.delta_se, "in_delta" => in_delta,
        "boot_lo" => boot_lo, "boot_hi" => boot_hi, "boot_sd" => boot_sd, "boot_feature_sd" => boot_feature_sd,
        "boot_failed" => boot_failed, "in_boot" => in_boot,
        "feature" => rows.feature, "feature_predicted" => rows.feature_predicted, "feature_actual" => rows.feature_actual,
        "verdict" => rows.verdict, "reasons" => rows.reasons, "snr" => rows.snr, "holdout_err" => rows.holdout_err, "x_c" => rows.x_c
    )
    .map_err(ladder_io::table_error)?)
}
