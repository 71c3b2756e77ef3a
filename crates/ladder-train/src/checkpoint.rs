//! Checkpoints: `checkpoints/step-00000123/{model.bpk, optimizer.bpk}`, written into a temporary
//! folder and renamed, so a kill never leaves a half-written checkpoint behind.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::prelude::*;
use ladder_model::{Model, ModelConfig};

use crate::TrainError;

fn folder(run_dir: &Path) -> PathBuf {
    run_dir.join("checkpoints")
}

/// Save model and optimizer state after `step`.
pub fn save(run_dir: &Path, step: u64, model: &Model, optim: &ModuleOptimizer) -> Result<PathBuf, TrainError> {
    let root = folder(run_dir);
    let tmp = root.join(format!(".partial-{step:08}"));
    let done = root.join(format!("step-{step:08}"));
    std::fs::create_dir_all(&tmp).map_err(|e| TrainError::file(&tmp, e))?;
    model.clone().save_file(tmp.join("model.bpk")).map_err(|e| TrainError::file(tmp.join("model.bpk"), format!("{e:?}")))?;
    optim.save(tmp.join("optimizer.bpk")).map_err(|e| TrainError::file(tmp.join("optimizer.bpk"), format!("{e:?}")))?;
    if done.exists() {
        std::fs::remove_dir_all(&done).map_err(|e| TrainError::file(&done, e))?;
    }
    std::fs::rename(&tmp, &done).map_err(|e| TrainError::file(&done, e))?;
    Ok(done)
}

/// The latest complete checkpoint of a run: (step, folder).
pub fn latest(run_dir: &Path) -> Option<(u64, PathBuf)> {
    complete(run_dir).into_iter().next()
}

/// Every complete checkpoint of a run, newest first.
pub fn complete(run_dir: &Path) -> Vec<(u64, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(folder(run_dir)) else { return Vec::new() };
    let mut all: Vec<(u64, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let step = name.strip_prefix("step-")?.parse::<u64>().ok()?;
            Some((step, e.path()))
        })
        .collect();
    all.sort_by_key(|(step, _)| std::cmp::Reverse(*step));
    all
}

/// The newest checkpoint at or before step `at_most` that loads: one that does not (truncated,
/// corrupt) is skipped with a warning for the one before it. `None` when there is no such
/// checkpoint; the newest one's error when none loads.
pub fn load_newest_good(
    run_dir: &Path,
    at_most: u64,
    config: &ModelConfig,
    device: &Device,
    optim: impl Fn(&Model) -> ModuleOptimizer,
) -> Result<Option<(u64, Model, ModuleOptimizer)>, TrainError> {
    let mut first_error = None;
    for (step, dir) in complete(run_dir).into_iter().filter(|(step, _)| *step <= at_most) {
        match load(&dir, config, device, &optim) {
            Ok((model, optimizer)) => {
                if let Some(e) = &first_error {
                    eprintln!(
                        "warning: {}: resuming from step {step}, the newest checkpoint that loads (a newer one failed: {e})",
                        run_dir.display()
                    );
                }
                return Ok(Some((step, model, optimizer)));
            }
            Err(e) => {
                eprintln!("warning: checkpoint {} does not load: {e}", dir.display());
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(None), Err)
}

/// Load a checkpoint's weights into a model built from `config` (for evaluation).
pub fn load_model(dir: &Path, config: &ModelConfig, device: &Device) -> Result<Model, TrainError> {
    config.init(device, 0).try_load_file(dir.join("model.bpk")).map_err(|e| TrainError::file(dir.join("model.bpk"), format!("{e:?}")))
}

/// Load a checkpoint into a model built from `config` and the optimizer `optim`.
pub fn load(
    dir: &Path,
    config: &ModelConfig,
    device: &Device,
    optim: impl FnOnce(&Model) -> ModuleOptimizer,
) -> Result<(Model, ModuleOptimizer), TrainError> {
    let model = load_model(dir, config, device)?;
    let optim = optim(&model).load(dir.join("optimizer.bpk")).map_err(|e| TrainError::file(dir.join("optimizer.bpk"), format!("{e:?}")))?;
    Ok((model, optim))
}
