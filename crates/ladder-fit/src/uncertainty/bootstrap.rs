//! Bootstrap of a design's prediction. Each draw builds a resampled ladder, refits every stage
//! of the design, and predicts the targets. Two resampling schemes:
//!
//! * [`Resampling::Runs`] (default): a cluster bootstrap — the train runs are drawn with
//!   replacement, a run's checkpoints staying together.
//! * [`Resampling::CheckpointResiduals`]: every run is kept; within each run, the residuals of
//!   its checkpoints around a centred moving average (window 5) are resampled by checkpoint
//!   (all metrics of a checkpoint together, keeping their correlation) and added back.
//!
//! Draws are independent and seeded by (seed, task, draw), so results do not depend on the
//! thread schedule.

use crate::points::PAPER_WINDOW;
use ladder_core::{Checkpoints, Entry, Ladder, Mode, Run, Task};
use rayon::prelude::*;

use super::{quantile, Interval};
use crate::design::Design;
use crate::predict::Target;
use ladder_core::rng::SplitMix64;

/// What a bootstrap draw resamples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resampling {
    /// Train runs, with replacement (cluster bootstrap).
    #[default]
    Runs,
    /// Checkpoint residuals within each run, around its smoothed curve.
    CheckpointResiduals,
}

/// Bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapSettings {
    /// Number of draws.
    pub draws: usize,
    /// Interval level (0.9 = 5th to 95th percentile).
    pub level: f64,
    /// Seed of the resampling.
    pub seed: u64,
    /// What is resampled.
    pub resampling: Resampling,
}

impl Default for BootstrapSettings {
    fn default() -> Self {
        BootstrapSettings { draws: 1000, level: super::DEFAULT_LEVEL, seed: 0, resampling: Resampling::Runs }
    }
}

/// The bootstrap distribution of one target's prediction, summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapSummary {
    /// Percentile interval of the predicted accuracy.
    pub interval: Interval,
    /// Standard deviation of the predicted accuracy over the draws.
    pub sd: f64,
    /// Standard deviation of step 1's predicted feature (two-step designs).
    pub feature_sd: Option<f64>,
    /// Draws whose fit failed (excluded).
    pub failed: usize,
}

/// Resampled copy of the ladder: train runs drawn with replacement, eval entries unchanged.
pub(crate) fn resample(ladder: &Ladder, rng: &mut SplitMix64) -> Ladder {
    let runs: Vec<(usize, usize)> = ladder
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.mode == Mode::Train)
        .flat_map(|(i, e)| (0..e.runs.len()).map(move |r| (i, r)))
        .collect();
    let mut drawn: Vec<Vec<usize>> = vec![Vec::new(); ladder.entries.len()];
    for _ in 0..runs.len() {
        let (e, r) = runs[rng.below(runs.len())];
        drawn[e].push(r);
    }
    drawn.iter_mut().for_each(|d| d.sort_unstable());
    let entries = ladder
        .entries
        .iter()
        .zip(drawn)
        .filter_map(|(e, d)| match e.mode {
            Mode::Eval => Some(e.clone()),
            Mode::Train if d.is_empty() => None,
            Mode::Train => Some(Entry { runs: d.iter().map(|&r| e.runs[r].clone()).collect(), ..e.clone() }),
        })
        .collect();
    Ladder { entries }
}

/// Centred moving average (window `w`, shrinking at the ends).
fn centred_average(v: &[f64], w: usize) -> Vec<f64> {
    let h = w / 2;
    (0..v.len())
        .map(|i| {
            let (a, b) = (i.saturating_sub(h), (i + h + 1).min(v.len()));
            v[a..b].iter().sum::<f64>() / (b - a) as f64
        })
        .collect()
}

/// Copy of the ladder in which every train run's checkpoint residuals (around a centred moving
/// average of window 5) are resampled by checkpoint and added back.
fn resample_residuals(ladder: &Ladder, rng: &mut SplitMix64) -> Ladder {
    let perturb = |run: &Run, rng: &mut SplitMix64| -> Run {
        let n = run.len();
        let picks: Vec<usize> = (0..n).map(|_| rng.below(n)).collect();
        let metrics = run
            .checkpoints
            .metrics
            .iter()
            .map(|(name, values)| {
                let smooth = centred_average(values, PAPER_WINDOW);
                let residual: Vec<f64> = values.iter().zip(&smooth).map(|(v, s)| v - s).collect();
                (name.clone(), smooth.iter().zip(&picks).map(|(s, &j)| s + residual[j]).collect())
            })
            .collect();
        Run::new(run.name.clone(), run.source.clone(), Checkpoints { metrics, ..run.checkpoints.clone() }).with_multiplier(run.multiplier)
    };
    let entries = ladder
        .entries
        .iter()
        .map(|e| match e.mode {
            Mode::Eval => e.clone(),
            Mode::Train => Entry { runs: e.runs.iter().map(|r| perturb(r, rng)).collect(), ..e.clone() },
        })
        .collect();
    Ladder { entries }
}

