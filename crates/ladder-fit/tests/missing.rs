//! A W&B-style export of the paper's ladder with 20 % of its train runs' metric cells left empty
//! (not evaluated at that checkpoint): it loads with `Missing::Skip`, the skipped cells are
//! counted exactly, and the paper's two-step predictions of 7B-4T and 13B-5T stay close to the
//! full data's.

use std::path::{Path, PathBuf};

use ladder_core::{Mode, TaskSet};
use ladder_fit::design::{self, Design};
use ladder_fit::predict::Target;
use ladder_fit::project::{project, Projection};
use ladder_io::olmo::{self, Missing};

/// Blanked share of the metric cells.
const BLANK: f64 = 0.2;
/// Largest change of a predicted accuracy (absolute, 0–1 scale) the blanks may cause (measured:
/// 0.0035 on the 32 predictions).
const TOLERANCE: f64 = 0.01;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A deterministic uniform draw in [0, 1) for a cell (splitmix64 of its coordinates).
fn draw(file: usize, row: usize, col: usize) -> f64 {
    let mut z = (file as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ ((row as u64) << 20) ^ (col as u64);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A copy of the data folder whose train runs have `BLANK` of their metric cells emptied (the
/// step and token columns stay filled); returns the folder and the number of cells emptied.
fn blanked_copy(src: &Path, name: &str) -> (PathBuf, usize) {
    let dir = std::env::temp_dir().join(format!("ladder-fit-missing-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::fs::create_dir_all(dir.join("ladder-runs")).unwrap();
    std::fs::copy(src.join("configs/final.json"), dir.join("configs/final.json")).unwrap();
    let ladder = olmo::load_ladder(src, "final").unwrap();
    let train: Vec<String> = ladder
        .entries
        .iter()
        .filter(|e| e.mode == Mode::Train)
        .flat_map(|e| &e.runs)
        .map(|r| r.source.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let structural = ["_step", "throughput/total_tokens", "batch_size_in_tokens"];
    let mut blanked = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(src.join("ladder-runs")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for (f, path) in files.iter().enumerate() {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let out = if train.contains(&file) {
            let mut lines = text.lines();
            let header: Vec<&str> = lines.next().unwrap().split(',').collect();
            let mut out = vec![header.join(",")];
            for (row, line) in lines.enumerate() {
                let cells: Vec<&str> = line.split(',').collect();
                let cells: Vec<&str> = cells
                    .iter()
                    .enumerate()
                    .map(|(col, &cell)| {
                        if !structural.contains(&header[col]) && draw(f, row, col) < BLANK {
                            blanked += 1;
                            ""
                        } else {
                            cell
                        }
                    })
                    .collect();
                out.push(cells.join(","));
            }
            out.join("\n") + "\n"
        } else {
            text
        };
        std::fs::write(dir.join("ladder-runs").join(&file), out).unwrap();
    }
    (dir, blanked)
}

fn paper_design() -> Box<dyn Design> {
    design::build(&"name = \"two_step_bpb\"\nkind = \"two_step\"".parse::<toml::Table>().unwrap()).unwrap()
}

#[test]
fn a_wandb_export_with_a_fifth_of_its_cells_empty_predicts_like_the_full_data() {
    let src = olmo::default_data_dir(&workspace());
    let (dir, blanked) = blanked_copy(&src, "fifth");
    // Read strictly, the first empty cell is an error naming its file, line and column.
    let err = olmo::load_ladder(&dir, "final").unwrap_err().to_string();
    assert!(err.contains(".csv") && err.contains("line"), "{err}");
    let (sparse, skipped) = olmo::load_ladder_with(&dir, "final", Missing::Skip).unwrap();
    let counted: usize = skipped.iter().map(|(_, _, n)| n).sum();
    assert_eq!(counted, blanked, "every emptied cell is counted once");
    let cells: usize = sparse
        .entries
        .iter()
        .filter(|e| e.mode == Mode::Train)
        .flat_map(|e| &e.runs)
        .map(|r| r.checkpoints.metrics.len() * r.checkpoints.tokens.len())
        .sum();
    let share = blanked as f64 / cells as f64;
    assert!((share - BLANK).abs() < 0.02, "blanked {share:.3} of the metric cells");

    let full = olmo::load_ladder(&src, "final").unwrap();
    let set = TaskSet::get("v2_main").unwrap();
    let targets: Vec<Projection> = ["7B-4T", "13B-5T"]
        .iter()
        .map(|name| {
            let entry = full.entry(name).unwrap();
            let t = Target::of(entry);
            Projection::new(t.n, t.d, Some(entry.flops_per_token)).unwrap()
        })
        .collect();
    let design = paper_design();
    let on_full = project(&full, design.as_ref(), &set.tasks, &targets, 0.9).unwrap();
    let on_sparse = project(&sparse, design.as_ref(), &set.tasks, &targets, 0.9).unwrap();
    assert_eq!(on_full.height(), on_sparse.height());
    let column = |df: &polars::prelude::DataFrame, name: &str| -> Vec<f64> {
        let c = df.column(name).unwrap().f64().unwrap().clone();
        (0..c.len()).map(|i| c.get(i).unwrap_or(f64::NAN)).collect()
    };
    let (a, b) = (column(&on_full, "predicted"), column(&on_sparse, "predicted"));
    let worst = a.iter().zip(&b).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    eprintln!("{blanked} cells blanked ({share:.3}); largest change of a predicted accuracy {worst:.4}");
    assert!(a.iter().chain(&b).all(|v| v.is_finite()), "every task still predicts");
    assert!(worst <= TOLERANCE, "a prediction moved {worst:.4} > {TOLERANCE}");
    // The blanks did change the fits (the test would pass trivially otherwise).
    assert!(worst > 1e-6, "no prediction changed");
    let _ = std::fs::remove_dir_all(&dir);
}
