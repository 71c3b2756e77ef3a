//! The variance table (method.md §8): checkpoint-to-checkpoint spread of task loss and accuracy
//! late in one run, next to the 7B-4T prediction errors.

use ladder_core::{Feature, Ladder};
use polars::prelude::*;

use super::TaskFits;
use crate::points::mean_of_last;
use crate::predict::{PredictError, Result, Target};

/// Population standard deviation and coefficient of variation.
fn sd_and_cv(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    (sd, sd / mean)
}

/// The variance table (method.md §8): spread of bpb and accuracy over the last 10 checkpoints
/// of the variance run, and 7B-4T step-1 / step-2 / chained errors, sorted by loss SD.
pub(super) fn variance_table(variance: &Ladder, target_entry: &ladder_core::Entry, fits: &[TaskFits]) -> Result<DataFrame> {
    const LAST: usize = 10;
    let run = variance.entries.iter().flat_map(|e| e.runs.last()).next_back().ok_or_else(|| {
        PredictError::Data(ladder_core::LadderError::UnknownEntry { name: "variance run".into(), known: "(none)".into() })
    })?;
    let t = Target::of(target_entry);
    let mut rows: Vec<(String, [f64; 7])> = Vec::new();
    for key in ladder_core::task::V2_MAIN_VARIANCE {
        let f = fits.iter().find(|f| f.task.key == *key).expect("variance tasks are fitted");
        let last = |feature| -> Result<Vec<f64>> {
            let v = run.task_values(&f.task, feature)?;
            Ok(v[v.len().saturating_sub(LAST)..].to_vec())
        };
        let (loss_sd, loss_cv) = sd_and_cv(&last(Feature::RcBpb)?);
        let (acc_sd, acc_cv) = sd_and_cv(&last(Feature::RcAcc)?);
        let target_values = |feature| -> Result<f64> { Ok(mean_of_last(&target_entry.runs.last().expect("target run").task_values(&f.task, feature)?, 5)) };
        let (loss, acc) = (target_values(Feature::RcBpb)?, target_values(Feature::RcAcc)?);
        let loss_rel = (f.step1_bpb.predict(t.n, t.d) - loss) / loss;
        let acc_rel = (f.step2_bpb.predict(loss) - acc) / acc;
        let stacked = ((f.step2_bpb.predict(f.step1_bpb.predict(t.n, t.d)) - acc) / acc).abs();
        rows.push((f.task.display_name().to_string(), [loss_sd, loss_cv, acc_sd, acc_cv, loss_rel, acc_rel, stacked]));
    }
    rows.sort_by(|a, b| b.1[0].total_cmp(&a.1[0]));
    let prefix = target_entry.name.split('-').next().unwrap_or(&target_entry.name).to_string();
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
    Ok(DataFrame::new_infer_height(columns).map_err(ladder_core::LadderError::from)?)
}
