//! Projections of untrained targets: from N and D alone they equal the chained predictions of the
//! paper's reproduced tables; on synthetic ladders with known laws and checkpoint noise they
//! converge to the truth, and the prediction interval reaches nominal coverage of a single run's
//! final checkpoint while the confidence interval alone does not.

mod common;

use std::path::{Path, PathBuf};

use common::{ACC, ACC_NOISE, TASK};
use ladder_core::{Ladder, Task, TaskSet};
use ladder_fit::design::{self, Design};
use ladder_fit::law::{Law, NdPowerLaw, Sigmoid};
use ladder_fit::paper::{reproduce, PaperData};
use ladder_fit::predict::Target;
use ladder_fit::project::{project, Projection};
use ladder_io::olmo;
use polars::prelude::*;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn paper_design() -> Box<dyn Design> {
    design::build(&"name = \"two_step_bpb\"\nkind = \"two_step\"".parse::<toml::Table>().unwrap()).unwrap()
}

fn floats(df: &DataFrame, name: &str) -> Vec<f64> {
    let c = df.column(name).unwrap().f64().unwrap().clone();
    (0..c.len()).map(|i| c.get(i).unwrap_or(f64::NAN)).collect()
}

#[test]
fn projecting_the_paper_targets_from_n_and_d_equals_the_chained_tables() {
    let data = PaperData::load(&olmo::default_data_dir(&workspace())).unwrap();
    let set = TaskSet::get("v2_main").unwrap();
    for name in ["13B-5T", "7B-4T"] {
        let tables = reproduce(&data, name, &set).unwrap();
        let chained = &tables.iter().find(|t| t.name == "chained_main").unwrap().frame;
        let entry = data.ladder.entry(name).unwrap();
        let t = Target::of(entry);
        // Only the scale goes in: no run of the target is read.
        let p = Projection::new(t.n, t.d, Some(entry.flops_per_token)).unwrap();
        let out = project(&data.ladder, paper_design().as_ref(), &set.tasks, &[p], 0.9).unwrap();
        let tasks = chained.column("Task").unwrap().str().unwrap().clone();
        let published = floats(chained, "Pred");
        let ours = floats(&out, "predicted");
        let our_tasks = out.column("task").unwrap().str().unwrap().clone();
        for i in 0..chained.height() {
            let task = tasks.get(i).unwrap();
            let j = (0..out.height()).find(|&j| our_tasks.get(j) == Some(task)).unwrap();
            assert!((ours[j] - published[i]).abs() <= 1e-12, "{name} {task}: projected {} vs chained {}", ours[j], published[i]);
        }
        // The target lies ~100× beyond the ladder's compute (the paper's 1 %): x_c is its C over
        // the largest final C of the 16 ladder runs, computed here from the runs themselves.
        let c_max =
            data.ladder.train_entries().flat_map(|e| e.runs.iter().map(move |r| r.final_tokens() * e.flops_per_token)).fold(0.0, f64::max);
        let x_c = floats(&out, "x_c");
        assert!(x_c.iter().all(|x| (x - t.c / c_max).abs() <= 1e-9 * x) && x_c[0] > 30.0 && x_c[0] < 300.0, "{name}: x_c {}", x_c[0]);
        let verdicts = out.column("verdict").unwrap().str().unwrap().clone();
        assert!(verdicts.iter().all(|v| matches!(v, Some("good" | "caution"))), "{name}: {verdicts:?}");
        let (lo, hi, pi_lo, pi_hi) = (floats(&out, "ci_lo"), floats(&out, "ci_hi"), floats(&out, "pi_lo"), floats(&out, "pi_hi"));
        for j in 0..out.height() {
            if lo[j].is_finite() {
                assert!(
                    pi_lo[j] <= lo[j] && lo[j] <= ours[j] && ours[j] <= hi[j] && hi[j] <= pi_hi[j] && pi_lo[j] >= 0.0 && pi_hi[j] <= 1.0,
                    "{name} row {j}"
                );
            }
        }
    }
}

const LOSS: [f64; 5] = [3.6, 4.6, 0.23, 0.24, 0.45];

fn noisy_ladder(seed: u64, scale: f64) -> (Ladder, f64) {
    common::noisy_ladder(&LOSS, seed, scale)
}

