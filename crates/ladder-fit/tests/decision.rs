//! Recipe decisions on synthetic ladders with known laws: recipes that differ in their task-loss
//! law are ranked at the target by fitting each recipe's ladder, and the ranking recovers their
//! true order; the effective-compute multiplier between two recipes recovers the factor built
//! into their laws.

mod common;

use ladder_core::Task;
use ladder_fit::decision::{compute_multiplier, decision_accuracy, RecipeScore};
use ladder_fit::design::{self, Design};
use ladder_fit::law::{Law, NdPowerLaw, Sigmoid};
use ladder_fit::predict::Target;

/// The base recipe's task-loss law (a, b, α, β, E: a and b are logs of the coefficients).
const BASE: [f64; 5] = [3.6, 4.6, 0.23, 0.24, 0.45];

/// A recipe whose law at compute C equals the base law at compute C / k (it needs k times the
/// compute for the same loss): the coefficients grow by k^(α/2) and k^(β/2).
fn slower(k: f64) -> [f64; 5] {
    let mut p = BASE;
    p[0] += BASE[2] / 2.0 * k.ln();
    p[1] += BASE[3] / 2.0 * k.ln();
    p
}

fn paper_design() -> Box<dyn Design> {
    design::build(&"name = \"two_step_bpb\"\nkind = \"two_step\"".parse::<toml::Table>().unwrap()).unwrap()
}

fn target() -> Target {
    Target { name: "target".into(), n: 1e9, d: 4e10, c: 4e10 * 6e9 }
}

fn truth(law: &[f64; 5]) -> f64 {
    Sigmoid.value(&common::ACC, &[NdPowerLaw::default().value(law, &[1e9, 4e10])])
}

#[test]
fn ladder_predictions_recover_the_true_order_of_recipes() {
    let task = Task::get(common::TASK).unwrap();
    let design = paper_design();
    // Four recipes, each worth 1.5–4× less compute than the one before, and one with a lower
    // irreducible loss (better at scale, not at the small rungs).
    let mut laws = vec![("base", BASE), ("1.5x", slower(1.5)), ("2.5x", slower(2.5)), ("4x", slower(4.0))];
    let mut low_floor = slower(6.0);
    low_floor[4] -= 0.06;
    laws.push(("low-floor", low_floor));
    let scores: Vec<RecipeScore> = laws
        .iter()
        .enumerate()
        .map(|(i, (name, law))| {
            let (ladder, _) = common::noisy_ladder(law, 40 + i as u64, 1.0);
            let fitted = design.fit(&ladder, &task).unwrap();
            RecipeScore { recipe: name.to_string(), ranked: fitted.predict(&target()), actual: truth(law) }
        })
        .collect();
    let d = decision_accuracy(&scores, common::ACC_NOISE / 2.0);
    // The single-scale baseline: rank by the smallest rung's 1xC run (mean of its last 5
    // checkpoints), where the low-floor recipe does not yet show its advantage.
    let acc = ladder_core::Feature::RcAcc;
    let baseline: Vec<RecipeScore> = laws
        .iter()
        .zip(&scores)
        .enumerate()
        .map(|(i, ((_, law), s))| {
            let (ladder, _) = common::noisy_ladder(law, 40 + i as u64, 1.0);
            let values = ladder.entries[0].runs[0].finite_task_values(&task, acc).unwrap().1;
            RecipeScore { ranked: values[values.len() - 5..].iter().sum::<f64>() / 5.0, ..s.clone() }
        })
        .collect();
    let small = decision_accuracy(&baseline, common::ACC_NOISE / 2.0);
    eprintln!("ladder: {d:?} {:.2}; single scale: {small:?} {:.2}", d.accuracy(), small.accuracy());
    assert!(small.accuracy() < 1.0, "the baseline should miss the low-floor recipe: {baseline:?}");
    assert_eq!(d.pairs, 10);
    assert_eq!(d.right + d.wrong + d.ties, 10);
    assert_eq!(d.accuracy(), 1.0, "{d:?}: {scores:?}");
}

#[test]
fn the_compute_multiplier_recovers_the_factor_in_the_laws() {
    let task = Task::get(common::TASK).unwrap();
    let design = paper_design();
    for k in [2.0, 4.0] {
        let (a, _) = common::noisy_ladder(&BASE, 7, 0.1);
        let (b, _) = common::noisy_ladder(&slower(k), 8, 0.1);
        let (fa, fb) = (design.fit(&a, &task).unwrap(), design.fit(&b, &task).unwrap());
        let found = compute_multiplier(&fa, &fb, &target(), 100.0).unwrap();
        assert!((found / k - 1.0).abs() < 0.15, "k = {k}: found {found}");
        // The other way round: the inverse.
        let back = compute_multiplier(&fb, &fa, &target(), 100.0).unwrap();
        assert!((back * k - 1.0).abs() < 0.15, "k = {k}: found {back} for the inverse");
    }
    // Identical recipes: 1.
    let (a, _) = common::noisy_ladder(&BASE, 7, 0.1);
    let fa = design.fit(&a, &task).unwrap();
    assert!((compute_multiplier(&fa, &fa, &target(), 100.0).unwrap() - 1.0).abs() < 1e-9);
}
