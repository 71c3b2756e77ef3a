//! The model's configuration: dimensions from a [`ModelShape`] plus the numerics of §1.

use burn::prelude::*;
use ladder_schedule::ModelShape;

use crate::model::Model;

/// Everything needed to build a [`Model`].
#[derive(Config, Debug, PartialEq)]
pub struct ModelConfig {
    /// Residual width d.
    pub d_model: usize,
    /// Number of blocks.
    pub n_layers: usize,
    /// Attention heads.
    pub n_heads: usize,
    /// SwiGLU inner width (4d on the ladder).
    pub mlp_inner: usize,
    /// Embedding and LM-head rows.
    pub vocab: usize,
    /// Longest sequence the RoPE tables cover.
    pub max_seq_len: usize,
    /// RoPE base θ.
    #[config(default = 500000.0)]
    pub rope_theta: f64,
    /// RMSNorm epsilon.
    #[config(default = 1e-6)]
    pub norm_eps: f64,
    /// σ of the truncated-normal init of every linear weight and the embedding.
    #[config(default = 0.02)]
    pub init_std: f64,
    /// Truncation of the init at ± this many σ.
    #[config(default = 3.0)]
    pub init_cutoff: f64,
}

impl ModelConfig {
    /// The configuration of a schedule's model shape.
    pub fn from_shape(shape: &ModelShape) -> Self {
        Self::new(shape.d_model, shape.n_layers, shape.n_heads, shape.mlp_inner, shape.vocab, shape.seq_len)
    }

    /// The shape this configuration builds.
    pub fn shape(&self) -> ModelShape {
        ModelShape {
            d_model: self.d_model,
            n_layers: self.n_layers,
            n_heads: self.n_heads,
            mlp_inner: self.mlp_inner,
            vocab: self.vocab,
            seq_len: self.max_seq_len,
        }
    }

    /// Build the model on `device` with weights drawn from `seed`.
    pub fn init(&self, device: &Device, seed: u64) -> Model {
        Model::new(self, device, seed)
    }
}
