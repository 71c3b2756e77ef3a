//! The OLMo-2 ("peteish") decoder of `ladder-recipe.md` §1 in burn 0.22.
//!
//! Backend-agnostic: nothing here names a backend; the [`burn::prelude::Device`] a model is
//! created on (flex on the CPU, a GPU backend when the binary is built with one) decides where it
//! runs. [`ModelConfig`] → [`Model`] follows burn's `Config`→`init` pattern; the weights are drawn
//! on the host from a seed, so the same seed gives the same model on every backend.

pub mod block;
pub mod cache;
pub mod config;
pub mod init;
pub mod loss;
pub mod model;
pub mod rope;

pub use cache::KvCache;
pub use config::ModelConfig;
pub use loss::LmLoss;
pub use model::Model;
