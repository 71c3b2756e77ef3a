//! Fault injection: `kill -9` at seeded random moments of `ladder run` (training and collecting),
//! `ladder ablate` and `ladder data tokenizer`, and truncated or corrupt checkpoints, run tables,
//! evaluation logs, configs and tokenizer files; each then resumed or rerun. Every trial's final
//! tables must equal an uninterrupted run's (the run tables' wall-clock column aside), and every
//! corruption that cannot be repaired must be a clear error naming its file. Prints the counts:
//! trials, faults injected, faults survived, rows lost (must be 0). `data prepare` (which fetches
//! a package from a registry) is the ignored test, run by `.ci/run` with `--ignored`.
#![cfg(feature = "train")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Kill trials per command.
const KILL_TRIALS: u64 = 5;

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_ladder")
}

fn ladder(args: &[&str]) -> Output {
    Command::new(binary()).args(args).output().expect("run ladder")
}

/// A deterministic draw in [0, 1) (splitmix64).
fn draw(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// Starts `args`, kills it with SIGKILL after `after` unless it ended first; true when the kill
/// landed (a fault was injected).
fn kill_after(args: &[&str], after: Duration) -> bool {
    let mut child = Command::new(binary()).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn ladder");
    let deadline = Instant::now() + after;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let landed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    landed
}

/// Every file under `dir` (relative path → bytes), with the run tables' `seconds` column
/// (wall clock) blanked and lock/temporary files left out.
fn tables(dir: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            if name.ends_with(".parquet") || name.ends_with(".png") || name.ends_with(".svg") || name.contains(".tmp") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let curve = name.starts_with("train-curves/");
            let lines = text
                .lines()
                .map(|l| if curve { l.rsplit_once(',').map_or(l, |(head, _)| head).to_string() } else { l.to_string() })
                .collect();
            out.insert(name, lines);
        }
    }
    out
}

/// Lines of `reference` missing from `got` (rows lost), over all files.
fn rows_lost(reference: &std::collections::BTreeMap<String, Vec<String>>, got: &std::collections::BTreeMap<String, Vec<String>>) -> usize {
    reference.iter().map(|(name, lines)| got.get(name).map_or(lines.len(), |g| lines.iter().filter(|l| !g.contains(l)).count())).sum()
}

struct Counts {
    trials: usize,
    injected: usize,
    survived: usize,
    lost: usize,
}

/// The suite's tiny ladder in `dir` on `data`: two rungs and a target, 3 evaluations.
fn experiment(dir: &Path, data: &[String], tokenizer: &str) -> String {
    common::tiny_experiment(
        dir,
        tokenizer,
        data,
        3,
        "[[rung]]\nsize = \"u25k\"\nmultipliers = [0.05, 0.1]\n\n[[target]]\nsize = \"u25k\"\nmultiplier = 0.2\n",
    )
}

fn cut(path: &Path, keep: f64) {
    let bytes = std::fs::read(path).unwrap();
    std::fs::write(path, &bytes[..(bytes.len() as f64 * keep) as usize]).unwrap();
}