#[test]
fn projections_converge_and_prediction_intervals_reach_nominal_coverage() {
    let task = Task::get(TASK).unwrap();
    let design = paper_design();
    let target = Projection::new(1e9, 4e10, None).unwrap();
    let truth = Sigmoid.value(&ACC, &[NdPowerLaw::default().value(&LOSS, &[1e9, 4e10])]);
    let (replications, mut in_ci, mut in_pi) = (80, 0, 0);
    let mut errors = Vec::new();
    for r in 0..replications {
        let (ladder, actual) = noisy_ladder(500 + r, 1.0);
        let out = project(&ladder, design.as_ref(), std::slice::from_ref(&task), std::slice::from_ref(&target), 0.9).unwrap();
        let get = |c: &str| floats(&out, c)[0];
        errors.push((get("predicted") - truth).abs());
        in_ci += usize::from(get("ci_lo") <= actual && actual <= get("ci_hi"));
        in_pi += usize::from(get("pi_lo") <= actual && actual <= get("pi_hi"));
        // The observation noise measured on the last checkpoints is about the one put in (a little
        // more: the learning curve still rises there, and loss noise passes through step 2).
        assert!(get("obs_sd") > 0.8 * ACC_NOISE && get("obs_sd") < 1.6 * ACC_NOISE, "obs_sd {}", get("obs_sd"));
    }
    let (ci, pi) = (in_ci as f64 / replications as f64, in_pi as f64 / replications as f64);
    // 80 replications: the binomial standard error at 90 % is 3.4 points.
    assert!((pi - 0.9).abs() <= 0.08, "prediction interval coverage {pi} at nominal 0.9 (confidence interval {ci})");
    assert!(ci < pi - 0.2, "confidence intervals alone should under-cover a single run: {ci} vs {pi}");
    let mean_error = errors.iter().sum::<f64>() / errors.len() as f64;
    assert!(mean_error < 0.01, "mean |projected − truth| {mean_error}");
    // Less noise, closer to the truth: with a tenth of the noise the error shrinks, to within
    // 0.1 point (what is left comes from smoothing rising curves over their last checkpoints).
    let quiet_error: f64 = (0..20)
        .map(|r| {
            let (ladder, _) = noisy_ladder(900 + r, 0.1);
            let out = project(&ladder, design.as_ref(), std::slice::from_ref(&task), std::slice::from_ref(&target), 0.9).unwrap();
            (floats(&out, "predicted")[0] - truth).abs()
        })
        .sum::<f64>()
        / 20.0;
    assert!(quiet_error < 0.6 * mean_error && quiet_error < 1e-3, "error {quiet_error} at a tenth of the noise vs {mean_error}");
}

/// A third real target (the paper's 1.3B-10xC run, held out of a 190M–760M ladder) given inline
/// with its run file predicts exactly as the same target given as an eval entry of a config; an
/// inline target without a run is projected.
#[test]
fn an_inline_target_with_its_run_file_equals_the_same_target_in_a_config() {
    use ladder_fit::experiment::Experiment;
    let shared = olmo::default_data_dir(&workspace());
    let dir = std::env::temp_dir().join(format!("ladder-fit-inline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::os::unix::fs::symlink(std::path::absolute(shared.join("ladder-runs")).unwrap(), dir.join("ladder-runs")).unwrap();
    let final_config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared.join("configs/final.json")).unwrap()).unwrap();
    let mut train = serde_json::Map::new();
    for size in ["190M", "370M", "760M"] {
        train.insert(size.into(), final_config[size].clone());
    }
    let big = &final_config["1.3B"];
    let (n, flops) = (big["n"].as_f64().unwrap(), big["flops"].as_f64().unwrap());
    std::fs::write(dir.join("configs/small.json"), serde_json::Value::Object(train.clone()).to_string()).unwrap();
    let mut with_target = train;
    with_target.insert(
        "1.3B-10xC".into(),
        serde_json::json!({ "paths": ["src/scripts/paper/data/ladder-runs/1B-10xC.csv"], "mode": "eval", "n": n, "flops": flops }),
    );
    std::fs::write(dir.join("configs/with_target.json"), serde_json::Value::Object(with_target).to_string()).unwrap();
    let designs = "[[design]]\nname = \"bpb\"\nkind = \"two_step\"\n[[design]]\nname = \"flops\"\nkind = \"flops_two_step\"\n";
    let run = |config: &str, extra: &str| {
        let file = dir.join(format!("{config}.toml"));
        std::fs::write(&file, format!("data = \".\"\nconfig = \"{config}\"\n{extra}\n{designs}")).unwrap();
        let e = Experiment::from_file(&file).unwrap();
        let ladder = olmo::load_ladder(&dir, config).unwrap();
        e.run(&ladder, None).unwrap()
    };
    let by_config = run("with_target", "targets = [\"1.3B-10xC\"]");
    let inline = run(
        "small",
        &format!("[[target]]\nname = \"1.3B-10xC\"\nn = {n}\nflops_per_token = {flops}\nrun = \"{}\"\n\n[[target]]\nname = \"7B-2T\"\nn = 7e9\nd = 2e12\n", shared.join("ladder-runs/1B-10xC.csv").display()),
    );
    assert_eq!(by_config.targets, inline.targets);
    assert_eq!(by_config.predictions.height(), 16);
    for column in ["predicted", "actual", "delta_lo", "delta_hi", "feature_predicted", "feature_actual"] {
        let (a, b) = (floats(&by_config.predictions, column), floats(&inline.predictions, column));
        for (x, y) in a.iter().zip(&b) {
            assert!((x.is_nan() && y.is_nan()) || x == y, "{column}: config {x} vs inline {y}");
        }
    }
    let projected = inline.projections.expect("the run-less target is projected");
    assert_eq!(projected.height(), 16, "2 designs × 8 tasks");
    assert!(by_config.projections.is_none());
    let _ = std::fs::remove_dir_all(&dir);
}
