//! `ladder run --executor slurm`. The default suite checks the failure paths with stand-in
//! `sbatch`/`squeue` scripts; `real_slurm_*` (ignored; `.ci/run` starts a single-node Slurm with
//! `.ci/slurm.sh start` and runs it) trains a tiny ladder as a job array, kills one array task
//! mid-run, resubmits, and compares every table with a local run.
#![cfg(feature = "train")]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn ladder_with_path(args: &[&str], path: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ladder"));
    command.args(args);
    if let Some(path) = path {
        command.env("PATH", path);
    }
    command.output().expect("run ladder")
}

/// A tiny experiment in `dir`: u25k at 0.05/0.2xC (+ a rerun) and a u45k target, L = 32.
fn experiment(dir: &Path, work: &str, extra: &str) -> String {
    let data: Vec<String> = common::text_files().iter().map(|f| format!("{f:?}")).collect();
    let text = format!(
        "name = \"tiny\"\ndata = [{}]\ntokenizer = \"bytes\"\nseq_len = 32\nevals = 3\nwork = {:?}\nout = {:?}\n{extra}\n[[rung]]\nsize = \"u25k\"\nmultipliers = [0.05, 0.2]\nrerun = [0.05]\n\n[[target]]\nsize = \"u45k\"\nmultiplier = 0.05\n",
        data.join(", "),
        dir.join(work).display().to_string(),
        dir.join(format!("{work}-out")).display().to_string(),
    );
    let file = dir.join(format!("{work}.toml"));
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ladder-cli-slurm-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A folder of stand-in Slurm commands.
fn fake_tools(dir: &Path, sbatch: &str, squeue: &str) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for (name, body) in [("sbatch", sbatch), ("squeue", squeue)] {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    format!("{}:/usr/bin:/bin", bin.display())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn missing_slurm_rejected_submissions_and_failing_runs_are_reported_and_finished_runs_kept() {
    let dir = scratch("errors");
    let file = experiment(&dir, "work", "[slurm]\nmax_attempts = 2\npoll_seconds = 1\n");
    // One run finished beforehand, locally.
    let done = ladder_with_path(&["run", &file, "--only", "u25k-0.05xC"], None);
    assert!(done.status.success(), "{}", stderr(&done));
    let finished_csv = dir.join("work/u25k-0.05xC/evals.csv");
    let before = std::fs::read(&finished_csv).unwrap();

    // No sbatch on PATH.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let none = ladder_with_path(&["run", &file, "--executor", "slurm"], Some(&empty.display().to_string()));
    assert!(!none.status.success() && stderr(&none).contains("`sbatch` is not on PATH"), "{}", stderr(&none));

    // --dry-run prints the array script and submits nothing (even without Slurm).
    let dry = ladder_with_path(&["run", &file, "--executor", "slurm", "--dry-run"], Some(&empty.display().to_string()));
    let out = String::from_utf8_lossy(&dry.stdout);
    assert!(dry.status.success() && out.contains("#SBATCH --array=0-2") && out.contains("--only"), "{out}{}", stderr(&dry));

    // A rejected submission.
    let path = fake_tools(
        &dir.join("reject"),
        "echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2; exit 1",
        "exit 0",
    );
    let rejected = ladder_with_path(&["run", &file, "--executor", "slurm"], Some(&path));
    assert!(
        !rejected.status.success() && stderr(&rejected).contains("sbatch rejected") && stderr(&rejected).contains("Invalid partition"),
        "{}",
        stderr(&rejected)
    );

    // Accepted, but the array tasks never run: the runs stay unfinished; after max_attempts
    // submissions they are given up on with their logs named.
    let path = fake_tools(&dir.join("void"), "echo 4242", "exit 0");
    let first = ladder_with_path(&["run", &file, "--executor", "slurm"], Some(&path));
    assert!(
        !first.status.success() && stderr(&first).contains("3 runs did not finish") && stderr(&first).contains("resubmit only them"),
        "{}",
        stderr(&first)
    );
    assert!(stderr(&first).contains("submitted 3 runs"), "{}", stderr(&first));
    let second = ladder_with_path(&["run", &file, "--executor", "slurm"], Some(&path));
    assert!(!second.status.success() && stderr(&second).contains("submitted 3 runs"), "{}", stderr(&second));
    let third = ladder_with_path(&["run", &file, "--executor", "slurm"], Some(&path));
    let err = stderr(&third);
    assert!(!third.status.success() && err.contains("failed 2 times and are not submitted again") && err.contains("4242_"), "{err}");
    assert!(err.contains("submitted 0 runs"), "{err}");
    assert_eq!(std::fs::read(&finished_csv).unwrap(), before, "a finished run was touched");

    let _ = std::fs::remove_dir_all(&dir);
}

fn pid_of(needle: &str) -> Option<i32> {
    for entry in std::fs::read_dir("/proc").ok()? {
        let path = entry.ok()?.path();
        let Some(pid) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse::<i32>().ok()) else { continue };
        let cmdline = std::fs::read(path.join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(needle) && cmdline.contains("--only") {
            return Some(pid);
        }
    }
    None
}

fn tables(out: &Path) -> Vec<(String, Vec<Vec<f64>>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out.join("ladder-runs")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let rows = text.lines().skip(1).map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect();
            (f.file_name().unwrap().to_string_lossy().into_owned(), rows)
        })
        .collect()
}

