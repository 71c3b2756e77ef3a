//! End-to-end tests of the `ladder` binary: the reproduction, and clear errors on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use polars::prelude::*;

fn data_dir() -> PathBuf {
    ladder_io::olmo::default_data_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn ladder(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ladder")).args(args).output().expect("run ladder")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ladder-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of the data folder (run CSVs linked, configs copied) in which `edit` changes files.
fn broken_data(name: &str, edit: impl FnOnce(&Path)) -> PathBuf {
    let dir = scratch(name);
    let src = data_dir();
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::fs::create_dir_all(dir.join("ladder-runs")).unwrap();
    for entry in std::fs::read_dir(src.join("configs")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("configs").join(path.file_name().unwrap())).unwrap();
    }
    for entry in std::fs::read_dir(src.join("ladder-runs")).unwrap() {
        let path = entry.unwrap().path();
        std::os::unix::fs::symlink(&path, dir.join("ladder-runs").join(path.file_name().unwrap())).unwrap();
    }
    edit(&dir);
    dir
}

/// Replaces a linked run CSV by an edited copy.
fn edit_run(dir: &Path, file: &str, edit: impl FnOnce(String) -> String) {
    let path = dir.join("ladder-runs").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
}

/// Runs a reproduction on `data` and returns stderr, asserting a clean failure.
fn fails(data: &Path) -> String {
    let out_dir = data.join("out");
    let out = ladder(&["reproduce", "-q", "--data", data.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "expected a failure");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn reproduce_writes_every_published_table_as_csv_and_parquet() {
    let out_dir = scratch("ok");
    let out = ladder(&["reproduce", "--parquet", "--compare", "--data", data_dir().to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for name in ladder_fit::paper::TABLE_NAMES.iter().chain(&["fit_diagnostics"]) {
        assert!(out_dir.join(format!("{name}.csv")).is_file(), "{name}.csv");
        assert!(out_dir.join(format!("{name}.parquet")).metadata().unwrap().len() > 0, "{name}.parquet");
        assert!(stdout.contains(name), "{name} not printed");
    }
    // Parquet reads back as the same table.
    let file = std::fs::File::open(out_dir.join("step1_main.parquet")).unwrap();
    let parquet = ParquetReader::new(file).finish().unwrap();
    let csv = CsvReadOptions::default().try_into_reader_with_file_path(Some(out_dir.join("step1_main.csv"))).unwrap().finish().unwrap();
    assert!(parquet.equals(&csv), "{parquet}\n{csv}");
    // --compare reports step 1 agreeing with the published table.
    let comparison =
        CsvReadOptions::default().try_into_reader_with_file_path(Some(out_dir.join("comparison.csv"))).unwrap().finish().unwrap();
    let (tables, columns, diffs) = (
        comparison.column("table").unwrap().str().unwrap(),
        comparison.column("column").unwrap().str().unwrap(),
        comparison.column("max_abs_diff").unwrap().f64().unwrap(),
    );
    let step1_pred = (0..comparison.height()).find(|&i| tables.get(i) == Some("step1_main") && columns.get(i) == Some("Pred")).unwrap();
    assert!(diffs.get(step1_pred).unwrap() < 1e-6, "{comparison}");
    let published = std::fs::read_to_string(data_dir().join("published/chained_main.csv")).unwrap();
    let ours = std::fs::read_to_string(out_dir.join("chained_main.csv")).unwrap();
    assert_eq!(published.lines().next(), ours.lines().next(), "same header");
    assert_eq!(published.lines().count(), ours.lines().count());
}

#[test]
fn a_missing_column_names_file_and_column() {
    let data = broken_data("missing-column", |d| {
        edit_run(d, "370M-2xC.csv", |t| t.replace("eval/downstream_bpb/piqa_val_rc_5shot_bpb", "renamed"))
    });
    let err = fails(&data);
    assert!(err.contains("370M-2xC.csv") && err.contains("missing column `eval/downstream_bpb/piqa_val_rc_5shot_bpb`"), "{err}");
}

#[test]
fn non_numeric_and_nan_cells_name_file_line_and_column() {
    for (name, value) in [("text", "abc"), ("nan", "NaN")] {
        let data = broken_data(name, |d| {
            edit_run(d, "760M-5xC.csv", |t| {
                let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
                let mut cells: Vec<&str> = lines[3].split(',').collect();
                cells[1] = value;
                lines[3] = cells.join(",");
                lines.join("\n")
            })
        });
        let err = fails(&data);
        assert!(
            err.contains("760M-5xC.csv")
                && err.contains("line 4")
                && err.contains("eval/c4_en-validation/CrossEntropyLoss")
                && err.contains(value),
            "{err}"
        );
    }
}

#[test]
fn an_empty_file_is_refused() {
    let data = broken_data("empty", |d| edit_run(d, "1B-1xC.csv", |_| String::new()));
    let err = fails(&data);
    assert!(err.contains("1B-1xC.csv") && err.contains("no data rows"), "{err}");
}

#[test]
fn a_config_path_that_does_not_exist_is_named() {
    let data = broken_data("config-path", |d| {
        let path = d.join("configs/final.json");
        let text = std::fs::read_to_string(&path).unwrap().replace("190M-5xC.csv", "190M-50xC.csv");
        std::fs::write(path, text).unwrap();
    });
    let err = fails(&data);
    assert!(
        err.contains("final.json") && err.contains("`190M`") && err.contains("190M-50xC.csv") && err.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_named_with_its_cause_said_once() {
    let dir = scratch("missing");
    let (tokenizer, run) = (dir.join("nope/tokenizer.json"), dir.join("run"));
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let out = ladder(&[
        "train",
        "--rung",
        "u5k",
        "--tokenizer",
        tokenizer.to_str().unwrap(),
        "--data",
        readme.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success() && err.contains("nope/tokenizer.json"), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn a_misspelt_config_key_is_refused() {
    let data = broken_data("config-key", |d| {
        let path = d.join("configs/final.json");
        let text = std::fs::read_to_string(&path).unwrap().replacen("\"flops\"", "\"flop\"", 1);
        std::fs::write(path, text).unwrap();
    });
    let err = fails(&data);
    assert!(err.contains("final.json") && err.contains("unknown field `flop`"), "{err}");
}

#[test]
fn too_few_ladder_runs_for_the_law_is_a_clear_error() {
    let data = broken_data("few-points", |d| {
        let path = d.join("configs/final.json");
        let mut config: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let entries = config.as_object_mut().unwrap();
        entries.retain(|name, _| !["370M", "760M", "1.3B"].contains(&name.as_str()));
        entries["190M"]["paths"].as_array_mut().unwrap().truncate(3);
        std::fs::write(path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    });
    let err = fails(&data);
    assert!(err.contains("step 1") && err.contains("3 points cannot determine 5 parameters"), "{err}");
}

#[test]
fn an_unknown_task_key_lists_the_known_ones() {
    let out = ladder(&["reproduce", "-q", "--tasks", "piqa_val_5shot,piqa_5shot", "--data", data_dir().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("unknown task `piqa_5shot`") && err.contains("piqa_val_5shot"), "{err}");
}

#[test]
fn import_writes_the_long_run_table_that_rebuilds_the_ladder() {
    let out_dir = scratch("import");
    let out = ladder(&["import", "--parquet", "--data", data_dir().to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = ParquetReader::new(std::fs::File::open(out_dir.join("runs.parquet")).unwrap()).finish().unwrap();
    let rebuilt = ladder_io::table::ladder_from_run_table(&table, &out_dir.join("runs.parquet")).unwrap();
    let original = ladder_io::olmo::load_ladder(&data_dir(), "final").unwrap();
    assert_eq!(rebuilt.entries.len(), original.entries.len());
    for (a, b) in rebuilt.entries.iter().zip(&original.entries) {
        assert_eq!((&a.name, a.mode, a.n, a.flops_per_token), (&b.name, b.mode, b.n, b.flops_per_token));
        for (ra, rb) in a.runs.iter().zip(&b.runs) {
            assert_eq!((&ra.name, &ra.checkpoints), (&rb.name, &rb.checkpoints));
        }
    }
}

#[test]
fn ablate_runs_an_experiment_file_end_to_end() {
    let dir = scratch("ablate");
    let file = dir.join("small.toml");
    std::fs::write(
        &file,
        r#"
targets = ["13B-5T", "7B-4T"]
tasks = "piqa_val_5shot,csqa_val_5shot"
[[design]]
name = "bpb"
kind = "two_step"
[[design]]
name = "flops"
kind = "flops_two_step"
[backtest]
target = "7B-4T"
vary = ["n"]
[variance]
features = ["c4"]
"#,
    )
    .unwrap();
    let out_dir = dir.join("out");
    let out = ladder(&["ablate", file.to_str().unwrap(), "--data", data_dir().to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("| task | bpb | flops |") && stdout.contains("| piqa_val_5shot |"), "{stdout}");
    for file in [
        "predictions.csv",
        "predictions.parquet",
        "backtest.csv",
        "variance_c4.csv",
        "summary.md",
        "figures/predicted_vs_actual.png",
        "figures/predicted_vs_actual.svg",
        "figures/error_vs_compute.png",
        "figures/13B-5T/step1.png",
        "figures/7B-4T/step2.svg",
    ] {
        assert!(out_dir.join(file).metadata().is_ok_and(|m| m.len() > 0), "{file}");
    }
    assert!(stdout.contains("| task | actual | bpb | flops |") && stdout.contains("| 7B-4T | "), "{stdout}");
    let predictions = read_csv(&out_dir.join("predictions.csv"));
    assert_eq!(predictions.height(), 2 * 2 * 2, "designs × tasks × targets");

    let listed = ladder(&["ablate", "--list-designs"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    for kind in ["two_step", "flops_two_step", "single_step", "direct_accuracy"] {
        assert!(listed.contains(kind), "{listed}");
    }
}

fn read_csv(path: &Path) -> DataFrame {
    CsvReadOptions::default().try_into_reader_with_file_path(Some(path.to_path_buf())).unwrap().finish().unwrap()
}

/// The committed analyses of our own ladders rebuild from their committed run tables with the one
/// command their REPORTs give: the experiment file names its data folder, so no `--data`.
#[test]
fn committed_own_ladder_predictions_rebuild_from_the_committed_run_tables() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    for (experiment, committed) in [
        ("cpu-micro-ablation.toml", "results/cpu-micro/ablation"),
        ("cpu-ablation.toml", "results/cpu-ladder/ablation"),
        ("cpu-wide-ablation.toml", "results/cpu-ladder-wide/ablation"),
        ("cpu-mid-ablation.toml", "results/cpu-ladder-mid/ablation"),
        ("quickstart-ablation.toml", "results/quickstart/ablation"),
    ] {
        let out_dir = scratch(&format!("rebuild-{experiment}"));
        let file = repo.join("experiments").join(experiment);
        let out = ladder(&["ablate", file.to_str().unwrap(), "--out", out_dir.to_str().unwrap(), "--no-figures", "--allow-failed-fits"]);
        assert!(out.status.success(), "{experiment}: {}", String::from_utf8_lossy(&out.stderr));
        assert_same_table(
            &out_dir.join("predictions.csv"),
            &repo.join(committed).join("predictions.csv"),
            &["design", "task", "target"],
            &["predicted", "actual", "delta_lo", "delta_hi", "feature_predicted", "feature_actual"],
        );
    }
}

/// A rebuilt table equals the committed one: the same rows, equal `keys`, and `values` within
/// 1e-6 relative (NaN equal to NaN).
fn assert_same_table(rebuilt: &Path, committed: &Path, keys: &[&str], values: &[&str]) {
    let (ours, theirs) = (read_csv(rebuilt), read_csv(committed));
    let name = committed.display();
    assert_eq!(ours.height(), theirs.height(), "{name}: rows");
    for key in keys {
        assert_eq!(ours.column(key).unwrap(), theirs.column(key).unwrap(), "{name}: {key}");
    }
    for column in values {
        let cast = |df: &DataFrame| df.column(column).unwrap().cast(&DataType::Float64).unwrap();
        let (a, b) = (cast(&ours), cast(&theirs));
        let (a, b) = (a.f64().unwrap(), b.f64().unwrap());
        for i in 0..a.len() {
            let (x, y) = (a.get(i).unwrap_or(f64::NAN), b.get(i).unwrap_or(f64::NAN));
            let same = (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-6 * y.abs().max(1e-3);
            assert!(same, "{name}: {column} row {i}: rebuilt {x}, committed {y}");
        }
    }
}

/// The committed recipe decision rebuilds from the four recipes' committed run tables with the one
/// command its REPORT gives: every decision count, prediction and multiplier.
#[test]
fn committed_recipe_decision_rebuilds_from_the_committed_run_tables() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let committed = repo.join("results/cpu-recipes/decision");
    let out_dir = scratch("rebuild-recipes");
    let file = repo.join("experiments/cpu-recipes-decide.toml");
    let out = ladder(&["decide", file.to_str().unwrap(), "--out", out_dir.to_str().unwrap(), "--no-figures"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("# Recipes ranked by rc_acc") && stdout.contains("# Recipes ranked by rc_bpb"), "{stdout}");
    for (table, keys, values) in [
        (
            "decisions",
            &["metric", "task", "method", "design", "level", "picked", "winner"][..],
            &["right", "wrong", "ties", "compute_share", "noise"][..],
        ),
        ("predictions", &["metric", "recipe", "design", "task"][..], &["predicted", "actual"][..]),
        ("multipliers", &["metric", "design", "task", "recipe", "versus"][..], &["multiplier", "boot_lo", "boot_hi", "actual_gap"][..]),
    ] {
        assert_same_table(&out_dir.join(format!("{table}.csv")), &committed.join(format!("{table}.csv")), keys, values);
    }
}

#[test]
fn decide_refuses_files_without_recipes_or_one_target() {
    let dir = scratch("decide-bad");
    let run = |text: &str| {
        let file = dir.join("bad.toml");
        std::fs::write(&file, text).unwrap();
        let out = ladder(&["decide", file.to_str().unwrap(), "--data", dir.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
        assert!(!out.status.success(), "{text}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let design = "[[design]]\nname = \"a\"\nkind = \"two_step\"\n";
    let err = run(&format!("targets = [\"t\"]\n{design}"));
    assert!(err.contains("no [decision] table"), "{err}");
    let err = run(&format!("targets = [\"t\", \"u\"]\n[decision]\nrecipes = [\"x\", \"y\"]\n{design}"));
    assert!(err.contains("one target"), "{err}");
    let err = run(&format!("targets = [\"t\"]\n[decision]\nrecipes = [\"x\", \"y\"]\nmetrics = [\"mc_acc\"]\n{design}"));
    assert!(err.contains("metric must be"), "{err}");
    let err = run(&format!("targets = [\"t\"]\n[decision]\nrecipes = [\"x\", \"y\"]\nmetrics = [\"acc\"]\n{design}"));
    assert!(err.contains("unknown variant `acc`") && err.contains("rc_acc"), "{err}");
    let err = run(&format!("targets = [\"t\"]\n[decision]\nrecipes = [\"x\", \"y\"]\n{design}"));
    assert!(err.contains("recipe x (a folder of `data`"), "{err}");
}

#[test]
fn ablate_refuses_bad_experiment_files_clearly() {
    let dir = scratch("ablate-bad");
    let run = |text: &str| {
        let file = dir.join("bad.toml");
        std::fs::write(&file, text).unwrap();
        let out =
            ladder(&["ablate", file.to_str().unwrap(), "--data", data_dir().to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success() && !err.contains("panicked"), "{err}");
        err
    };
    let err = run("targets = [\"7B-4T\"]\n\n[[design]]\nname = \"a\"\nkind = \"two_step\"\nfeature = \n");
    assert!(err.contains("bad.toml: line 6"), "{err}");
    let err = run("targets = [\"7B-4T\"]\n[[design]]\nname = \"a\"\nkind = \"two_step\"\n[[design]]\nname = 3\nkind = \"two_step\"\n");
    assert!(err.contains("design `#2") && err.contains("needs a string `name`"), "{err}");
    let err = run("targets = [\"70B\"]\n[[design]]\nname = \"a\"\nkind = \"two_step\"\n");
    assert!(err.contains("`70B` is not a target") && err.contains("targets: 7B-4T, 13B-5T"), "{err}");
    // A train entry is not a target either, for `reproduce --target` too.
    let out = ladder(&["reproduce", "--data", data_dir().to_str().unwrap(), "--target", "760M", "--out", dir.join("r").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("`760M` is not a target") && err.contains("7B-4T, 13B-5T"), "{err}");
}

#[test]
fn reproduce_draws_the_figures() {
    let out_dir = scratch("figures");
    let out = ladder(&["reproduce", "-q", "--data", data_dir().to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["step1", "step2", "chained", "variance"] {
        for ext in ["png", "svg"] {
            let path = out_dir.join("figures").join(format!("{name}.{ext}"));
            assert!(path.metadata().is_ok_and(|m| m.len() > 1000), "{}", path.display());
        }
    }
}

/// `ladder predict` from N and D alone: the paper targets' projections are the chained
/// predictions, the table and figure are written, and bad requests are clear errors.
#[test]
fn predict_projects_untrained_targets_and_refuses_bad_requests() {
    let dir = scratch("predict");
    let data = data_dir();
    let data = data.to_str().unwrap();
    let out_dir = dir.join("out");
    let out = ladder(&["predict", "--data", data, "--n", "7e9", "--d", "2e12", "--grid-n", "1e9", "--multipliers", "1"]);
    assert!(!out.status.success(), "--n and --grid-n together");
    let out = ladder(&[
        "predict",
        "--data",
        data,
        "--grid-n",
        "1e9,7e9",
        "--multipliers",
        "1,10",
        "--bootstrap",
        "20",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = read_csv(&out_dir.join("projections.csv"));
    assert_eq!(table.height(), 8 * 4);
    // The bootstrap interval is drawn for every row and stays within the accuracy range.
    let (lo, hi) = (table.column("boot_lo").unwrap().f64().unwrap().clone(), table.column("boot_hi").unwrap().f64().unwrap().clone());
    for i in 0..table.height() {
        let (lo, hi) = (lo.get(i).unwrap(), hi.get(i).unwrap());
        assert!(lo.is_finite() && lo > 0.0 && lo <= hi && hi < 1.0, "row {i}: {lo}–{hi}");
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("90 % bootstrap"));
    assert!(out_dir.join("figures/projection.png").exists() && String::from_utf8_lossy(&out.stdout).contains("90 % prediction (one run)"));
    for (args, expected) in [
        (vec!["--n", "-7e9", "--d", "2e12"], "N must be a positive number"),
        (vec!["--n", "7e9"], "give one D per N"),
        (vec!["--n", "7e9", "--d", "2e12", "--design", "nope"], "unknown design `nope`"),
        (vec!["--grid-n", "7e9"], "at least one N and one point"),
        (vec![], "no target"),
    ] {
        let mut all = vec!["predict", "--data", data, "--out", out_dir.to_str().unwrap()];
        all.extend(args.iter());
        let out = ladder(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(expected), "{args:?}: {err}");
    }
}

/// The predicted accuracies of a `projections.csv`.
fn predicted(path: &Path) -> Vec<f64> {
    let table = read_csv(path);
    let c = table.column("predicted").unwrap().f64().unwrap().clone();
    (0..c.len()).map(|i| c.get(i).unwrap_or(f64::NAN)).collect()
}

/// A W&B export (empty cells where nothing was evaluated) is refused by the strict reader with a
/// hint, read with `--format wandb` with the skipped cells reported, and converts by `import` to a
/// long table and back to the folder layout, all of which predict the same; files of another
/// format are clear errors.
#[test]
fn wandb_exports_and_long_tables_feed_predict_and_import_converts_between_them() {
    let data = broken_data("wandb", |d| {
        for file in ["370M-2xC.csv", "760M-1xC.csv"] {
            edit_run(d, file, |t| {
                let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
                for (i, line) in lines.iter_mut().enumerate().skip(1).step_by(4) {
                    let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
                    // Two metric columns per blanked row (not the step, column 0).
                    cells[1 + i % 5].clear();
                    cells[12 + i % 7].clear();
                    *line = cells.join(",");
                }
                lines.join("\n") + "\n"
            })
        }
    });
    let expected_blanks: usize = ["370M-2xC.csv", "760M-1xC.csv"]
        .iter()
        .map(|f| std::fs::read_to_string(data.join("ladder-runs").join(f)).unwrap().lines().skip(1).step_by(4).count() * 2)
        .sum();
    let dir = scratch("wandb-out");
    let target = ["--n", "7e9", "--d", "2e12"];
    let predict = |data: &Path, format: &str, out: &str| {
        let out_dir = dir.join(out);
        let mut args = vec!["predict", "--data", data.to_str().unwrap(), "--format", format, "--out", out_dir.to_str().unwrap()];
        args.extend(target);
        (ladder(&args), out_dir.join("projections.csv"))
    };
    let (out, _) = predict(&data, "auto", "strict");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("370M-2xC.csv") && err.contains("--format wandb"), "{err}");
    let (out, from_folder) = predict(&data, "wandb", "folder");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains(&format!("skipped {expected_blanks} missing values")) && err.contains("2 files"), "{err}");
    let reference = predicted(&from_folder);
    assert!(reference.iter().all(|v| v.is_finite()), "{reference:?}");

    // import: folder → long table → (predict) and → folder layout → (predict).
    let long = dir.join("long");
    let out = ladder(&["import", "--data", data.to_str().unwrap(), "--format", "wandb", "--out", long.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let runs_csv = long.join("runs.csv");
    let (out, from_long) = predict(&runs_csv, "auto", "from-long");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let olmo = dir.join("olmo");
    let out = ladder(&["import", "--data", runs_csv.to_str().unwrap(), "--to", "olmo", "--out", olmo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (out, from_olmo) = predict(&olmo, "wandb", "from-olmo");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (route, path) in [("long table", &from_long), ("re-exported folder", &from_olmo)] {
        let values = predicted(path);
        assert_eq!(values.len(), reference.len(), "{route}");
        for (a, b) in values.iter().zip(&reference) {
            assert!((a - b).abs() <= 1e-12, "{route}: {a} vs {b}");
        }
    }

    // Files of another format.
    let json = dir.join("ladder.json");
    std::fs::copy(data_dir().join("configs/final.json"), &json).unwrap();
    let wide = data_dir().join("ladder-runs/190M-1xC.csv");
    for (path, expected) in [(json.as_path(), "expected a run table as .csv or .parquet"), (wide.as_path(), "missing column `entry`")] {
        let (out, _) = predict(path, "auto", "bad");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(expected) && !err.contains("panicked"), "{}: {err}", path.display());
    }
}

/// Failed fits make `ablate` exit non-zero after writing everything, unless allowed; an output
/// folder drops the files an earlier run wrote there and this one did not (and keeps others).
#[test]
fn ablate_reports_failed_fits_and_clears_stale_outputs() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let dir = scratch("ablate-failures");
    let out_dir = dir.join("out");
    // The quickstart ladder has too few points for the single-step law on some tasks.
    let file = repo.join("experiments/quickstart-ablation.toml");
    let out = ladder(&["ablate", file.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("8 of 24 predictions have no value") && err.contains("cannot determine"), "{err}");
    assert_eq!(read_csv(&out_dir.join("predictions.csv")).height(), 24, "everything is written first");
    assert!(out_dir.join("figures/predicted_vs_actual.png").exists());
    std::fs::write(out_dir.join("my-notes.md"), "mine").unwrap();
    let out = ladder(&["ablate", file.to_str().unwrap(), "--out", out_dir.to_str().unwrap(), "--no-figures", "--allow-failed-fits"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        !out_dir.join("figures/predicted_vs_actual.png").exists() && stdout.contains("removed (an earlier run's, not written now)"),
        "{stdout}"
    );
    assert!(out_dir.join("my-notes.md").exists() && out_dir.join("predictions.csv").exists());
}

#[test]
fn compare_refuses_a_missing_published_table() {
    let dir = scratch("compare-missing");
    let published = dir.join("published");
    std::fs::create_dir_all(&published).unwrap();
    for entry in std::fs::read_dir(data_dir().join("published")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() != "step2_main.csv" {
            std::fs::copy(&path, published.join(path.file_name().unwrap())).unwrap();
        }
    }
    let out = ladder(&[
        "reproduce",
        "-q",
        "--no-figures",
        "--compare",
        "--published",
        published.to_str().unwrap(),
        "--data",
        data_dir().to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("step2_main.csv") && err.contains("does not exist"), "{err}");
}
