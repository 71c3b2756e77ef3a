//! Parameter recovery on synthetic ladders generated from known laws, with and without noise,
//! through the same recipes (checkpoint policies, step 1, step 2, chain) the paper tables use;
//! the ladder goes through the long polars run table on the way, as our own runs will.

use std::path::Path;

use ladder_core::{Checkpoints, Entry, Feature, Ladder, Mode, Run, Task};
use ladder_fit::law::{FlopsPowerLaw, Law, NdPowerLaw, Sigmoid, SingleStepLaw};
use ladder_fit::predict::{FlopsStep1, Step1, Step2, Target};
use ladder_io::table::{ladder_from_run_table, run_table};

const LOSS: [f64; 5] = [3.6, 4.6, 0.23, 0.24, 0.45];
// The transition lies inside the ladder's loss range, and Acc(0) ≈ 0.9993 agrees with the ideal
// point (0, 1) that step 2 adds.
const ACC: [f64; 4] = [-0.74, 1.4, 5.0, 1.0];
const TASK: &str = "hellaswag_val_5shot";

/// Deterministic noise in [−1, 1).
struct Noise(u64);
impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        2.0 * ((self.0 >> 11) as f64 / (1u64 << 53) as f64) - 1.0
    }
}

/// 4 sizes × {1, 2, 5, 10}xC, 40 checkpoints each, plus a target 10× the largest size at 20xC.
/// bpb follows LOSS (relative noise `loss_noise`), accuracy follows ACC(bpb) (+ `acc_noise`).
fn synthetic_ladder(loss_noise: f64, acc_noise: f64) -> Ladder {
    ladder_from_laws(
        |n, d, _| NdPowerLaw::default().value(&LOSS, &[n, d]),
        |loss, _, _| Sigmoid.value(&ACC, &[loss]),
        loss_noise,
        acc_noise,
    )
}

/// The same ladder shape with any laws: `loss(N, D, C)` and `accuracy(loss, N, D)`.
fn ladder_from_laws(
    loss_of: impl Fn(f64, f64, f64) -> f64,
    acc_of: impl Fn(f64, f64, f64) -> f64,
    loss_noise: f64,
    acc_noise: f64,
) -> Ladder {
    let task = Task::get(TASK).unwrap();
    let (bpb, acc) = (Feature::RcBpb.column(&task.instances[0].0, task.shots), Feature::RcAcc.column(&task.instances[0].0, task.shots));
    let mut noise = Noise(7);
    let mut run = |name: String, n: f64, d_final: f64, checkpoints: usize| {
        let tokens: Vec<f64> = (1..=checkpoints).map(|i| (d_final * i as f64 / checkpoints as f64).round()).collect();
        let loss: Vec<f64> = tokens.iter().map(|&d| loss_of(n, d, 6.0 * n * d) * (1.0 + loss_noise * noise.next())).collect();
        let accuracy: Vec<f64> = loss.iter().zip(&tokens).map(|(&l, &d)| acc_of(l, n, d) + acc_noise * noise.next()).collect();
        Run::new(name, "synthetic", Checkpoints { steps: None, tokens, metrics: vec![(bpb.clone(), loss), (acc.clone(), accuracy)] })
    };
    let mut entries: Vec<Entry> = [("s1", 2e7), ("s2", 5e7), ("s3", 1e8), ("s4", 2e8)]
        .into_iter()
        .map(|(name, n)| Entry {
            name: name.into(),
            mode: Mode::Train,
            n,
            flops_per_token: 6.0 * n,
            runs: [1.0, 2.0, 5.0, 10.0]
                .iter()
                .map(|m| run(format!("{name}-{m}xC"), n, 20.0 * n * m, 40).with_multiplier(Some(*m)))
                .collect(),
        })
        .collect();
    let n_target = 2e9;
    entries.push(Entry {
        name: "target".into(),
        mode: Mode::Eval,
        n: n_target,
        flops_per_token: 6.0 * n_target,
        runs: vec![run("target-20xC".into(), n_target, 20.0 * n_target * 20.0, 10).with_multiplier(Some(20.0))],
    });
    let ladder = Ladder { entries };
    // Through the polars run table and back, as runs produced by our own training will come.
    ladder_from_run_table(&run_table(&ladder).unwrap(), Path::new("synthetic")).unwrap()
}

fn truth_at_target(ladder: &Ladder) -> (f64, f64) {
    let t = Target::of(ladder.entry("target").unwrap());
    let loss = NdPowerLaw::default().value(&LOSS, &[t.n, t.d]);
    (loss, Sigmoid.value(&ACC, &[loss]))
}

#[test]
fn noiseless_ladder_recovers_both_laws() {
    let ladder = synthetic_ladder(0.0, 0.0);
    let task = Task::get(TASK).unwrap();
    let t = Target::of(ladder.entry("target").unwrap());
    // moving_avg 1: the final checkpoint is exactly on the law.
    let s1 = Step1::new(Feature::RcBpb, 1).fit(&ladder, &task).unwrap();
    let (loss, acc) = truth_at_target(&ladder);
    assert!(s1.fit.fit_error < 1e-7, "{:?}", s1.fit);
    assert!((s1.predict(t.n, t.d) - loss).abs() < 1e-5, "{} vs {loss}", s1.predict(t.n, t.d));
    let mut s2 = Step2::paper(Feature::RcBpb);
    s2.policy.moving_avg = 1;
    let s2 = s2.fit(&ladder, &task).unwrap();
    // Only the ideal point's 7e-4 disagreement with the law keeps the fit off the truth.
    for (p, truth) in s2.fit.params.iter().zip(ACC) {
        assert!((p - truth).abs() < 2e-3 * truth.abs().max(1.0), "{:?}", s2.fit);
    }
    let chained = s2.predict(s1.predict(t.n, t.d));
    assert!((chained - acc).abs() < 1e-4, "{chained} vs {acc}");
}

