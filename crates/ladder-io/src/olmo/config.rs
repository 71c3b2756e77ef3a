//! JSON configs: entry name → {paths, mode, n, flops}; paths resolved by file name.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::olmo::run_csv::{read_run_csv_with, Missing, Skipped};
use ladder_core::error::{LadderError, Result};
use ladder_core::ladder::{Entry, Ladder, Mode};

/// Sub-folder of a data folder that holds the run CSVs.
pub const DATA_RUNS_DIR: &str = "ladder-runs";

/// One entry of a config file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigEntry {
    /// Run CSVs (only their file names are used).
    pub paths: Vec<String>,
    /// `train` or `eval`.
    pub mode: Mode,
    /// Non-embedding parameter count.
    pub n: f64,
    /// FLOPs per token. Configs from the authors' repository leave it out: their scripts look
    /// it up in `MODEL_FLOPS` by the size that starts the entry's name, and so does the reader
    /// ([`ladder_core::scale::paper_size`]); any other name without it is refused.
    pub flops: Option<f64>,
    /// Display name in the reference scripts' plots (not used).
    #[serde(default)]
    pub label: Option<String>,
    /// Plot colour in the reference scripts (not used).
    #[serde(default)]
    pub color: Option<String>,
}

impl ConfigEntry {
    /// An entry as the writers write it: `paths`, `mode`, `n`, `flops`, whole numbers without a
    /// fraction.
    pub fn json(paths: &[String], mode: Mode, n: f64, flops_per_token: f64) -> serde_json::Value {
        let number = |x: f64| if x.fract() == 0.0 && x.abs() < 2f64.powi(53) { serde_json::json!(x as i64) } else { serde_json::json!(x) };
        serde_json::json!({ "paths": paths, "mode": mode.name(), "n": number(n), "flops": number(flops_per_token) })
    }
}

/// Loads a config and every run it lists; each path is resolved by its file name in `runs_dir`.
pub fn load_config(config: &Path, runs_dir: &Path) -> Result<Ladder> {
    load_config_with(config, runs_dir, Missing::Refuse).map(|(ladder, _)| ladder)
}

/// [`load_config`] with a policy for missing metric cells, and what it skipped.
pub fn load_config_with(config: &Path, runs_dir: &Path, missing: Missing) -> Result<(Ladder, Skipped)> {
    let mut skipped = Skipped::new();
    let text = std::fs::read_to_string(config).map_err(|source| LadderError::Io { path: config.to_path_buf(), source })?;
    let raw: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).map_err(|e| LadderError::Malformed {
        path: config.to_path_buf(),
        line: e.line() as u64,
        message: format!("{e} (expected an object of entries {{\"paths\", \"mode\", \"n\", \"flops\"}})"),
    })?;
    let mut entries = Vec::with_capacity(raw.len());
    for (name, value) in raw {
        let bad = |message: String| LadderError::BadConfig { config: config.to_path_buf(), entry: name.clone(), message };
        let entry: ConfigEntry = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        let mode = entry.mode;
        if !(entry.n.is_finite() && entry.n > 0.0) {
            return Err(bad(format!("n must be a positive number, found {}", entry.n)));
        }
        let flops_per_token = entry
            .flops
            .or_else(|| ladder_core::scale::paper_size(&name).map(|s| s.flops_per_token))
            .ok_or_else(|| bad("no `flops` given and the name is not a known paper size".to_string()))?;
        if entry.paths.is_empty() {
            return Err(bad("`paths` is empty".to_string()));
        }
        let runs = entry
            .paths
            .iter()
            .map(|listed| {
                let file = Path::new(listed).file_name().map(PathBuf::from).unwrap_or_default();
                let resolved = runs_dir.join(file);
                if !resolved.is_file() {
                    return Err(LadderError::MissingRunFile {
                        config: config.to_path_buf(),
                        entry: name.clone(),
                        listed: listed.clone(),
                        resolved,
                    });
                }
                let (run, skips) = read_run_csv_with(&resolved, missing)?;
                skipped.extend(skips);
                Ok(run)
            })
            .collect::<Result<Vec<_>>>()?;
        entries.push(Entry { name, mode, n: entry.n, flops_per_token, runs });
    }
    Ok((Ladder { entries }, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flops_default_to_the_reference_table_by_the_names_size_and_are_required_otherwise() {
        let dir = std::env::temp_dir().join(format!("ladder-io-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("r.csv"), "_step,batch_size_in_tokens,m\n10,4,1.5\n").unwrap();
        let config = |entries: &str| {
            let path = dir.join("c.json");
            std::fs::write(&path, entries).unwrap();
            load_config(&path, &dir)
        };
        // method.md §1: 7B-4T has F = 49 412 071 424 FLOPs per token (not 6N).
        let ladder = config(r#"{"7B-4T": {"paths": ["x/r.csv"], "mode": "eval", "n": 6887575552}}"#).unwrap();
        assert_eq!(ladder.entries[0].flops_per_token, 49_412_071_424.0);
        let given = config(r#"{"7B-4T": {"paths": ["r.csv"], "mode": "eval", "n": 1, "flops": 7}}"#).unwrap();
        assert_eq!(given.entries[0].flops_per_token, 7.0);
        let err = config(r#"{"mine": {"paths": ["r.csv"], "mode": "train", "n": 1}}"#).unwrap_err().to_string();
        assert!(err.contains("mine") && err.contains("flops"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