/// Stable per-task stream id for the seeds.
pub(crate) fn task_stream(task: &Task) -> u64 {
    task.key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

/// Bootstraps `design` for `task`; one summary per target. `progress` is called once per draw.
pub fn bootstrap(
    ladder: &Ladder,
    design: &dyn Design,
    task: &Task,
    targets: &[Target],
    settings: &BootstrapSettings,
    progress: &(dyn Fn() + Sync),
) -> Vec<BootstrapSummary> {
    let stream = task_stream(task);
    let draws: Vec<Option<Vec<(f64, Option<f64>)>>> = (0..settings.draws)
        .into_par_iter()
        .map(|d| {
            let mut rng = SplitMix64::new(settings.seed ^ stream, d as u64);
            let sample = match settings.resampling {
                Resampling::Runs => resample(ladder, &mut rng),
                Resampling::CheckpointResiduals => resample_residuals(ladder, &mut rng),
            };
            let result = design.fit(&sample, task).ok().map(|fitted| {
                targets
                    .iter()
                    .map(|t| {
                        let p = fitted.prediction(t);
                        (p.accuracy, p.feature)
                    })
                    .collect::<Vec<_>>()
            });
            progress();
            result.filter(|preds| preds.iter().all(|(a, _)| a.is_finite()))
        })
        .collect();
    let ok: Vec<&Vec<(f64, Option<f64>)>> = draws.iter().flatten().collect();
    let failed = draws.len() - ok.len();
    let sd = |v: &[f64]| {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    (0..targets.len())
        .map(|t| {
            let mut acc: Vec<f64> = ok.iter().map(|d| d[t].0).collect();
            acc.sort_by(f64::total_cmp);
            let features: Vec<f64> = ok.iter().filter_map(|d| d[t].1).collect();
            let tail = (1.0 - settings.level) / 2.0;
            BootstrapSummary {
                interval: if acc.len() >= 2 {
                    Interval { lo: quantile(&acc, tail), hi: quantile(&acc, 1.0 - tail) }
                } else {
                    Interval::NONE
                },
                sd: if acc.len() >= 2 { sd(&acc) } else { f64::NAN },
                feature_sd: (features.len() >= 2).then(|| sd(&features)),
                failed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ladder_core::{Checkpoints, Run};

    #[test]
    fn residual_resampling_keeps_the_smooth_curve_and_the_residual_pool() {
        let values: Vec<f64> = (0..12).map(|i| 1.0 / (1.0 + i as f64) + if i % 2 == 0 { 0.01 } else { -0.01 }).collect();
        let run = Run::new(
            "r",
            "mem",
            Checkpoints { steps: None, tokens: (1..=12).map(f64::from).collect(), metrics: vec![("m".into(), values.clone())] },
        );
        let ladder = Ladder { entries: vec![Entry { name: "a".into(), mode: Mode::Train, n: 1.0, flops_per_token: 1.0, runs: vec![run] }] };
        let smooth = centred_average(&values, PAPER_WINDOW);
        let pool: Vec<f64> = values.iter().zip(&smooth).map(|(v, s)| v - s).collect();
        let mut rng = SplitMix64::new(3, 4);
        let drawn = resample_residuals(&ladder, &mut rng);
        let new = drawn.entries[0].runs[0].metric("m").unwrap();
        for (i, v) in new.iter().enumerate() {
            let r = v - smooth[i];
            assert!(pool.iter().any(|p| (p - r).abs() < 1e-15), "residual {r} not from the pool");
        }
        assert_ne!(new, values.as_slice());
        assert_eq!(drawn.entries[0].runs[0].checkpoints.tokens, ladder.entries[0].runs[0].checkpoints.tokens);
    }

    #[test]
    fn resampling_keeps_targets_and_draws_as_many_runs() {
        let run = |n: &str| Run::new(n, "mem", Checkpoints { steps: None, tokens: vec![1.0], metrics: vec![] });
        let entry = |name: &str, mode, runs: Vec<Run>| Entry { name: name.into(), mode, n: 1.0, flops_per_token: 1.0, runs };
        let ladder = Ladder {
            entries: vec![
                entry("a", Mode::Train, vec![run("a1"), run("a2")]),
                entry("b", Mode::Train, vec![run("b1"), run("b2"), run("b3")]),
                entry("t", Mode::Eval, vec![run("t")]),
            ],
        };
        let mut rng = SplitMix64::new(1, 2);
        for _ in 0..20 {
            let s = resample(&ladder, &mut rng);
            assert_eq!(s.train_entries().map(|e| e.runs.len()).sum::<usize>(), 5);
            assert!(s.entry("t").is_ok());
        }
    }
}
