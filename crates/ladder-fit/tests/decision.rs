//! Recipe decisions on synthetic ladders with known laws: recipes that differ in their task-loss
//! law are ranked at the target by fitting each recipe's ladder, and the ranking recovers their
//! true order; the effective-compute multiplier between two recipes recovers the factor built
//! into their laws.

mod common;

use ladder_core::{Feature, Task};
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

fn column_f64(df: &polars::prelude::DataFrame, name: &str) -> Vec<f64> {
    let c = df.column(name).unwrap().cast(&polars::prelude::DataType::Float64).unwrap();
    let c = c.f64().unwrap();
    (0..c.len()).map(|i| c.get(i).unwrap_or(f64::NAN)).collect()
}

fn column_str(df: &polars::prelude::DataFrame, name: &str) -> Vec<String> {
    let c = df.column(name).unwrap().str().unwrap().clone();
    (0..c.len()).map(|i| c.get(i).unwrap_or_default().to_string()).collect()
}

/// `decide` over four synthetic recipes (the base law and three that need 1.5–4× its compute):
/// the whole ladder's ranking recovers the true order, every single-scale ranking is a row of its
/// own at its run's compute, the counts of each row are those of [`decision_accuracy`] on the
/// scores read off the ladders by hand, and the multipliers of the best recipe over the others
/// are found within 20 % of 1.5, 2.5 and 4, each inside its bootstrap interval.
#[test]
fn decide_ranks_synthetic_recipes_against_single_scale_rankings() {
    use ladder_fit::decision::{decide, DecideSettings, RecipeLadder, SCORE_WINDOW};
    let task = Task::get(common::TASK).unwrap();
    let laws = [("base", BASE), ("1.5x", slower(1.5)), ("2.5x", slower(2.5)), ("4x", slower(4.0))];
    let recipes: Vec<RecipeLadder> = laws
        .iter()
        .enumerate()
        .map(|(i, (name, law))| RecipeLadder {
            recipe: name.to_string(),
            ladder: common::noisy_ladder_with_target(law, 60 + i as u64, 0.3),
        })
        .collect();
    let settings =
        DecideSettings { target: "target".into(), draws: 40, metrics: vec![Feature::RcAcc, Feature::RcBpb], ..DecideSettings::default() };
    let both = decide(&recipes, &[paper_design()], std::slice::from_ref(&task), &settings, &|| {}).unwrap();
    let on = |df: &polars::prelude::DataFrame, metric: &str| {
        let mask: polars::prelude::BooleanChunked = column_str(df, "metric").iter().map(|m| m == metric).collect();
        df.filter(&mask).unwrap()
    };
    let d = &on(&both.decisions, "rc_acc");
    let (method, level, picked, winner) =
        (column_str(d, "method"), column_str(d, "level"), column_str(d, "picked"), column_str(d, "winner"));
    let (share, compute, right, wrong, ties, noise) = (
        column_f64(d, "compute_share"),
        column_f64(d, "compute"),
        column_f64(d, "right"),
        column_f64(d, "wrong"),
        column_f64(d, "ties"),
        column_f64(d, "noise"),
    );
    // 24 ladder subsets (runs added one by one) and 24 single runs.
    assert_eq!(method.iter().filter(|m| *m == "ladder").count(), 24);
    assert_eq!(method.iter().filter(|m| *m == "single_scale").count(), 24);
    let full = (0..method.len()).filter(|&i| method[i] == "ladder").max_by(|&a, &b| share[a].total_cmp(&share[b])).unwrap();
    assert_eq!(winner[full], "base");
    assert_eq!(picked[full], "base");
    assert_eq!(right[full] + wrong[full] + ties[full], 6.0);
    assert_eq!(wrong[full], 0.0, "the whole ladder orders every pair that is not a tie");
    // The target's compute: 6e9 FLOPs per token × its final tokens.
    let target_c = 6e9 * 4e10;
    let total: f64 = recipes[0].ladder.train_entries().flat_map(|e| e.runs.iter().map(move |r| 6.0 * e.n * r.final_tokens())).sum();
    assert!((compute[full] - total).abs() < 1e-9 * total && (share[full] - total / target_c).abs() < 1e-12);
    // Every single-scale row equals decision_accuracy on the scores read off the runs.
    let acc = ladder_core::Feature::RcAcc;
    let score = |l: &ladder_core::Ladder, entry: &str, run: &str| {
        let values = l.entry(entry).unwrap().runs.iter().find(|r| r.name == run).unwrap().finite_task_values(&task, acc).unwrap().1;
        values[values.len() - SCORE_WINDOW..].iter().sum::<f64>() / SCORE_WINDOW as f64
    };
    let actual: Vec<f64> = recipes.iter().map(|r| score(&r.ladder, "target", "target")).collect();
    let mut checked = 0;
    for i in (0..method.len()).filter(|&i| method[i] == "single_scale") {
        let entry = recipes[0].ladder.train_entries().find(|e| e.runs.iter().any(|r| r.name == level[i])).unwrap();
        let scores: Vec<RecipeScore> = recipes
            .iter()
            .zip(&actual)
            .map(|(r, &a)| RecipeScore { recipe: r.recipe.clone(), ranked: score(&r.ladder, &entry.name, &level[i]), actual: a })
            .collect();
        let expected = decision_accuracy(&scores, noise[i]);
        assert_eq!((right[i], wrong[i], ties[i]), (expected.right as f64, expected.wrong as f64, expected.ties as f64), "{}", level[i]);
        let run = entry.runs.iter().find(|r| r.name == level[i]).unwrap();
        assert!((compute[i] - 6.0 * entry.n * run.final_tokens()).abs() < 1e-6 * compute[i]);
        checked += 1;
    }
    assert_eq!(checked, 24);
    // The multipliers: base over each other recipe; the 4× one found near 4, inside its interval.
    let m = &on(&both.multipliers, "rc_acc");
    let (recipe, versus, k, lo, hi) =
        (column_str(m, "recipe"), column_str(m, "versus"), column_f64(m, "multiplier"), column_f64(m, "boot_lo"), column_f64(m, "boot_hi"));
    eprintln!("{m}\nwhole ladder: right {} wrong {} ties {}", right[full], wrong[full], ties[full]);
    assert_eq!(versus, vec!["1.5x", "2.5x", "4x"]);
    assert!(recipe.iter().all(|r| r == "base"));
    for (i, truth) in [1.5, 2.5, 4.0].iter().enumerate() {
        assert!((k[i] / truth - 1.0).abs() < 0.2, "{}: k = {} for {truth}", versus[i], k[i]);
        assert!(lo[i] <= k[i] && k[i] <= hi[i], "{}: k = {} outside [{}, {}]", versus[i], k[i], lo[i], hi[i]);
        assert!(lo[i] <= *truth && *truth <= hi[i], "{}: the interval [{}, {}] misses {truth}", versus[i], lo[i], hi[i]);
    }
    // The predictions table: a recipe column, one row per recipe.
    assert_eq!(column_str(&on(&both.predictions, "rc_acc"), "recipe"), vec!["base", "1.5x", "2.5x", "4x"]);
    // Ranked by task bpb (lower is better): the same winner, and step 1 alone gives the same
    // multipliers (the slower laws equal the base law at compute / k).
    let bpb = on(&both.decisions, "rc_bpb");
    let full = (0..bpb.height())
        .filter(|&i| column_str(&bpb, "method")[i] == "ladder")
        .max_by(|&a, &b| column_f64(&bpb, "compute_share")[a].total_cmp(&column_f64(&bpb, "compute_share")[b]))
        .unwrap();
    assert_eq!((column_str(&bpb, "picked")[full].as_str(), column_str(&bpb, "winner")[full].as_str()), ("base", "base"));
    assert_eq!(column_f64(&bpb, "wrong")[full], 0.0);
    let m = on(&both.multipliers, "rc_bpb");
    for (i, truth) in [1.5, 2.5, 4.0].iter().enumerate() {
        let k = column_f64(&m, "multiplier")[i];
        assert!((k / truth - 1.0).abs() < 0.2, "task bpb: k = {k} for {truth}");
        assert!(column_f64(&m, "actual_gap")[i] > 0.0, "the base recipe has the lower bpb");
    }
}

