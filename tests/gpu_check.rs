//! `scripts/gpu-check.sh --device flex`: the one-shot device check runs end to end on the CPU and
//! writes what it will write on a GPU: numerics against flex (here identical, to the bit), the
//! throughput table of each rung, the PyTorch comparison (or why there is none), and a short
//! ladder collected into a folder the importer reads. Ignored (two minutes); `.ci/run` runs it.
#![cfg(feature = "train")]

use std::path::Path;
use std::process::Command;

fn rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
}

#[test]
#[ignore]
fn the_device_check_runs_end_to_end_on_flex() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let out = std::env::temp_dir().join(format!("ladder-gpu-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new("bash")
        .arg(repo.join("scripts/gpu-check.sh"))
        .args(["--device", "flex", "--rungs", "u25k,u45k", "--binary", env!("CARGO_BIN_EXE_ladder"), "--out"])
        .arg(&out)
        .status()
        .expect("bash");
    assert!(status.success());
    let steps = std::fs::read_to_string(out.join("status.tsv")).unwrap();
    for step in ["numerics-f32", "bench-ladder-f32", "bench-ladder-bf16", "ladder-run"] {
        assert!(steps.lines().any(|l| l.starts_with(&format!("{step}\tok"))), "{step} did not pass:\n{steps}");
    }
    // bf16 against flex on flex itself is refused (one precision per device and process), and
    // PyTorch is used only where it is importable: both are recorded, not fatal.
    assert!(steps.lines().any(|l| l.starts_with("numerics-bf16\t")) && steps.lines().any(|l| l.starts_with("bench-torch\t")), "{steps}");
    // flex against flex: every quantity equal to the bit.
    let numerics = rows(&out.join("numerics-f32.csv"));
    assert_eq!(
        numerics.iter().map(|r| r[3].as_str()).collect::<Vec<_>>(),
        ["logits", "loss", "loss", "loss", "grads", "grads", "grads", "weights"]
    );
    assert!(numerics.iter().all(|r| r[6].parse::<f64>().unwrap() == 0.0 && r[7].parse::<f64>().unwrap() > 0.0), "{numerics:?}");
    // One throughput row per rung, with the rung's shape.
    let bench = rows(&out.join("bench-ladder-f32.csv"));
    assert_eq!(bench.iter().map(|r| r[3].as_str()).collect::<Vec<_>>(), ["u25k", "u45k"]);
    assert!(bench.iter().all(|r| r[4] != "0" && r[14].parse::<f64>().unwrap() > 0.0), "{bench:?}");
    // The short ladder: three sizes and the target, read back by the importer.
    let ladder = ladder_io::olmo::load_ladder(&out.join("ladder/collected"), "gpu-check").unwrap();
    assert_eq!(ladder.entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["u10k", "u14k", "u25k", "u45k-1xC"]);
    assert!(ladder.entries.iter().all(|e| !e.runs.is_empty()));
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        summary.contains("## Throughput: ours and PyTorch's on the same shapes") && summary.contains("| ladder | f32 | u45k |"),
        "{summary}"
    );
    let _ = std::fs::remove_dir_all(&out);
}
