//! Bootstrap intervals on synthetic ladders with known noise: their empirical coverage of the
//! true target accuracy is close to nominal.

mod common;

use std::path::Path;

use common::Noise;
use ladder_core::{Checkpoints, Entry, Feature, Ladder, Mode, Run, Task};
use ladder_fit::design::{self, Design};
use ladder_fit::law::{Law, NdPowerLaw, Sigmoid};
use ladder_fit::predict::Target;
use ladder_fit::uncertainty::{bootstrap, BootstrapSettings};
use ladder_io::table::{ladder_from_run_table, run_table};

const LOSS: [f64; 5] = [3.6, 4.6, 0.23, 0.24, 0.45];
const ACC: [f64; 4] = [-0.74, 1.4, 5.0, 1.0];
const TASK: &str = "hellaswag_val_5shot";

/// A ladder of 4 sizes × 6 multipliers; each run's loss carries its own relative offset
/// (run-to-run noise, sd `run_sd`) plus checkpoint noise; accuracy follows the sigmoid.
fn noisy_ladder(seed: u64, run_sd: f64) -> Ladder {
    let task = Task::get(TASK).unwrap();
    let (bpb, acc) = (Feature::RcBpb.column(&task.instances[0].0, task.shots), Feature::RcAcc.column(&task.instances[0].0, task.shots));
    let mut noise = Noise(seed);
    let mut run = |name: String, n: f64, d_final: f64, noisy: bool| {
        let offset = if noisy { run_sd * noise.normal() } else { 0.0 };
        let tokens: Vec<f64> = (1..=20).map(|i| (d_final * i as f64 / 20.0).round()).collect();
        let loss: Vec<f64> = tokens
            .iter()
            .map(|&d| NdPowerLaw::default().value(&LOSS, &[n, d]) * (1.0 + offset + if noisy { 0.002 * noise.normal() } else { 0.0 }))
            .collect();
        let accuracy: Vec<f64> =
            loss.iter().map(|&l| Sigmoid.value(&ACC, &[l]) + if noisy { 0.005 * noise.normal() } else { 0.0 }).collect();
        Run::new(name, "synthetic", Checkpoints { steps: None, tokens, metrics: vec![(bpb.clone(), loss), (acc.clone(), accuracy)] })
    };
    let mut entries: Vec<Entry> = [("s1", 2e7), ("s2", 5e7), ("s3", 1e8), ("s4", 2e8)]
        .into_iter()
        .map(|(name, n)| Entry {
            name: name.into(),
            mode: Mode::Train,
            n,
            flops_per_token: 6.0 * n,
            runs: [1.0, 2.0, 3.0, 5.0, 7.0, 10.0]
                .iter()
                .map(|m| run(format!("{name}-{m}xC"), n, 20.0 * n * m, true).with_multiplier(Some(*m)))
                .collect(),
        })
        .collect();
    entries.push(Entry {
        name: "target".into(),
        mode: Mode::Eval,
        n: 1e9,
        flops_per_token: 6e9,
        runs: vec![run("target".into(), 1e9, 4e10, false)],
    });
    ladder_from_run_table(&run_table(&Ladder { entries }).unwrap(), Path::new("synthetic")).unwrap()
}

#[test]
fn bootstrap_coverage_is_close_to_nominal_on_synthetic_ladders() {
    let design: Box<dyn Design> = design::build(&"name = \"bpb\"\nkind = \"two_step\"".parse::<toml::Table>().unwrap()).unwrap();
    let task = Task::get(TASK).unwrap();
    let replications = 60;
    let settings = BootstrapSettings { draws: 200, level: 0.9, seed: 11, ..BootstrapSettings::default() };
    let mut covered = 0;
    for r in 0..replications {
        let ladder = noisy_ladder(1000 + r, 0.01);
        let target = Target::of(ladder.entry("target").unwrap());
        let truth = Sigmoid.value(&ACC, &[NdPowerLaw::default().value(&LOSS, &[target.n, target.d])]);
        let summary = bootstrap(&ladder, design.as_ref(), &task, std::slice::from_ref(&target), &settings, &|| {});
        if summary[0].interval.contains(truth) {
            covered += 1;
        }
    }
    // 60 replications: the binomial standard error at 90 % is 3.9 points.
    let coverage = covered as f64 / replications as f64;
    assert!((coverage - 0.9).abs() <= 0.08, "bootstrap coverage {coverage} at nominal 0.9");
}
