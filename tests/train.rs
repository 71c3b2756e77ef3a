//! End-to-end tests of `ladder plan` and `ladder train`: a run killed with SIGKILL and resumed
//! continues the uninterrupted run's loss curve.
#![cfg(feature = "train")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn ladder(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ladder")).args(args).output().expect("run ladder")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ladder-cli-train-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// u100k at L = 64 and 0.05xC: 33 steps of 48 windows, a few seconds.
fn train_args<'a>(out: &'a str, files: &'a [String], extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "train",
        "--rung",
        "u100k",
        "--multiplier",
        "0.05",
        "--seq-len",
        "64",
        "--evals",
        "4",
        "--checkpoint-every",
        "4",
        "--out",
        out,
        "--data",
    ];
    args.extend(files.iter().map(String::as_str));
    args.extend_from_slice(extra);
    args
}

fn losses(dir: &Path) -> Vec<(u64, String)> {
    let text = std::fs::read_to_string(dir.join("run.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            (v[0].parse().unwrap(), v[3].to_string())
        })
        .collect()
}

#[test]
fn plan_prints_the_micro_ladder() {
    let out = ladder(&["plan", "--ladder", "micro"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("u100k-0.5xC") && stdout.contains("u400k-1xC-rerun") && stdout.contains("18 runs"), "{stdout}");
    let bad = ladder(&["plan", "--ladder", "giant"]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("paper"));
}

#[test]
fn a_killed_run_resumes_on_the_same_loss_curve() {
    let files = common::text_files();
    let (full, killed) = (scratch("full"), scratch("killed"));
    let (full_s, killed_s) = (full.display().to_string(), killed.display().to_string());
    let out = ladder(&train_args(&full_s, &files, &[]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reference = losses(&full);
    assert_eq!(reference.len(), 33);

    // Start the same run, SIGKILL it once its checkpoint of step 12 exists, resume it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ladder")).args(train_args(&killed_s, &files, &[])).spawn().unwrap();
    let started = Instant::now();
    while !killed.join("checkpoints/step-00000012").exists() {
        assert!(started.elapsed() < Duration::from_secs(120), "no checkpoint after 2 minutes");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = losses(&killed).len();
    assert!(before < 33, "the run finished before the kill");
    let again = ladder(&train_args(&killed_s, &files, &[]));
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("--resume"));
    let resumed = ladder(&train_args(&killed_s, &files, &["--resume"]));
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    let after = losses(&killed);
    assert_eq!(after.len(), 33);
    for ((s1, a), (s2, b)) in reference.iter().zip(&after) {
        assert_eq!(s1, s2);
        let (a, b): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
        assert!((a - b).abs() <= 1e-5 * a, "step {s1}: {a} vs {b}");
    }
    let _ = std::fs::remove_dir_all(&full);
    let _ = std::fs::remove_dir_all(&killed);
}

#[test]
fn train_refuses_bad_input_clearly() {
    let files = common::text_files();
    let out = ladder(&["train", "--rung", "u9", "--data", "x"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("known rungs"));
    let dir = scratch("small").display().to_string();
    let mut args = vec!["train", "--rung", "u100k", "--multiplier", "1", "--out", &dir, "--data"];
    args.extend(files.iter().map(String::as_str));
    let out = ladder(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("never repeats data"), "{err}");
    let out = ladder(&["train", "--rung", "u100k", "--device", "tpu", "--data", "x"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("available: flex"));
}

#[test]
fn bf16_training_runs_in_bf16_and_learns() {
    let files = common::text_files();
    let dir = scratch("bf16");
    let dir_s = dir.display().to_string();
    let out = ladder(&train_args(&dir_s, &files, &["--precision", "bf16"]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = losses(&dir);
    let values: Vec<f64> = rows.iter().map(|(_, v)| v.parse().unwrap()).collect();
    // A bf16 loss has 8 significant bits: 6.9375, 3.609375, ...
    assert!(values.iter().all(|v| ((*v as f32).to_bits() & 0xFFFF) == 0), "not bf16: {values:?}");
    assert!(values[values.len() - 1] < values[0] - 2.0, "{values:?}");
    let bad = ladder(&train_args(&dir_s, &files, &["--precision", "fp8"]));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("f32 or bf16"));
    // The precision is part of the run's fingerprint: resuming it in f32 is refused, naming it.
    let fingerprint = std::fs::read_to_string(dir.join("fingerprint.json")).unwrap();
    assert!(fingerprint.contains("BF16"), "{fingerprint}");
    let checkpoints = dir.join("checkpoints");
    let mut steps: Vec<_> = std::fs::read_dir(&checkpoints).unwrap().map(|e| e.unwrap().path()).collect();
    steps.sort();
    std::fs::remove_dir_all(steps.last().unwrap()).unwrap();
    let resumed = ladder(&train_args(&dir_s, &files, &["--precision", "f32", "--resume"]));
    let err = String::from_utf8_lossy(&resumed.stderr);
    assert!(!resumed.status.success() && err.contains("trained with another device"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
