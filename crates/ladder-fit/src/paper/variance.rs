//! The variance analysis (method.md §8): checkpoint-to-checkpoint spread of a task feature and
//! of accuracy late in one run, next to a target's step-1, step-2 and chained errors.

use crate::points::PAPER_WINDOW;
use ladder_core::{Feature, Ladder, Task, TaskSet};
use polars::prelude::*;
use rayon::prelude::*;

use crate::law::LogSigmoid;
use crate::predict::{PredictError, Result, Step1, Step2, Step2Curve, Target};

/// Population standard deviation and coefficient of variation.
fn sd_and_cv(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    (sd, sd / mean)
}

/// The variance table for any intermediate feature: over the last 10 checkpoints of the
/// variance run (the last run of `variance`), SD and CV of the feature and of accuracy; and, for
/// `target`, the signed relative errors of step 1 (the feature) and step 2 (accuracy from the
/// target's real feature; log-sigmoid for TaskCE), and the absolute chained error (sigmoid step
/// 2), all fitted on the train entries of `ladder`. Rows are the `v2_main_variance` tasks by
/// display name, sorted by feature SD, largest first. The paper's table is `feature = rc_bpb`
/// with target 7B-4T.
pub fn variance_analysis(variance: &Ladder, ladder: &Ladder, target: &str, feature: Feature) -> Result<DataFrame> {
    const LAST: usize = 10;
    let run = variance.entries.iter().flat_map(|e| e.runs.last()).next_back().ok_or_else(|| {
        PredictError::Data(ladder_core::LadderError::UnknownEntry { name: "variance run".into(), known: "(none)".into() })
    })?;
    let target_entry = ladder.entry(target)?;
    let t = Target::of(target_entry);
    let tasks = TaskSet::get("v2_main_variance")?.tasks;
    let step1 = Step1::new(feature, PAPER_WINDOW);
    let stacked_step2 = Step2::paper(feature);
    let accuracy_step2 = match feature {
        Feature::RcSoftLog => Step2 { curve: Step2Curve::LogSigmoid(LogSigmoid::default()), ..stacked_step2 },
        _ => stacked_step2,
    };
    let row = |task: &Task| -> Result<(String, [f64; 7])> {
        let last = |f| -> Result<Vec<f64>> {
            let v = run.finite_task_values(task, f)?.1;
            Ok(v[v.len().saturating_sub(LAST)..].to_vec())
        };
        let (loss_sd, loss_cv) = sd_and_cv(&last(feature)?);
        let (acc_sd, acc_cv) = sd_and_cv(&last(Feature::RcAcc)?);
        let observed = |f| Target::observed(target_entry, task, f, PAPER_WINDOW);
        let (loss, acc) = (observed(feature)?, observed(Feature::RcAcc)?);
        let s1 = step1.fit(ladder, task)?;
        let s2 = stacked_step2.fit(ladder, task)?;
        let s2_acc = if accuracy_step2 == stacked_step2 { s2.clone() } else { accuracy_step2.fit(ladder, task)? };
        let loss_rel = (s1.predict(t.n, t.d) - loss) / loss;
        let acc_rel = (s2_acc.predict(loss) - acc) / acc;
        let stacked = ((s2.predict(s1.predict(t.n, t.d)) - acc) / acc).abs();
        Ok((task.display_name().to_string(), [loss_sd, loss_cv, acc_sd, acc_cv, loss_rel, acc_rel, stacked]))
    };
    let mut rows: Vec<(String, [f64; 7])> = tasks.par_iter().map(row).collect::<Result<_>>()?;
    rows.sort_by(|a, b| b.1[0].total_cmp(&a.1[0]));
    let prefix = target.split('-').next().unwrap_or(target).to_string();
    let names = [
        "Loss SD".to_string(),
        "Loss Rel SD (CV)".to_string(),
        "Accuracy SD".to_string(),
        "Accuracy Rel SD (CV)".to_string(),
        format!("{prefix} Loss Rel Error"),
        format!("{prefix} Accuracy Rel Error"),
        format!("{prefix} Stacked Rel Error"),
    ];
    let mut columns = vec![Column::new("Task".into(), rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>())];
    for (j, name) in names.iter().enumerate() {
        columns.push(Column::new(name.into(), rows.iter().map(|r| r.1[j]).collect::<Vec<_>>()));
    }
    Ok(DataFrame::new_infer_height(columns).map_err(ladder_io::table_error)?)
}