#[test]
#[ignore = "needs a running Slurm: .ci/slurm.sh start (root)"]
fn real_slurm_runs_a_ladder_survives_a_killed_task_and_matches_a_local_run() {
    let dir = scratch("real");
    let local = experiment(&dir, "local", "");
    let ran = ladder_with_path(&["run", &local], None);
    assert!(ran.status.success(), "{}", stderr(&ran));
    let file = experiment(&dir, "cluster", "[slurm]\ncpus = 1\npoll_seconds = 1\n");

    // Submit and follow in the background; kill the longest run's array task once it has a
    // checkpoint.
    let submit = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(["run", &file, "--executor", "slurm"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let victim = dir.join("cluster/u25k-0.2xC/checkpoints");
    let started = Instant::now();
    let pid = loop {
        let checkpointed = std::fs::read_dir(&victim).map(|d| d.count() > 0).unwrap_or(false);
        if let (true, Some(pid)) = (checkpointed, pid_of("u25k-0.2xC")) {
            break pid;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "the array task of u25k-0.2xC never checkpointed");
        std::thread::sleep(Duration::from_millis(50));
    };
    Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap();
    let first = submit.wait_with_output().unwrap();
    let err = stderr(&first);
    assert!(!first.status.success() && err.contains("1 runs did not finish") && err.contains("u25k-0.2xC"), "{err}");

    // A second call resubmits only the killed run, which resumes from its checkpoint.
    let second = ladder_with_path(&["run", &file, "--executor", "slurm"], None);
    let err = stderr(&second);
    assert!(second.status.success() && err.contains("submitted 1 runs: u25k-0.2xC"), "{err}");
    let log = std::fs::read_dir(dir.join("cluster/slurm"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".out"))
        .count();
    assert_eq!(log, 5, "4 array tasks, then 1");

    let (want, got) = (tables(&dir.join("local-out")), tables(&dir.join("cluster-out")));
    assert_eq!(want.iter().map(|t| &t.0).collect::<Vec<_>>(), got.iter().map(|t| &t.0).collect::<Vec<_>>());
    for ((name, a), (_, b)) in want.iter().zip(&got) {
        assert_eq!(a.len(), b.len(), "{name}: rows");
        for (ra, rb) in a.iter().zip(b) {
            for (x, y) in ra.iter().zip(rb) {
                assert!((x - y).abs() <= 1e-5 * x.abs().max(1.0), "{name}: {x} vs {y}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `.ci/slurm.sh stop` stops the daemons it recorded starting, by pid, and leaves a process of
/// the same name that it did not start alone.
#[test]
fn the_slurm_script_stops_only_the_daemons_it_started() {
    let dir = std::env::temp_dir().join(format!("ladder-slurm-stop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let state = dir.join("state");
    std::fs::create_dir_all(&state).unwrap();
    // Stand-ins named like the daemons: `sleep` run through a link of that name (the process
    // name is the link's).
    let spawn = |name: &str| {
        let exe = dir.join(name);
        std::os::unix::fs::symlink("/bin/sleep", &exe).unwrap();
        Command::new(&exe).arg("60").spawn().unwrap()
    };
    let mut foreign = spawn("slurmd");
    let mut ours = spawn("slurmctld");
    std::fs::write(state.join("started"), format!("slurmctld {}\n", ours.id())).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/slurm.sh");
    let out = Command::new("bash").arg(&script).arg("stop").env("LADDER_SLURM_STATE", &state).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let deadline = Instant::now() + Duration::from_secs(5);
    while ours.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let (ours_done, foreign_alive) = (ours.try_wait().unwrap().is_some(), foreign.try_wait().unwrap().is_none());
    let _ = foreign.kill();
    let _ = ours.kill();
    let _ = foreign.wait();
    let _ = ours.wait();
    assert!(ours_done, "the recorded daemon was not stopped");
    assert!(foreign_alive, "a process the script did not start was killed");
    assert!(!state.join("started").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
