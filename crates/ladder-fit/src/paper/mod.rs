//! The paper's published tables (`olmo-ladder/published/*.csv`), rebuilt from ladder data.
//!
//! Same file names and columns as the published CSVs (method.md §11), computed for a chosen
//! target. Deliberate differences from the reference scripts (method.md §14):
//! * every table reports the chosen target (the scripts reported the last `eval` entry of the
//!   config, and `chained_flops_main.csv` mixed 13B-5T Actual/Pred with a 7B-4T Rel Error);
//! * step-1 `rc_acc` fits are solved to convergence: the published rows for MMLU, HellaSwag,
//!   ARC-Challenge, CSQA and OpenBookQA are SciPy's first iterate after a NaN in its line search;
//! * the variance table's prediction columns always refer to 7B-4T, as in the paper.
//!
//! Kept on purpose to reproduce the published numbers: the TaskCE log-sigmoid is evaluated with
//! the reference code's numerics (see [`LogSigmoid::reference_numerics`]), and step 2 is solved
//! by the same trust-region reflective method with a finite-difference Jacobian as SciPy.

use crate::points::PAPER_WINDOW;
use std::path::Path;

use ladder_core::{olmo, Feature, Ladder, Task, TaskSet};
use polars::prelude::*;
use rayon::prelude::*;

use crate::fitter::Fit;
use crate::law::{Law, LogSigmoid};
use crate::points::CheckpointPolicy;
use crate::predict::{FlopsStep1, Result, Step1, Step1Fit, Step2, Step2Curve, Step2Fit, Target};

mod compare;
mod variance;

pub use compare::compare_with_published;
pub use variance::variance_analysis;

/// Names of the ten published tables, in the order they are written.
pub const TABLE_NAMES: [&str; 10] = [
    "step1_main",
    "step1_c4_main",
    "step1_acc_main",
    "step1_taskce_main",
    "step2_main",
    "step2_c4_main",
    "step2_taskce_main",
    "chained_main",
    "chained_flops_main",
    "variance",
];

/// The target of the variance table's prediction columns.
pub const VARIANCE_TARGET: &str = "7B-4T";

/// The ladders the paper's commands read.
#[derive(Debug, Clone)]
pub struct PaperData {
    /// `configs/final.json`: the 16 ladder runs and both targets.
    pub ladder: Ladder,
    /// `configs/final_variance.json`: 1B-10xC for the variance analysis.
    pub variance: Ladder,
}

impl PaperData {
    /// Loads both configs from an OLMo-ladder data folder.
    pub fn load(data_dir: &Path) -> Result<PaperData> {
        Ok(PaperData { ladder: olmo::load_ladder(data_dir, "final")?, variance: olmo::load_ladder(data_dir, "final_variance")? })
    }
}

/// One table of the reproduction.
#[derive(Debug, Clone)]
pub struct PaperTable {
    /// File name without extension (one of [`TABLE_NAMES`] or `fit_diagnostics`).
    pub name: &'static str,
    /// The table.
    pub frame: DataFrame,
}

/// All fits of one task that the nine prediction tables need.
struct TaskFits {
    task: Task,
    step1_bpb: Step1Fit,
    step1_c4: Step1Fit,
    step1_acc: Step1Fit,
    step1_taskce: Step1Fit,
    step2_bpb: Step2Fit,
    step2_c4: Step2Fit,
    step2_taskce: Step2Fit,
    flops: crate::predict::FlopsStep1Fit,
}

const TASKCE_POLICY: CheckpointPolicy = CheckpointPolicy { skip_fraction: 0.5, moving_avg: 1, last_n: None };

fn fit_task(ladder: &Ladder, task: Task) -> Result<TaskFits> {
    let taskce_step2 = Step2 {
        feature: Feature::RcSoftLog,
        accuracy: Feature::RcAcc,
        policy: TASKCE_POLICY,
        curve: Step2Curve::LogSigmoid(LogSigmoid { reference_numerics: true }),
        fit: crate::fitter::FitSettings::step2(),
    };
    Ok(TaskFits {
        step1_bpb: Step1::new(Feature::RcBpb, PAPER_WINDOW).fit(ladder, &task)?,
        step1_c4: Step1::new(Feature::C4, PAPER_WINDOW).fit(ladder, &task)?,
        step1_acc: Step1::new(Feature::RcAcc, PAPER_WINDOW).fit(ladder, &task)?,
        step1_taskce: Step1::new(Feature::RcSoftLog, 1).fit(ladder, &task)?,
        step2_bpb: Step2::paper(Feature::RcBpb).fit(ladder, &task)?,
        step2_c4: Step2::paper(Feature::C4).fit(ladder, &task)?,
        step2_taskce: taskce_step2.fit(ladder, &task)?,
        flops: FlopsStep1::new(Feature::RcBpb, PAPER_WINDOW).fit(ladder, &task)?,
        task,
    })
}

/// Columns `Task, Actual, Pred, Rel Error[, Fit Error]` of one table under construction.
#[derive(Default)]
struct Rows {
    task: Vec<String>,
    actual: Vec<f64>,
    pred: Vec<f64>,
    rel: Vec<f64>,
    fit_error: Vec<f64>,
}

impl Rows {
    fn push(&mut self, task: &Task, actual: f64, pred: f64, absolute: bool, fit_error: Option<f64>) {
        let rel = (pred - actual) / actual;
        self.task.push(task.key.clone());
        self.actual.push(actual);
        self.pred.push(pred);
        self.rel.push(if absolute { rel.abs() } else { rel });
        self.fit_error.extend(fit_error);
    }

