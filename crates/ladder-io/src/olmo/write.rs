//! Writing a ladder in the OLMo-ladder layout: `ladder-runs/<run>.csv` per run and
//! `configs/<config>.json` grouping them, readable by [`super::load_ladder_with`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::olmo::config::{ConfigEntry, DATA_RUNS_DIR};
use ladder_core::error::{LadderError, Result};
use ladder_core::fsio::write_atomic;
use ladder_core::ladder::Ladder;

use super::run_csv::{STEP, TOKENS};

/// Writes every run of `ladder` under `dir` and the config `configs/<config>.json`; returns the
/// files written. A value that is missing (NaN) is written as an empty cell, as W&B exports do,
/// so the folder reads back with [`super::Missing::Skip`] (and with the strict reader when
/// nothing is missing). Runs are named after their run name, which must be unique.
pub fn write_ladder(ladder: &Ladder, dir: &Path, config: &str) -> Result<Vec<PathBuf>> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LadderError::Io { path, source }
    };
    let runs_dir = dir.join(DATA_RUNS_DIR);
    let configs = dir.join("configs");
    for folder in [&runs_dir, &configs] {
        std::fs::create_dir_all(folder).map_err(io(folder))?;
    }
    let mut seen = HashSet::new();
    let mut written = Vec::new();
    let mut entries = serde_json::Map::new();
    for entry in &ladder.entries {
        let mut paths = Vec::new();
        for run in &entry.runs {
            if !seen.insert(run.name.clone()) {
                return Err(LadderError::BadConfig {
                    config: configs.join(format!("{config}.json")),
                    entry: entry.name.clone(),
                    message: format!("two runs are named `{}`; run files are named after runs", run.name),
                });
            }
            let ck = &run.checkpoints;
            let mut header: Vec<&str> = Vec::new();
            if ck.steps.is_some() {
                header.push(STEP);
            }
            header.extend(ck.metrics.iter().map(|(name, _)| name.as_str()).filter(|name| *name != TOKENS));
            header.push(TOKENS);
            let mut text = header.join(",");
            text.push('\n');
            for (i, tokens) in ck.tokens.iter().enumerate() {
                let mut cells: Vec<String> = Vec::with_capacity(header.len());
                if let Some(steps) = &ck.steps {
                    cells.push(steps[i].to_string());
                }
                for (name, values) in &ck.metrics {
                    if name != TOKENS {
                        cells.push(values.get(i).filter(|v| v.is_finite()).map(|v| v.to_string()).unwrap_or_default());
                    }
                }
                cells.push(tokens.to_string());
                text.push_str(&cells.join(","));
                text.push('\n');
            }
            let file = format!("{}.csv", run.name);
            let path = runs_dir.join(&file);
            write_atomic(&path, text).map_err(io(&path))?;
            written.push(path);
            paths.push(format!("{DATA_RUNS_DIR}/{file}"));
        }
        entries.insert(entry.name.clone(), ConfigEntry::json(&paths, entry.mode, entry.n, entry.flops_per_token));
    }
    let path = configs.join(format!("{config}.json"));
    let text = serde_json::to_string_pretty(&serde_json::Value::Object(entries)).expect("a JSON map serialises");
    write_atomic(&path, text + "\n").map_err(io(&path))?;
    written.push(path);
    Ok(written)
}
