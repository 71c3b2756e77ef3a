//! Signal and noise of a task on a ladder (Heineman et al. 2025, "Signal and Noise"): can the
//! ladder's models be told apart on it at all?
//!
//! * signal: the spread of the final scores of the ladder's runs, (max − min) / mean;
//! * noise: the standard deviation over the last [`NOISE_CHECKPOINTS`] checkpoints of a run,
//!   relative to their mean, averaged over the runs. Our runs evaluate a few times each, so these
//!   checkpoints also carry the end of the learning curve: the noise is an upper bound.
//!
//! SNR = signal / noise. A task whose accuracy SNR is near or below 1 cannot be predicted: its
//! ladder is a cloud.

use ladder_core::{Feature, Ladder, Task};
use polars::prelude::*;

use crate::predict::Result;

/// Checkpoints at the end of each run whose spread is the noise.
pub const NOISE_CHECKPOINTS: usize = 3;

/// One task's signal, noise and SNR for one feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignalNoise {
    /// (max − min) / mean of the runs' final values.
    pub signal: f64,
    /// Mean relative SD over each run's last checkpoints.
    pub noise: f64,
    /// Runs measured.
    pub runs: usize,
}

impl SignalNoise {
    /// signal / noise.
    pub fn snr(&self) -> f64 {
        self.signal / self.noise
    }
}

/// Population SD relative to the mean.
fn relative_sd(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt() / mean.abs()
}

/// Signal and noise of `feature` of `task` over the train runs of `ladder`.
pub fn signal_noise(ladder: &Ladder, task: &Task, feature: Feature) -> Result<SignalNoise> {
    let mut finals = Vec::new();
    let mut noise = Vec::new();
    for entry in ladder.train_entries() {
        for run in &entry.runs {
            let values = run.finite_task_values(task, feature)?.1;
            let Some(&last) = values.last() else { continue };
            finals.push(last);
            if values.len() >= 2 {
                noise.push(relative_sd(&values[values.len().saturating_sub(NOISE_CHECKPOINTS)..]));
            }
        }
    }
    let mean = finals.iter().sum::<f64>() / finals.len() as f64;
    let (lo, hi) = finals.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    Ok(SignalNoise { signal: (hi - lo) / mean.abs(), noise: noise.iter().sum::<f64>() / noise.len() as f64, runs: finals.len() })
}

/// The table for every task: `task`, and per feature (accuracy, task bpb) its signal, noise and
/// SNR, and the number of runs.
pub fn snr_table(ladder: &Ladder, tasks: &[Task]) -> Result<DataFrame> {
    let mut columns: Vec<Column> = vec![Column::new("task".into(), tasks.iter().map(|t| t.key.clone()).collect::<Vec<_>>())];
    let mut runs = Vec::new();
    for (feature, name) in [(Feature::RcAcc, "acc"), (Feature::RcBpb, "bpb")] {
        let rows: Vec<SignalNoise> = tasks.iter().map(|t| signal_noise(ladder, t, feature)).collect::<Result<_>>()?;
        columns.push(Column::new(format!("{name}_signal").into(), rows.iter().map(|r| r.signal).collect::<Vec<_>>()));
        columns.push(Column::new(format!("{name}_noise").into(), rows.iter().map(|r| r.noise).collect::<Vec<_>>()));
        columns.push(Column::new(format!("{name}_snr").into(), rows.iter().map(SignalNoise::snr).collect::<Vec<_>>()));
        runs = rows.iter().map(|r| r.runs as u32).collect();
    }
    columns.push(Column::new("runs".into(), runs));
    Ok(DataFrame::new_infer_height(columns).map_err(ladder_io::table_error)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ladder_core::{Checkpoints, Entry, Mode, Run};

    fn run(name: &str, acc: &[f64]) -> Run {
        let column = Feature::RcAcc.column("piqa_val", 5);
        let bpb = Feature::RcBpb.column("piqa_val", 5);
        let checkpoints = Checkpoints {
            steps: None,
            tokens: (1..=acc.len()).map(|i| i as f64).collect(),
            metrics: vec![(column, acc.to_vec()), (bpb, acc.iter().map(|a| 2.0 - a).collect())],
        };
        Run::new(name, "x", checkpoints)
    }

    #[test]
    fn signal_and_noise_by_hand() {
        // Finals 0.6 and 0.8: signal 0.2 / 0.7. Last three of each: SDs √(2/3)·0.01 / 0.59 and
        // 0 / 0.8.
        let entry = |name: &str, acc: &[f64]| Entry {
            name: name.into(),
            mode: Mode::Train,
            n: 1.0,
            flops_per_token: 6.0,
            runs: vec![run(name, acc)],
        };
        let ladder = Ladder { entries: vec![entry("a", &[0.3, 0.58, 0.59, 0.6]), entry("b", &[0.1, 0.8, 0.8, 0.8])] };
        let task = Task::get("piqa_val_5shot").unwrap();
        let s = signal_noise(&ladder, &task, Feature::RcAcc).unwrap();
        assert!((s.signal - 0.2 / 0.7).abs() < 1e-12, "{s:?}");
        let expected = ((2.0f64 / 3.0).sqrt() * 0.01 / 0.59) / 2.0;
        assert!((s.noise - expected).abs() < 1e-12, "{s:?}");
        assert_eq!(s.runs, 2);
        let table = snr_table(&ladder, &[task]).unwrap();
        assert_eq!(table.height(), 1);
        assert!(table.column("acc_snr").unwrap().f64().unwrap().get(0).unwrap() > 10.0);
    }
}
