//! Checkpoint policies: which checkpoints of which runs become fitting points, and how they are
//! smoothed (method.md §2).

use ladder_core::{Entry, Feature, Ladder, Mode, Result, Task};

/// Trailing moving average with window `w`; the first `w − 1` outputs are expanding means.
pub fn moving_average(values: &[f64], window: usize) -> Vec<f64> {
    let w = window.max(1);
    (0..values.len())
        .map(|i| {
            let from = (i + 1).saturating_sub(w);
            values[from..=i].iter().sum::<f64>() / (i + 1 - from) as f64
        })
        .collect()
}

/// Mean of the last `k` values (all of them if fewer).
pub fn mean_of_last(values: &[f64], k: usize) -> f64 {
    let from = values.len().saturating_sub(k.max(1));
    values[from..].iter().sum::<f64>() / (values.len() - from) as f64
}

/// Number of leading checkpoints dropped by `skip_fraction` (`ceil(p · rows)`; p = 1 keeps only
/// the last checkpoint).
pub fn skipped_rows(rows: usize, skip_fraction: f64) -> usize {
    if skip_fraction >= 1.0 {
        rows.saturating_sub(1)
    } else {
        ((skip_fraction * rows as f64).ceil() as usize).min(rows)
    }
}

/// The paper's moving-average window: final checkpoints averaged per run (step 1 and a target's
/// observed value) and step 2's smoothing.
pub const PAPER_WINDOW: usize = 5;

/// The paper's share of each run's leading checkpoints that step 2 leaves out.
pub const PAPER_SKIP: f64 = 0.1;

/// How intermediate checkpoints of a training run become step-2 points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckpointPolicy {
    /// Fraction of each run's leading checkpoints to drop (paper: 0.1).
    pub skip_fraction: f64,
    /// Moving-average window applied after skipping (paper: 5).
    pub moving_avg: usize,
    /// Keep only the last n smoothed points of each run (`None` = all).
    pub last_n: Option<usize>,
}

impl CheckpointPolicy {
    /// The paper's step-2 policy: skip 10 %, window 5, keep all.
    pub fn paper() -> Self {
        CheckpointPolicy { skip_fraction: PAPER_SKIP, moving_avg: PAPER_WINDOW, last_n: None }
    }

    /// Applies the policy to one run's paired series.
    pub fn apply(&self, x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let skip = skipped_rows(x.len(), self.skip_fraction);
        let (mut xs, mut ys) = (moving_average(&x[skip..], self.moving_avg), moving_average(&y[skip..], self.moving_avg));
        if let Some(n) = self.last_n {
            let from = xs.len().saturating_sub(n);
            xs.drain(..from);
            ys.drain(..from);
        }
        (xs, ys)
    }
}

/// The final point of one run: scale at the last checkpoint and the mean of the last k values.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalPoint {
    /// Run name.
    pub run: String,
    /// Parameters N of its entry.
    pub n: f64,
    /// Tokens D at the last checkpoint.
    pub d: f64,
    /// Compute C = D × FLOPs per token.
    pub c: f64,
    /// Mean of the feature over the last k checkpoints.
    pub y: f64,
}

/// Final points of every run of an entry: D at its last checkpoint that has the feature.
pub fn final_points(entry: &Entry, task: &Task, feature: Feature, k: usize) -> Result<Vec<FinalPoint>> {
    entry
        .runs
        .iter()
        .map(|run| {
            // Checkpoints without the feature (not evaluated there) are skipped.
            let (tokens, values) = run.finite_task_values(task, feature)?;
            let d = *tokens.last().expect("finite_task_values is never empty");
            Ok(FinalPoint { run: run.name.clone(), n: entry.n, d, c: d * entry.flops_per_token, y: mean_of_last(&values, k) })
        })
        .collect()
}

/// Final points of every run of every train entry (the step-1 training set).
pub fn ladder_final_points(ladder: &Ladder, task: &Task, feature: Feature, k: usize) -> Result<Vec<FinalPoint>> {
    let mut points = Vec::new();
    for entry in ladder.train_entries() {
        points.extend(final_points(entry, task, feature, k)?);
    }
    Ok(points)
}

/// Paired (x, y) step-2 points of every train run, smoothed by `policy`, in ladder order.
pub fn ladder_step2_points(
    ladder: &Ladder,
    task: &Task,
    x_feature: Feature,
    y_feature: Feature,
    policy: &CheckpointPolicy,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for entry in ladder.entries.iter().filter(|e| e.mode == Mode::Train) {
        for run in &entry.runs {
            // Only checkpoints where both features were evaluated pair up.
            let (x, y): (Vec<f64>, Vec<f64>) = run
                .task_values(task, x_feature)?
                .into_iter()
                .zip(run.task_values(task, y_feature)?)
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .unzip();
            let (x, y) = policy.apply(&x, &y);
            xs.extend(x);
            ys.extend(y);
        }
    }
    Ok((xs, ys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_average_starts_with_expanding_means() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(moving_average(&v, 3), vec![1.0, 1.5, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(moving_average(&v[..2], 5), vec![1.0, 1.5]);
        assert_eq!(moving_average(&v, 1), v.to_vec());
    }

    #[test]
    fn skipping_uses_the_ceiling_and_one_keeps_the_last() {
        assert_eq!(skipped_rows(37, 0.1), 4);
        assert_eq!(skipped_rows(163, 0.1), 17);
        assert_eq!(skipped_rows(10, 1.0), 9);
        assert_eq!(skipped_rows(10, 0.0), 0);
    }

    #[test]
    fn policy_skips_then_smooths_then_truncates() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let policy = CheckpointPolicy { skip_fraction: 0.2, moving_avg: 2, last_n: Some(3) };
        let (xs, ys) = policy.apply(&x, &x);
        assert_eq!(xs, vec![6.5, 7.5, 8.5]);
        assert_eq!(xs, ys);
        assert_eq!(mean_of_last(&x, 3), 8.0);
        assert_eq!(mean_of_last(&x[..2], 5), 0.5);
    }
}
