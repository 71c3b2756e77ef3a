//! A run's fingerprint (`fingerprint.json` in its folder, copied beside its collected tables):
//! everything that decides what it trains on and how. A resume, a skip of a finished run and a
//! kept collected run all compare it with the current configuration and refuse a mismatch,
//! naming the fields that differ.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use crate::{TrainConfig, TrainData, TrainError};

/// The file name in a run folder.
pub const FILE: &str = "fingerprint.json";

/// What identifies a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    /// The resolved plan (shape, batch, schedule, steps, eval steps, init seed).
    pub plan: serde_json::Value,
    /// The tokenizer's fingerprint: its name and, for a BPE, a hash of its merges (its content,
    /// not its path).
    pub tokenizer: String,
    /// Every text file the run reads, as `source/file` → content hash and size.
    pub data: BTreeMap<String, String>,
    /// The mix (weights, held-out windows, reserved documents); none for plain files.
    pub mix: Option<serde_json::Value>,
    /// Seed of the window order and the held-out windows.
    pub data_order: String,
    /// The in-loop tasks and their question limit.
    pub tasks: Option<String>,
    /// Backend and float precision the run trains on.
    pub device: String,
    /// The toolkit version that trained it.
    pub code: String,
}

/// Hashes of files already read in this process, by path, size and modification time.
static HASHES: Mutex<Option<HashMap<(PathBuf, u64, std::time::SystemTime), String>>> = Mutex::new(None);

fn content_hash(path: &Path) -> Result<String, TrainError> {
    let meta = std::fs::metadata(path).map_err(|e| TrainError::file(path, e))?;
    let key = (path.to_path_buf(), meta.len(), meta.modified().unwrap_or(std::time::UNIX_EPOCH));
    if let Some(hash) = HASHES.lock().expect("hash cache").get_or_insert_with(HashMap::new).get(&key) {
        return Ok(hash.clone());
    }
    let bytes = std::fs::read(path).map_err(|e| TrainError::file(path, e))?;
    let hash = format!("{:016x} ({} bytes)", ladder_data::prepare::manifest::fnv1a64(&bytes), bytes.len());
    HASHES.lock().expect("hash cache").get_or_insert_with(HashMap::new).insert(key, hash.clone());
    Ok(hash)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

impl Fingerprint {
    /// The fingerprint of `config` trained on `device` (reads the tokenizer and hashes every
    /// data file, once per process).
    pub fn of(config: &TrainConfig, device: &Device) -> Result<Fingerprint, TrainError> {
        let tokenizer = config.tokenizer.load()?.fingerprint();
        let mut data = BTreeMap::new();
        match &config.data {
            TrainData::Mix { mix, cache } => {
                for (source, files) in mix.sources.iter().zip(mix.files(cache)) {
                    for file in files {
                        data.insert(format!("{}/{}", source.name, file_name(&file)), content_hash(&file)?);
                    }
                }
            }
            TrainData::Files(files) => {
                for file in files {
                    data.insert(file_name(file), content_hash(file)?);
                }
            }
        }
        Ok(Fingerprint {
            plan: serde_json::to_value(&config.plan).expect("a plan serialises"),
            tokenizer,
            data,
            mix: config.data.mix().map(|m| serde_json::to_value(m).expect("a mix serialises")),
            data_order: format!("seed {}, {} held-out windows", config.data_seed, config.validation_windows),
            tasks: config.tasks.as_ref().map(|t| format!("{} (limit {:?})", t.tasks, t.limit)),
            device: format!("{device:?}, float {:?}", device.settings().float_dtype),
            code: env!("CARGO_PKG_VERSION").to_string(),
        })
    }

    /// The fields in which `self` (recorded) and `now` differ; `with_device` also compares the
    /// device and the code version (a resume continues one run's numerics; a finished run's
    /// tables stand whatever trains next).
    pub fn differences(&self, now: &Fingerprint, with_device: bool) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !same_json(&self.plan, &now.plan) {
            out.push("plan");
        }
        if self.tokenizer != now.tokenizer {
            out.push("tokenizer");
        }
        if self.data != now.data {
            out.push("data");
        }
        if !match (&self.mix, &now.mix) {
            (Some(a), Some(b)) => same_json(a, b),
            (a, b) => a == b,
        } {
            out.push("mix");
        }
        if self.data_order != now.data_order {
            out.push("data_order");
        }
        if self.tasks != now.tasks {
            out.push("tasks");
        }
        if with_device && self.device != now.device {
            out.push("device");
        }
        if with_device && self.code != now.code {
            out.push("code");
        }
        out
    }

    /// The fingerprint recorded at `path`: `None` when there is none (a run from before
    /// fingerprints), an error when it cannot be read.
    pub fn read(path: &Path) -> Result<Option<Fingerprint>, TrainError> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| TrainError::file(path, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(TrainError::file(path, e)),
        }
    }

    /// Writes it to `path` whole.
    pub fn write(&self, path: &Path) -> Result<(), TrainError> {
        ladder_core::fsio::write_atomic(path, serde_json::to_string_pretty(self).expect("a fingerprint serialises"))
            .map_err(|e| TrainError::file(path, e))
    }
}

/// Equal JSON, floats to 1e-12 relative (serde_json's default parser may miss the last bit).
pub fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w))),
        _ => a == b,
    }
}