#[test]
fn recipes_that_train_different_ladders_or_too_few_are_refused() {
    use ladder_fit::decision::{decide, DecideSettings, RecipeLadder};
    let task = Task::get(common::TASK).unwrap();
    let settings = DecideSettings { target: "target".into(), ..DecideSettings::default() };
    let a = RecipeLadder { recipe: "a".into(), ladder: common::noisy_ladder_with_target(&BASE, 1, 1.0) };
    let mut b = RecipeLadder { recipe: "b".into(), ladder: common::noisy_ladder_with_target(&BASE, 2, 1.0) };
    let err =
        decide(std::slice::from_ref(&a), &[paper_design()], std::slice::from_ref(&task), &settings, &|| {}).err().unwrap().to_string();
    assert!(err.contains("at least two recipes"), "{err}");
    b.ladder.entries[0].runs.pop();
    let err = decide(&[a.clone(), b], &[paper_design()], std::slice::from_ref(&task), &settings, &|| {}).err().unwrap().to_string();
    assert!(err.contains("recipes a and b hold different train runs") && err.contains("s1-10xC"), "{err}");
    let wrong_target = DecideSettings { target: "s1".into(), ..settings };
    let c = RecipeLadder { recipe: "c".into(), ladder: common::noisy_ladder_with_target(&BASE, 3, 1.0) };
    assert!(decide(&[a, c], &[paper_design()], std::slice::from_ref(&task), &wrong_target, &|| {}).is_err());
}