    fn frame(self) -> Result<DataFrame> {
        let mut columns = vec![
            Column::new("Task".into(), self.task),
            Column::new("Actual".into(), self.actual),
            Column::new("Pred".into(), self.pred),
            Column::new("Rel Error".into(), self.rel),
        ];
        if !self.fit_error.is_empty() {
            columns.push(Column::new("Fit Error".into(), self.fit_error));
        }
        Ok(DataFrame::new_infer_height(columns).map_err(ladder_core::LadderError::from)?)
    }
}

/// Fit diagnostics of every fit behind the tables (one row per table × task).
#[derive(Default)]
struct Diagnostics {
    table: Vec<&'static str>,
    task: Vec<String>,
    law: Vec<&'static str>,
    params: Vec<String>,
    objective: Vec<f64>,
    iterations: Vec<u64>,
    stop: Vec<&'static str>,
    at_bound: Vec<String>,
    fit_error: Vec<f64>,
}

impl Diagnostics {
    fn push(&mut self, table: &'static str, task: &Task, law: &dyn Law, fit: &Fit, fit_error: f64) {
        let names = law.param_names();
        self.table.push(table);
        self.task.push(task.key.clone());
        self.law.push(law.name());
        self.params.push(names.iter().zip(&fit.params).map(|(n, v)| format!("{n}={v:.6}")).collect::<Vec<_>>().join(" "));
        self.objective.push(fit.objective);
        self.iterations.push(fit.iterations);
        self.stop.push(fit.stop.label());
        self.at_bound.push(names.iter().zip(&fit.at_bound).filter(|(_, b)| **b).map(|(n, _)| *n).collect::<Vec<_>>().join(" "));
        self.fit_error.push(fit_error);
    }

    fn frame(self) -> Result<DataFrame> {
        Ok(df!("table" => self.table, "task" => self.task, "law" => self.law, "params" => self.params,
            "objective" => self.objective, "iterations" => self.iterations, "stop" => self.stop,
            "at_bound" => self.at_bound, "fit_error" => self.fit_error)
        .map_err(ladder_core::LadderError::from)?)
    }
}

/// Rebuilds the ten published tables (plus `fit_diagnostics`) for `target`; `tasks` are the rows
/// of the nine prediction tables (the paper's are `v2_main`; the variance table always uses
/// `v2_main_variance`).
pub fn reproduce(data: &PaperData, target: &str, tasks: &TaskSet) -> Result<Vec<PaperTable>> {
    let ladder = &data.ladder;
    let target_entry = ladder.target(target)?;
    let fits: Vec<TaskFits> = tasks.tasks.par_iter().map(|task| fit_task(ladder, task.clone())).collect::<Result<_>>()?;

    let t = Target::of(target_entry);
    let observed = |task: &Task, feature: Feature, k: usize| Target::observed(target_entry, task, feature, k);
    let mut tables: Vec<Rows> = (0..9).map(|_| Rows::default()).collect();
    let mut diag = Diagnostics::default();
    for f in &fits {
        let task = &f.task;
        let step1: [(&Step1Fit, Feature, usize, &'static str); 4] = [
            (&f.step1_bpb, Feature::RcBpb, 5, "step1_main"),
            (&f.step1_c4, Feature::C4, 5, "step1_c4_main"),
            (&f.step1_acc, Feature::RcAcc, 5, "step1_acc_main"),
            (&f.step1_taskce, Feature::RcSoftLog, 1, "step1_taskce_main"),
        ];
        for (i, (fit, feature, k, name)) in step1.into_iter().enumerate() {
            tables[i].push(task, observed(task, feature, k)?, fit.predict(t.n, t.d), false, Some(fit.fit.fit_error));
            diag.push(name, task, &fit.law, &fit.fit, fit.fit.fit_error);
        }
        let step2: [(&Step2Fit, Feature, usize, &'static str); 3] = [
            (&f.step2_bpb, Feature::RcBpb, 5, "step2_main"),
            (&f.step2_c4, Feature::C4, 5, "step2_c4_main"),
            (&f.step2_taskce, Feature::RcSoftLog, 1, "step2_taskce_main"),
        ];
        for (i, (fit, feature, k, name)) in step2.into_iter().enumerate() {
            let actual = observed(task, Feature::RcAcc, k)?;
            tables[4 + i].push(task, actual, fit.predict(observed(task, feature, k)?), false, None);
            diag.push(name, task, fit.law(), &fit.fit, fit.fit_error);
        }
        let accuracy = observed(task, Feature::RcAcc, PAPER_WINDOW)?;
        tables[7].push(task, accuracy, f.step2_bpb.predict(f.step1_bpb.predict(t.n, t.d)), true, None);
        tables[8].push(task, accuracy, f.step2_bpb.predict(f.flops.predict(t.c)), true, None);
        diag.push("chained_flops_main", task, &crate::law::FlopsPowerLaw, &f.flops.fit, f.flops.fit.fit_error);
    }
    let mut out: Vec<PaperTable> = Vec::with_capacity(TABLE_NAMES.len() + 1);
    for (name, rows) in TABLE_NAMES.iter().zip(tables) {
        out.push(PaperTable { name, frame: rows.frame()? });
    }
    out.push(PaperTable { name: "variance", frame: variance_analysis(&data.variance, ladder, VARIANCE_TARGET, Feature::RcBpb)? });
    out.push(PaperTable { name: "fit_diagnostics", frame: diag.frame()? });
    Ok(out)
}