#[test]
fn noisy_ladder_recovers_the_laws_within_the_noise() {
    let ladder = synthetic_ladder(0.005, 0.01);
    let task = Task::get(TASK).unwrap();
    let t = Target::of(ladder.entry("target").unwrap());
    let (loss, acc) = truth_at_target(&ladder);
    let s1 = Step1::new(Feature::RcBpb, 5).fit(&ladder, &task).unwrap();
    assert!(s1.fit.stop.converged(), "{:?}", s1.fit);
    assert!(((s1.predict(t.n, t.d) - loss) / loss).abs() < 0.02, "step 1: {} vs {loss}", s1.predict(t.n, t.d));
    let s2 = Step2::paper(Feature::RcBpb).fit(&ladder, &task).unwrap();
    assert!((s2.predict(loss) - acc).abs() < 0.01, "step 2: {} vs {acc}", s2.predict(loss));
    assert!((s2.fit.params[1] - ACC[1]).abs() < 0.05 && (s2.fit.params[2] - ACC[2]).abs() < 0.5, "{:?}", s2.fit);
    let chained = s2.predict(s1.predict(t.n, t.d));
    assert!((chained - acc).abs() < 0.02, "chained {chained} vs {acc}");
}

#[test]
fn flops_law_fits_a_ladder_whose_loss_is_a_power_of_compute() {
    // With D = 20·N·m and C = 6·N·D the (N, D) law is not a pure power of C; the FLOPs law still
    // has to fit the ladder points closely and extrapolate within a few percent.
    let ladder = synthetic_ladder(0.0, 0.0);
    let task = Task::get(TASK).unwrap();
    let t = Target::of(ladder.entry("target").unwrap());
    let (loss, _) = truth_at_target(&ladder);
    let fit = FlopsStep1::new(Feature::RcBpb, 1).fit(&ladder, &task).unwrap();
    assert!(fit.fit.fit_error < 0.01, "{:?}", fit.fit);
    assert!(((fit.predict(t.c) - loss) / loss).abs() < 0.05, "{} vs {loss}", fit.predict(t.c));
}

/// Builds a design from an experiment-file snippet.
fn design(toml_text: &str) -> Box<dyn ladder_fit::design::Design> {
    ladder_fit::design::build(&toml_text.parse::<toml::Table>().unwrap()).unwrap()
}

/// Relative error of a design's prediction at the synthetic target.
fn design_error(ladder: &Ladder, design: &dyn ladder_fit::design::Design, truth: f64) -> f64 {
    let t = Target::of(ladder.entry("target").unwrap());
    let fitted = design.fit(ladder, &Task::get(TASK).unwrap()).unwrap();
    ((fitted.predict(&t) - truth) / truth).abs()
}

#[test]
fn each_design_recovers_the_law_it_assumes() {
    let target = |ladder: &Ladder| Target::of(ladder.entry("target").unwrap());
    // Two steps through bpb: the paper's laws.
    let ladder = synthetic_ladder(0.0, 0.0);
    let (_, acc) = truth_at_target(&ladder);
    let two_step = design("name = \"d\"\nkind = \"two_step\"\nmoving_avg = 1\nstep2_moving_avg = 1");
    assert!(design_error(&ladder, two_step.as_ref(), acc) < 1e-4);

    // Two steps through compute: loss a power law of C.
    let flops = [30.0, 0.12, 0.5];
    let ladder = ladder_from_laws(|_, _, c| FlopsPowerLaw.value(&flops, &[c]), |l, _, _| Sigmoid.value(&ACC, &[l]), 0.0, 0.0);
    let t = target(&ladder);
    let truth = Sigmoid.value(&ACC, &[FlopsPowerLaw.value(&flops, &[t.c])]);
    let flops_design = design("name = \"d\"\nkind = \"flops_two_step\"\nmoving_avg = 1\nstep2_moving_avg = 1");
    assert!(design_error(&ladder, flops_design.as_ref(), truth) < 1e-4);

    // Single step: accuracy straight from (N, D).
    let single = [3.6, 4.6, 0.23, 0.24, 0.45, -0.75, 1.0];
    let ladder =
        ladder_from_laws(|n, d, _| NdPowerLaw::default().value(&LOSS, &[n, d]), |_, n, d| SingleStepLaw.value(&single, &[n, d]), 0.0, 0.0);
    let t = target(&ladder);
    let truth = SingleStepLaw.value(&single, &[t.n, t.d]);
    let single_design = design("name = \"d\"\nkind = \"single_step\"\nmoving_avg = 1\nfit = { starts = 8 }");
    assert!(design_error(&ladder, single_design.as_ref(), truth) < 1e-3);

    // Step 1 on accuracy: the negated power law.
    let direct = [0.5, 1.5, 0.2, 0.15, 0.95];
    let law = NdPowerLaw { negated: true };
    let ladder = ladder_from_laws(|n, d, _| NdPowerLaw::default().value(&LOSS, &[n, d]), |_, n, d| law.value(&direct, &[n, d]), 0.0, 0.0);
    let t = target(&ladder);
    let truth = law.value(&direct, &[t.n, t.d]);
    let direct_design = design("name = \"d\"\nkind = \"direct_accuracy\"\nmoving_avg = 1");
    assert!(design_error(&ladder, direct_design.as_ref(), truth) < 1e-3);
}