#[test]
fn kills_and_corruptions_lose_nothing() {
    let root = std::env::temp_dir().join(format!("ladder-faults-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let data = common::text_files();
    let mut counts = Counts { trials: 0, injected: 0, survived: 0, lost: 0 };

    // The uninterrupted reference.
    let reference_dir = root.join("reference");
    let file = experiment(&reference_dir, &data, "bytes");
    let start = Instant::now();
    let out = ladder(&["run", &file]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run_seconds = start.elapsed().as_secs_f64();
    let reference = tables(&reference_dir.join("out"));
    assert!(reference.len() >= 6, "{:?}", reference.keys());

    // kill -9 during `ladder run` (training, checkpointing, logging, collecting), 1–3 times per
    // trial, then run to the end.
    for trial in 0..KILL_TRIALS {
        let dir = root.join(format!("run-{trial}"));
        let file = experiment(&dir, &data, "bytes");
        let kills = 1 + (draw(trial * 7) * 3.0) as u64;
        let mut landed = 0;
        for k in 0..kills {
            let at = Duration::from_secs_f64(run_seconds * (0.05 + 0.9 * draw(trial * 131 + k)));
            landed += kill_after(&["run", &file], at) as usize;
        }
        let out = ladder(&["run", &file]);
        let ok = out.status.success();
        let lost = if ok { rows_lost(&reference, &tables(&dir.join("out"))) } else { usize::MAX };
        let same = ok && tables(&dir.join("out")) == reference;
        counts.trials += 1;
        counts.injected += landed;
        counts.survived += if same { landed } else { 0 };
        counts.lost += lost.min(1_000_000);
        assert!(same, "run trial {trial} ({landed} kills): {} rows lost; {}", lost, String::from_utf8_lossy(&out.stderr));
    }

    // kill -9 during `ladder ablate`, then rerun into the same folder.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let ablation = repo.join("experiments/cpu-ablation.toml").display().to_string();
    let ablate_ref = root.join("ablate-reference");
    let start = Instant::now();
    let out = ladder(&["ablate", &ablation, "--no-figures", "--out", &ablate_ref.display().to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ablate_seconds = start.elapsed().as_secs_f64();
    let ablate_tables = tables(&ablate_ref);
    for trial in 0..KILL_TRIALS {
        let dir = root.join(format!("ablate-{trial}")).display().to_string();
        let args = ["ablate", ablation.as_str(), "--no-figures", "--out", dir.as_str()];
        let landed = kill_after(&args, Duration::from_secs_f64(ablate_seconds * (0.05 + 0.95 * draw(1000 + trial)))) as usize;
        let out = ladder(&args);
        let got = tables(Path::new(&dir));
        let same = out.status.success() && got == ablate_tables;
        counts.trials += 1;
        counts.injected += landed;
        counts.survived += if same { landed } else { 0 };
        counts.lost += rows_lost(&ablate_tables, &got);
        assert!(same, "ablate trial {trial}: {}", String::from_utf8_lossy(&out.stderr));
    }

    // kill -9 during `ladder data tokenizer`, then rerun.
    let mix = root.join("mix.toml");
    let listed: Vec<String> = data.iter().map(|f| format!("{f:?}")).collect();
    std::fs::write(&mix, format!("[[source]]\nname = \"docs\"\nweight = 1\nfiles = [{}]\n", listed.join(", "))).unwrap();
    let tokenizer_args = |out: &Path| -> Vec<String> {
        [
            "data",
            "tokenizer",
            "--mix",
            &mix.display().to_string(),
            "--vocab",
            "600",
            "--sample-bytes",
            "400000",
            "--out",
            &out.display().to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let tok_ref = root.join("tokenizer-reference.json");
    let start = Instant::now();
    let out = ladder(&tokenizer_args(&tok_ref).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tok_seconds = start.elapsed().as_secs_f64();
    let tok_bytes = std::fs::read(&tok_ref).unwrap();
    for trial in 0..KILL_TRIALS {
        let path = root.join(format!("tokenizer-{trial}.json"));
        let args = tokenizer_args(&path);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let landed = kill_after(&args, Duration::from_secs_f64(tok_seconds * (0.05 + 0.95 * draw(2000 + trial)))) as usize;
        // What a kill leaves is never half a tokenizer: nothing, or the whole file.
        let whole = !path.exists() || std::fs::read(&path).unwrap() == tok_bytes;
        let out = ladder(&args);
        let same = whole && out.status.success() && std::fs::read(&path).unwrap() == tok_bytes;
        counts.trials += 1;
        counts.injected += landed;
        counts.survived += if same { landed } else { 0 };
        assert!(same, "tokenizer trial {trial}: whole after the kill: {whole}; {}", String::from_utf8_lossy(&out.stderr));
    }

    // Corruptions of a finished ladder, each repaired by the next `ladder run` to the reference
    // tables: the newest checkpoint cut with the last evaluation lost, run.csv cut, evals.csv cut.
    type Corrupt = fn(&Path);
    let corruptions: [(&str, Corrupt); 3] = [
        ("newest checkpoint cut, its evaluation lost", |run: &Path| {
            let mut steps: Vec<PathBuf> = std::fs::read_dir(run.join("checkpoints")).unwrap().map(|e| e.unwrap().path()).collect();
            steps.sort();
            cut(&steps.last().unwrap().join("model.bpk"), 0.5);
            let evals = std::fs::read_to_string(run.join("evals.csv")).unwrap();
            let last_step = evals.lines().last().unwrap().split(',').next().unwrap().to_string();
            let kept: Vec<&str> = evals.lines().filter(|l| l.split(',').next() != Some(last_step.as_str())).collect();
            std::fs::write(run.join("evals.csv"), kept.join("\n") + "\n").unwrap();
        }),
        ("run.csv cut in half", |run: &Path| cut(&run.join("run.csv"), 0.5)),
        ("evals.csv cut in half", |run: &Path| cut(&run.join("evals.csv"), 0.5)),
    ];
    for (i, (what, corrupt)) in corruptions.iter().enumerate() {
        let dir = root.join(format!("corrupt-{i}"));
        let file = experiment(&dir, &data, "bytes");
        assert!(ladder(&["run", &file]).status.success());
        corrupt(&dir.join("work/u25k-0.1xC"));
        let out = ladder(&["run", &file]);
        let got = tables(&dir.join("out"));
        let same = out.status.success() && got == reference;
        counts.trials += 1;
        counts.injected += 1;
        counts.survived += same as usize;
        counts.lost += rows_lost(&reference, &got);
        assert!(same, "{what}: {}", String::from_utf8_lossy(&out.stderr));
    }

    // Corruptions that cannot be repaired: a clear error naming the file, no panic.
    let dir = root.join("broken");
    let tok = dir.join("tok.json");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&tok, &tok_bytes[..tok_bytes.len() / 2]).unwrap();
    let broken_tokenizer = experiment(&dir, &data, &tok.display().to_string());
    let broken_experiment = dir.join("cut.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&broken_experiment, &text[..text.len() * 2 / 3]).unwrap();
    let olmo = dir.join("olmo");
    std::fs::create_dir_all(olmo.join("configs")).unwrap();
    let config = std::fs::read_to_string(reference_dir.join("out/configs/tiny.json")).unwrap();
    std::fs::write(olmo.join("configs/final.json"), &config[..config.len() / 2]).unwrap();
    let checks: [(Vec<String>, String); 3] = [
        (vec!["run".into(), broken_tokenizer], "tok.json".into()),
        (vec!["run".into(), broken_experiment.display().to_string()], "cut.toml".into()),
        (
            vec![
                "predict".into(),
                "--data".into(),
                olmo.display().to_string(),
                "--n".into(),
                "1e6".into(),
                "--d".into(),
                "1e8".into(),
                "--out".into(),
                dir.join("p").display().to_string(),
            ],
            "final.json".into(),
        ),
    ];
    for (args, names) in &checks {
        let out = ladder(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let err = String::from_utf8_lossy(&out.stderr);
        let clear = !out.status.success() && err.contains(names.as_str()) && !err.contains("panicked");
        counts.trials += 1;
        counts.injected += 1;
        counts.survived += clear as usize;
        assert!(clear, "{args:?}: {err}");
    }

    println!(
        "fault injection: {} trials, {} faults injected, {} survived, {} rows lost",
        counts.trials, counts.injected, counts.survived, counts.lost
    );
    assert_eq!(counts.lost, 0);
    assert_eq!(counts.injected, counts.survived);
    let _ = std::fs::remove_dir_all(&root);
}

/// kill -9 during `ladder data prepare --sources fortunes` (download, unpack, extract, manifest,
/// micro tasks), then rerun into the same cache: the corpus, the manifest and the micro tasks
/// equal an uninterrupted preparation's. Needs Debian's package registry (`apt-get download`).
#[test]
#[ignore]
fn killed_data_preparation_loses_nothing() {
    let root = std::env::temp_dir().join(format!("ladder-faults-prepare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let prepare = |cache: &Path| -> Vec<String> {
        ["data", "prepare", "--sources", "fortunes", "--cache", &cache.display().to_string()].iter().map(|s| s.to_string()).collect()
    };
    let outputs = |cache: &Path| {
        let mut all = tables(&cache.join("corpora"));
        all.extend(tables(&cache.join("micro-tasks")).into_iter().map(|(k, v)| (format!("micro-tasks/{k}"), v)));
        all.insert(
            "manifest.json".into(),
            std::fs::read_to_string(cache.join("manifest.json")).unwrap_or_default().lines().map(str::to_string).collect(),
        );
        all
    };
    let reference = root.join("reference");
    let start = Instant::now();
    let out = ladder(&prepare(&reference).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let seconds = start.elapsed().as_secs_f64();
    let expected = outputs(&reference);
    assert!(expected.keys().any(|k| k.ends_with("fortunes.jsonl")), "{:?}", expected.keys());
    let (mut injected, mut survived) = (0, 0);
    for trial in 0..KILL_TRIALS {
        let cache = root.join(format!("trial-{trial}"));
        let args = prepare(&cache);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let landed = kill_after(&args, Duration::from_secs_f64(seconds * (0.05 + 0.95 * draw(3000 + trial)))) as usize;
        let out = ladder(&args);
        let same = out.status.success() && outputs(&cache) == expected;
        injected += landed;
        survived += if same { landed } else { 0 };
        assert!(same, "prepare trial {trial}: {}", String::from_utf8_lossy(&out.stderr));
    }
    println!("fault injection (data prepare): {KILL_TRIALS} trials, {injected} faults injected, {survived} survived, 0 rows lost");
    let _ = std::fs::remove_dir_all(&root);
}
