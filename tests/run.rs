//! End-to-end test of `ladder run`: a tiny experiment trains, collects into an OLMo-ladder folder
//! the importer reads, skips finished runs, and resumes an interrupted one to the same tables.
#![cfg(feature = "train")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ladder(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ladder")).args(args).output().expect("run ladder")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_tiny_ladder_runs_collects_skips_and_resumes() {
    let dir = std::env::temp_dir().join(format!("ladder-cli-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (work, out) = (dir.join("work"), dir.join("out"));
    let file = common::tiny_experiment(
        &dir,
        "bytes",
        &common::text_files(),
        2,
        "[[rung]]\nsize = \"u25k\"\nmultipliers = [0.05, 0.1]\nrerun = [0.05]\n\n[[target]]\nsize = \"u45k\"\nmultiplier = 0.05\n",
    );

    let first = ladder(&["run", &file]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("4 runs collected"), "{}", String::from_utf8_lossy(&first.stdout));
    let ladder_data = ladder_io::olmo::load_ladder(&out, "tiny").expect("the importer reads the collected ladder");
    let names: Vec<&str> = ladder_data.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["u25k", "u45k-0.05xC"]);
    assert_eq!(ladder_data.entries[0].runs.len(), 2);
    assert!(ladder_io::olmo::load_ladder(&out, "tiny_variance").is_ok());
    let csv = out.join("ladder-runs/u25k-0.1xC.csv");
    let before = read(&csv);
    assert!(before.starts_with("_step,eval/all-validation/CrossEntropyLoss,eval/corpus-validation/CrossEntropyLoss,"), "{before}");
    // `evals = 2` is about 2: every 20 steps of 41, and the last step.
    assert_eq!(before.lines().count(), 4, "header + 3 evaluations:\n{before}");

    // Everything finished: a second call trains nothing.
    let again = ladder(&["run", &file, "--list"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout).matches("| finished |").count(), 4, "{}", String::from_utf8_lossy(&again.stdout));

    // Interrupt one run: drop its last checkpoint. The next call resumes it to the same tables.
    let run_dir = work.join("u25k-0.1xC");
    let mut steps: Vec<PathBuf> = std::fs::read_dir(run_dir.join("checkpoints")).unwrap().map(|e| e.unwrap().path()).collect();
    steps.sort();
    std::fs::remove_dir_all(steps.last().unwrap()).unwrap();
    let listed = ladder(&["run", &file, "--list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("resuming after step"), "{}", String::from_utf8_lossy(&listed.stdout));
    let resumed = ladder(&["run", &file]);
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    assert_eq!(read(&csv), before, "the resumed run's evaluations differ");

    // A run folder gone (the ladder extended on another machine): the collected tables stand in
    // for it, nothing retrains, and collecting again keeps them.
    std::fs::remove_dir_all(&run_dir).unwrap();
    let row = |listed: &str| {
        listed.lines().find(|l| l.starts_with("| u25k-0.1xC |")).unwrap_or_else(|| panic!("no row for u25k-0.1xC:\n{listed}")).to_string()
    };
    let listed = String::from_utf8_lossy(&ladder(&["run", &file, "--list"]).stdout).to_string();
    assert!(row(&listed).contains("| collected (kept from the output folder) |"), "{listed}");
    let kept = ladder(&["run", &file]);
    assert!(kept.status.success(), "{}", String::from_utf8_lossy(&kept.stderr));
    let said = String::from_utf8_lossy(&kept.stdout);
    assert!(said.contains("4 runs collected") && said.contains("kept as collected earlier (no run folder here): u25k-0.1xC"), "{said}");
    assert!(!run_dir.exists(), "the kept run was retrained");
    assert_eq!(read(&csv), before, "the kept run's table changed");
    // A collected run whose recorded plan differs from the file's is not kept: it trains anew.
    let recorded = out.join("run-configs/u25k-0.1xC.json");
    let text = read(&recorded);
    let changed = text.replacen("\"total_steps\": ", "\"total_steps\": 1", 1);
    assert_ne!(text, changed, "{text}");
    std::fs::write(&recorded, changed).unwrap();
    let listed = String::from_utf8_lossy(&ladder(&["run", &file, "--list"]).stdout).to_string();
    assert!(row(&listed).contains("| new |"), "{listed}");

    // A broken experiment names the file and the problem.
    std::fs::write(
        dir.join("bad.toml"),
        "name = \"x\"\nwork = \"w\"\nout = \"o\"\ndata = [\"a\"]\n[[rung]]\nsize = \"u25k\"\nmultipliers = [1]\nrerun = [2]\n",
    )
    .unwrap();
    let bad = ladder(&["run", &dir.join("bad.toml").display().to_string()]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success() && err.contains("bad.toml") && err.contains("reruns 2xC"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A finished run is compared with the current configuration: changed data is refused by name
/// (kept with `--accept-changed`); a run whose evals.csv lost a planned row is not finished and
/// is redone from the checkpoint before it to the same table; a folder locked by a live process
/// is not trained.
#[test]
fn changed_data_lost_evaluations_and_locked_folders_are_caught() {
    let dir = std::env::temp_dir().join(format!("ladder-cli-run-faults-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    // Copies of the text, so that one can change.
    let data: Vec<PathBuf> = common::text_files()
        .iter()
        .map(|f| {
            let to = dir.join("data").join(Path::new(f).file_name().unwrap());
            std::fs::copy(f, &to).unwrap();
            to
        })
        .collect();
    let data_files: Vec<String> = data.iter().map(|f| f.display().to_string()).collect();
    let (work, out) = (dir.join("work"), dir.join("out"));
    let file = common::tiny_experiment(
        &dir,
        "bytes",
        &data_files,
        3,
        "[[rung]]\nsize = \"u25k\"\nmultipliers = [0.05]\n\n[[target]]\nsize = \"u25k\"\nmultiplier = 0.1\n",
    );
    let first = ladder(&["run", &file]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let run_dir = work.join("u25k-0.05xC");
    let (evals, csv) = (run_dir.join("evals.csv"), out.join("ladder-runs/u25k-0.05xC.csv"));
    let (evals_before, csv_before) = (read(&evals), read(&csv));
    assert!(run_dir.join("fingerprint.json").is_file() && out.join("run-configs/u25k-0.05xC.fingerprint.json").is_file());

    // An evaluation row lost (the middle eval step's): not finished; redone to the same table.
    let lines: Vec<&str> = evals_before.lines().collect();
    let middle_step = lines[lines.len() / 2].split(',').next().unwrap().to_string();
    let kept: Vec<&str> = lines.iter().copied().filter(|l| l.split(',').next() != Some(middle_step.as_str())).collect();
    assert!(kept.len() < lines.len());
    std::fs::write(&evals, kept.join("\n") + "\n").unwrap();
    let listed = String::from_utf8_lossy(&ladder(&["run", &file, "--list"]).stdout).to_string();
    assert!(listed.lines().any(|l| l.starts_with("| u25k-0.05xC |") && l.contains("resuming after step")), "{listed}");
    let redone = ladder(&["run", &file]);
    assert!(redone.status.success(), "{}", String::from_utf8_lossy(&redone.stderr));
    assert_eq!(read(&evals), evals_before, "the lost evaluation was not redone to the same values");
    assert_eq!(read(&csv), csv_before);

    // The data changed after the run finished: refused by name, kept when accepted.
    std::fs::write(&data[0], read(&data[0]) + "\nA new paragraph that was not there.\n").unwrap();
    let listed = String::from_utf8_lossy(&ladder(&["run", &file, "--list"]).stdout).to_string();
    assert!(listed.contains("finished, trained with another data"), "{listed}");
    let refused = ladder(&["run", &file]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && err.contains("u25k-0.05xC")
            && err.contains("trained with another data")
            && err.contains("--accept-changed"),
        "{err}"
    );
    let accepted = ladder(&["run", &file, "--accept-changed"]);
    assert!(accepted.status.success(), "{}", String::from_utf8_lossy(&accepted.stderr));
    assert_eq!(read(&csv), csv_before, "an accepted run keeps its tables");
    // The same for a run kept only as collected tables: their recorded fingerprint is compared.
    std::fs::remove_dir_all(&run_dir).unwrap();
    let row = |args: &[&str]| {
        String::from_utf8_lossy(&ladder(args).stdout).lines().find(|l| l.starts_with("| u25k-0.05xC |")).unwrap_or_default().to_string()
    };
    assert!(row(&["run", &file, "--list"]).contains("finished, trained with another data"));
    assert!(row(&["run", &file, "--list", "--accept-changed"]).contains("collected (kept from the output folder)"));

    // A folder locked by a live process (pid 1 on this host) is not trained.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string();
    let target_dir = work.join("u25k-0.1xC");
    let mut steps: Vec<PathBuf> = std::fs::read_dir(target_dir.join("checkpoints")).unwrap().map(|e| e.unwrap().path()).collect();
    steps.sort();
    std::fs::remove_dir_all(steps.last().unwrap()).unwrap();
    std::fs::write(target_dir.join("run.lock"), format!("1 {host}\n")).unwrap();
    let locked = ladder(&["run", &file, "--accept-changed"]);
    let err = String::from_utf8_lossy(&locked.stderr);
    assert!(!locked.status.success() && err.contains("is being trained by process 1"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--jobs 2` trains the same runs as one job, in two child processes with a log each, to the
/// same collected tables; a second call trains nothing, and a failing run is reported after the
/// others are collected.
#[test]
fn parallel_jobs_give_the_tables_of_one_job() {
    let dir = std::env::temp_dir().join(format!("ladder-cli-jobs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data: Vec<String> = common::text_files().iter().map(|f| format!("{f:?}")).collect();
    let experiment = |name: &str| {
        let (work, out) = (dir.join(name).join("work"), dir.join(name).join("out"));
        let text = format!(
            "name = \"tiny\"\ndata = [{}]\ntokenizer = \"bytes\"\nseq_len = 32\nevals = 2\nwork = {:?}\nout = {:?}\n\n[[rung]]\nsize = \"u25k\"\nmultipliers = [0.05, 0.1]\n\n[[target]]\nsize = \"u45k\"\nmultiplier = 0.05\n",
            data.join(", "),
            work.display().to_string(),
            out.display().to_string()
        );
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, text).unwrap();
        (file.display().to_string(), work, out)
    };
    let (one, _, one_out) = experiment("one");
    let (two, two_work, two_out) = experiment("two");
    let first = ladder(&["run", &one]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let parallel = ladder(&["run", &two, "--jobs", "2"]);
    assert!(parallel.status.success(), "{}", String::from_utf8_lossy(&parallel.stderr));
    assert!(String::from_utf8_lossy(&parallel.stdout).contains("3 runs collected"), "{}", String::from_utf8_lossy(&parallel.stdout));
    for run in ["u25k-0.05xC", "u25k-0.1xC", "u45k-0.05xC"] {
        assert_eq!(read(&two_out.join(format!("ladder-runs/{run}.csv"))), read(&one_out.join(format!("ladder-runs/{run}.csv"))), "{run}");
        assert!(read(&two_work.join(format!("logs/{run}.log"))).contains(&format!("{run}: finished")), "{run}'s log");
    }
    let again = ladder(&["run", &two, "--jobs", "2", "--list"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout).matches("| finished |").count(), 3);
    // A run that cannot train (its folder is a file) fails alone; the others are collected.
    std::fs::remove_dir_all(two_work.join("u25k-0.1xC")).unwrap();
    std::fs::remove_dir_all(two_out.join("ladder-runs")).unwrap();
    std::fs::write(two_work.join("u25k-0.1xC"), "not a folder").unwrap();
    let broken = ladder(&["run", &two, "--jobs", "2"]);
    let (out, err) = (String::from_utf8_lossy(&broken.stdout), String::from_utf8_lossy(&broken.stderr));
    assert!(!broken.status.success() && err.contains("1 runs failed") && err.contains("logs/u25k-0.1xC.log"), "{err}");
    assert!(out.contains("2 runs collected") && two_out.join("ladder-runs/u45k-0.05xC.csv").exists(), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A recipe experiment: every recipe trains the same runs on its own mix (a mix file, or inline
/// weights that keep the base mix's files and settings), in its own folders, collected per
/// recipe; `--only` and `--list` name runs `<recipe>/<id>`; bad recipe tables are refused.
#[test]
fn recipes_train_the_same_runs_on_their_own_mixes_and_collect_apart() {
    let dir = std::env::temp_dir().join(format!("ladder-cli-recipes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let files = common::text_files();
    let (a, b): (Vec<&String>, Vec<&String>) = files.iter().partition(|f| f.ends_with("method.md") || f.ends_with("ladder-recipe.md"));
    let quoted = |v: &[&String]| v.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ");
    let base = format!(
        "validation_windows = 2\n[[source]]\nname = \"specs\"\nweight = 1\nfiles = [{}]\n[[source]]\nname = \"notes\"\nweight = 1\nfiles = [{}]\n",
        quoted(&a),
        quoted(&b)
    );
    std::fs::write(dir.join("base-mix.toml"), &base).unwrap();
    std::fs::write(dir.join("notes-mix.toml"), base.replacen("weight = 1", "weight = 0.2", 1)).unwrap();
    let experiment = |recipes: &str| {
        let text = format!(
            "name = \"tiny\"\nmix = \"base-mix.toml\"\ntokenizer = \"bytes\"\nseq_len = 32\nevals = 2\nwork = {:?}\nout = {:?}\n\n\
             [[rung]]\nsize = \"u25k\"\nmultipliers = [0.05]\n\n[[target]]\nsize = \"u45k\"\nmultiplier = 0.05\n\n{recipes}",
            dir.join("work").display().to_string(),
            dir.join("out").display().to_string()
        );
        let file = dir.join("recipes.toml");
        std::fs::write(&file, text).unwrap();
        file.display().to_string()
    };
    let file = experiment(
        "[[recipe]]\nname = \"notes_heavy\"\nmix = \"notes-mix.toml\"\n\n[[recipe]]\nname = \"specs_heavy\"\nweights = { specs = 4, notes = 1 }\n",
    );
    let listed = ladder(&["run", &file, "--list"]);
    let table = String::from_utf8_lossy(&listed.stdout).into_owned();
    for key in ["notes_heavy/u25k-0.05xC", "notes_heavy/u45k-0.05xC", "specs_heavy/u25k-0.05xC", "specs_heavy/u45k-0.05xC"] {
        assert!(table.contains(&format!("| {key} |")), "{key} missing:\n{table}");
    }
    // Slurm arrays name runs by the same keys (a dry run writes the scripts, submits nothing).
    let dry = ladder(&["run", &file, "--executor", "slurm", "--dry-run"]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    let scripts = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert!(scripts.contains("'notes_heavy/u25k-0.05xC'") && scripts.contains("'specs_heavy/u45k-0.05xC'"), "{scripts}");
    assert!(scripts.contains("--only \"${runs[$SLURM_ARRAY_TASK_ID]}\""), "{scripts}");
    // One run by its key: trained into its recipe's folder, nothing else.
    let only = ladder(&["run", &file, "--only", "specs_heavy/u25k-0.05xC"]);
    assert!(only.status.success(), "{}", String::from_utf8_lossy(&only.stderr));
    let work = dir.join("work");
    assert!(work.join("specs_heavy/u25k-0.05xC/evals.csv").is_file());
    assert!(!work.join("notes_heavy/u25k-0.05xC").exists());
    let unknown = ladder(&["run", &file, "--only", "u25k-0.05xC"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("specs_heavy/u25k-0.05xC"), "{}", String::from_utf8_lossy(&unknown.stderr));

    let all = ladder(&["run", &file]);
    assert!(all.status.success(), "{}", String::from_utf8_lossy(&all.stderr));
    let stdout = String::from_utf8_lossy(&all.stdout);
    assert!(stdout.contains("recipe notes_heavy: 2 runs collected") && stdout.contains("recipe specs_heavy: 2 runs collected"), "{stdout}");
    // Each recipe's folder is an OLMo-ladder folder of the same runs.
    let out = dir.join("out");
    for recipe in ["notes_heavy", "specs_heavy"] {
        let l = ladder_io::olmo::load_ladder(&out.join(recipe), "tiny").unwrap();
        assert_eq!(l.entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), vec!["u25k", "u45k-0.05xC"], "{recipe}");
    }
    // The mixes realised: the file's weights (0.2 : 1) and the inline ones (4 : 1, base files).
    let share = |recipe: &str, source: &str| -> f64 {
        let mix: serde_json::Value = serde_json::from_str(&read(&work.join(recipe).join("u45k-0.05xC/mix.json"))).unwrap();
        let rows = mix.as_array().cloned().or_else(|| mix.get("sources").and_then(|s| s.as_array().cloned())).expect("mix rows");
        rows.iter().find(|r| r["source"] == source).and_then(|r| r["target_share"].as_f64()).unwrap()
    };
    assert!((share("notes_heavy", "specs") - 0.2 / 1.2).abs() < 1e-12);
    assert!((share("specs_heavy", "specs") - 0.8).abs() < 1e-12);
    let (x, y) = (read(&out.join("notes_heavy/ladder-runs/u45k-0.05xC.csv")), read(&out.join("specs_heavy/ladder-runs/u45k-0.05xC.csv")));
    assert_ne!(x, y, "two mixes trained the same model");

    // Refused: both a mix and weights, a repeated name, a name that is no folder name, data files.
    for (recipes, expected) in [
        ("[[recipe]]\nname = \"x\"\nmix = \"base-mix.toml\"\nweights = { specs = 1 }\n", "either `mix`"),
        ("[[recipe]]\nname = \"x\"\n", "either `mix`"),
        ("[[recipe]]\nname = \"x\"\nmix = \"base-mix.toml\"\n[[recipe]]\nname = \"x\"\nmix = \"base-mix.toml\"\n", "declared twice"),
        ("[[recipe]]\nname = \"a/b\"\nmix = \"base-mix.toml\"\n", "letters, digits"),
        ("[[recipe]]\nname = \"x\"\nweights = { specs = -1 }\n", "[[recipe]] x"),
    ] {
        let bad = experiment(recipes);
        let out = ladder(&["run", &bad, "--list"]);
        assert!(!out.status.success(), "{recipes}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{recipes}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
