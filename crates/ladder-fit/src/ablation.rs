//! Ablation grids: designs × tasks × targets → one prediction table.

use ladder_core::{Feature, Ladder, LadderError, Task};
use polars::prelude::*;
use rayon::prelude::*;

use crate::design::{Design, FittedDesign};
use crate::predict::{Result, Target};

/// One cell of the grid: a design fitted for one task (or the error that stopped it).
struct Cell<'a> {
    design: &'a dyn Design,
    task: &'a Task,
    fitted: std::result::Result<FittedDesign, String>,
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
}

/// Fits every design for every task (in parallel, deterministic order) and predicts every
/// target: one row per design × task × target with predicted, actual, absolute and relative
/// error, fit error of the last stage, stop reasons, iterations, parameters, and the error
/// message of a cell that could not be fitted.
pub fn run_grid(ladder: &Ladder, designs: &[Box<dyn Design>], tasks: &[Task], targets: &[String]) -> Result<DataFrame> {
    let targets: Vec<(String, Target, &ladder_core::Entry)> = targets
        .iter()
        .map(|name| ladder.entry(name).map(|e| (name.clone(), Target::of(e), e)))
        .collect::<std::result::Result<_, LadderError>>()?;
    let pairs: Vec<(&dyn Design, &Task)> = designs.iter().flat_map(|d| tasks.iter().map(move |t| (d.as_ref(), t))).collect();
    let cells: Vec<Cell> = pairs
        .into_par_iter()
        .map(|(design, task)| Cell { design, task, fitted: design.fit(ladder, task).map_err(|e| e.to_string()) })
        .collect();
    let mut rows = PredictionRows::default();
    for cell in &cells {
        for (name, target, entry) in &targets {
            let actual = Target::observed(entry, cell.task, Feature::RcAcc, 5)?;
            rows.design.push(cell.design.name().to_string());
            rows.kind.push(cell.design.kind());
            rows.task.push(cell.task.key.clone());
            rows.target.push(name.clone());
            rows.actual.push(actual);
            match &cell.fitted {
                Ok(fitted) => {
                    let predicted = fitted.predict(target);
                    let last = fitted.stages.last().expect("a design has at least one stage");
                    rows.predicted.push(predicted);
                    rows.abs_error.push(predicted - actual);
                    rows.rel_error.push((predicted - actual) / actual);
                    rows.fit_error.push(last.fit.fit_error);
                    rows.stop.push(fitted.stages.iter().map(|s| format!("{}: {}", s.stage, s.fit.stop.label())).collect::<Vec<_>>().join("; "));
                    rows.iterations.push(fitted.stages.iter().map(|s| s.fit.iterations).sum());
                    rows.params.push(
                        fitted
                            .stages
                            .iter()
                            .map(|s| {
                                let p: Vec<String> = s.param_names.iter().zip(&s.fit.params).map(|(n, v)| format!("{n}={v:.6}")).collect();
                                format!("{}: {}", s.law, p.join(" "))
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    );
                    rows.error.push(String::new());
                }
                Err(message) => {
                    for v in [&mut rows.predicted, &mut rows.abs_error, &mut rows.rel_error, &mut rows.fit_error] {
                        v.push(f64::NAN);
                    }
                    rows.stop.push(String::new());
                    rows.iterations.push(0);
                    rows.params.push(String::new());
                    rows.error.push(message.clone());
                }
            }
        }
    }
    let abs_rel: Vec<f64> = rows.rel_error.iter().map(|r| r.abs()).collect();
    Ok(df!(
        "design" => rows.design, "kind" => rows.kind, "task" => rows.task, "target" => rows.target,
        "predicted" => rows.predicted, "actual" => rows.actual, "abs_error" => rows.abs_error,
        "rel_error" => rows.rel_error, "abs_rel_error" => abs_rel, "fit_error" => rows.fit_error,
        "stop" => rows.stop, "iterations" => rows.iterations, "params" => rows.params, "error" => rows.error
    )
    .map_err(LadderError::from)?)
}
