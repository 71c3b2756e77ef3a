//! Helpers shared by the synthetic-ladder tests.

/// A seeded noise source (LCG).
pub struct Noise(pub u64);

impl Noise {
    /// Approximately standard normal (sum of 12 uniforms − 6).
    pub fn normal(&mut self) -> f64 {
        (0..12)
            .map(|_| {
                self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (self.0 >> 11) as f64 / (1u64 << 53) as f64
            })
            .sum::<f64>()
            - 6.0
    }
}

use ladder_core::{Checkpoints, Entry, Feature, Ladder, Mode, Run, Task};
use ladder_fit::law::{Law, NdPowerLaw, Sigmoid};

/// Step 2 of the synthetic ladders: accuracy = sigmoid of the task loss.
#[allow(dead_code)]
pub const ACC: [f64; 4] = [-0.74, 1.4, 5.0, 1.0];
/// The task whose columns the synthetic ladders fill.
#[allow(dead_code)]
pub const TASK: &str = "hellaswag_val_5shot";
/// Checkpoint noise (SD) on accuracy.
#[allow(dead_code)]
pub const ACC_NOISE: f64 = 0.01;

/// A ladder of 4 sizes × 6 multipliers whose task loss follows `loss` (the (N, D) power law's
/// a, b, α, β, E) and accuracy [`ACC`] of it, every checkpoint with noise; and one run of the
/// target (N = 1e9, D = 4e10) drawn the same way: returns the ladder and that run's final
/// accuracy. `scale` multiplies every noise.
#[allow(dead_code)]
pub fn noisy_ladder(loss: &[f64; 5], seed: u64, scale: f64) -> (Ladder, f64) {
    let (ladder, actual, _) = ladder_and_target(loss, seed, scale);
    (ladder, actual)
}

/// [`noisy_ladder`] with its target run as the eval entry `target` (N = 1e9, 6·N FLOPs per
/// token).
#[allow(dead_code)]
pub fn noisy_ladder_with_target(loss: &[f64; 5], seed: u64, scale: f64) -> Ladder {
    let (mut ladder, _, run) = ladder_and_target(loss, seed, scale);
    ladder.entries.push(Entry { name: "target".into(), mode: Mode::Eval, n: 1e9, flops_per_token: 6e9, runs: vec![run] });
    ladder
}

fn ladder_and_target(loss: &[f64; 5], seed: u64, scale: f64) -> (Ladder, f64, Run) {
    let sizes = [("s1", 2e7), ("s2", 5e7), ("s3", 1e8), ("s4", 2e8)];
    let task = Task::get(TASK).unwrap();
    let (bpb, acc) = (Feature::RcBpb.column(&task.instances[0].0, task.shots), Feature::RcAcc.column(&task.instances[0].0, task.shots));
    let mut noise = Noise(seed);
    let mut run = |name: String, n: f64, d_final: f64| {
        let tokens: Vec<f64> = (1..=100).map(|i| (d_final * i as f64 / 100.0).round()).collect();
        let loss: Vec<f64> =
            tokens.iter().map(|&d| NdPowerLaw::default().value(loss, &[n, d]) * (1.0 + scale * 0.002 * noise.normal())).collect();
        let accuracy: Vec<f64> = loss.iter().map(|&l| Sigmoid.value(&ACC, &[l]) + scale * ACC_NOISE * noise.normal()).collect();
        Run::new(name, "synthetic", Checkpoints { steps: None, tokens, metrics: vec![(bpb.clone(), loss), (acc.clone(), accuracy)] })
    };
    let entries: Vec<Entry> = sizes
        .iter()
        .map(|&(name, n)| Entry {
            name: name.into(),
            mode: Mode::Train,
            n,
            flops_per_token: 6.0 * n,
            runs: [1.0, 2.0, 3.0, 5.0, 7.0, 10.0]
                .iter()
                .map(|m| run(format!("{name}-{m}xC"), n, 20.0 * n * m).with_multiplier(Some(*m)))
                .collect(),
        })
        .collect();
    let target_run = run("target".into(), 1e9, 4e10);
    let actual = *target_run.metric(&acc).unwrap().last().unwrap();
    (Ladder { entries }, actual, target_run)
}
