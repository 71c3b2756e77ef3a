//! Importer for the OLMo-ladder data format: one wide CSV per run (a row per evaluated
//! checkpoint) and JSON configs that group runs into entries (method.md §1).

mod config;
mod run_csv;
mod write;

pub use config::{load_config, load_config_with, ConfigEntry, DATA_RUNS_DIR};
pub use run_csv::{multiplier_of, read_run_csv, read_run_csv_with, Missing, Skipped, BATCH, STEP, TOKENS};
pub use write::write_ladder;

use std::path::{Path, PathBuf};

use ladder_core::error::Result;
use ladder_core::ladder::Ladder;

/// Environment variable that points at the OLMo-ladder data folder.
pub const DATA_ENV: &str = "OLMO_LADDER_DATA";

/// The data folder: `$OLMO_LADDER_DATA`, else `../shared/olmo-ladder` relative to `base`.
pub fn default_data_dir(base: &Path) -> PathBuf {
    std::env::var_os(DATA_ENV).map(PathBuf::from).unwrap_or_else(|| base.join("../shared/olmo-ladder"))
}

/// Loads `configs/<name>.json` of a data folder with every run it lists.
pub fn load_ladder(data_dir: &Path, config_name: &str) -> Result<Ladder> {
    load_config(&data_dir.join("configs").join(format!("{config_name}.json")), &data_dir.join(DATA_RUNS_DIR))
}

/// [`load_ladder`] with a policy for missing metric cells (a W&B export), and what it skipped.
pub fn load_ladder_with(data_dir: &Path, config_name: &str, missing: Missing) -> Result<(Ladder, Skipped)> {
    load_config_with(&data_dir.join("configs").join(format!("{config_name}.json")), &data_dir.join(DATA_RUNS_DIR), missing)
}
