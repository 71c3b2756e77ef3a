//! The architecture's dimensions and what follows from them: parameter counts and FLOPs.

use crate::ScheduleError;
use serde::{Deserialize, Serialize};

/// Dimensions of an OLMo-2 ("peteish") decoder (`ladder-recipe.md` §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelShape {
    /// Residual stream width d.
    pub d_model: usize,
    /// Number of identical blocks.
    pub n_layers: usize,
    /// Attention heads (head dim = d / heads; no GQA).
    pub n_heads: usize,
    /// SwiGLU inner width (half of the MLP input projection): 4d for ladder sizes.
    pub mlp_inner: usize,
    /// Rows of the embedding and LM head (the tokenizer's vocabulary, padded).
    pub vocab: usize,
    /// Training sequence length L.
    pub seq_len: usize,
}

impl ModelShape {
    /// A shape with the ladder's MLP rule (inner width 4d), checked.
    pub fn new(d_model: usize, n_layers: usize, n_heads: usize, vocab: usize, seq_len: usize) -> Result<Self, ScheduleError> {
        Self { d_model, n_layers, n_heads, mlp_inner: 4 * d_model, vocab, seq_len }.validated()
    }

    /// The shape itself if it can exist, else why not.
    pub fn validated(self) -> Result<Self, ScheduleError> {
        let why = if self.d_model == 0
            || self.n_layers == 0
            || self.n_heads == 0
            || self.mlp_inner == 0
            || self.vocab == 0
            || self.seq_len == 0
        {
            Some("every dimension must be positive".to_string())
        } else if !self.d_model.is_multiple_of(self.n_heads) {
            Some(format!("d_model {} is not divisible by n_heads {}", self.d_model, self.n_heads))
        } else if !self.head_dim().is_multiple_of(2) {
            Some(format!("head dim {} must be even for RoPE", self.head_dim()))
        } else {
            None
        };
        match why {
            Some(why) => Err(ScheduleError::InvalidShape {
                name: format!("d={} layers={} heads={}", self.d_model, self.n_layers, self.n_heads),
                why,
            }),
            None => Ok(self),
        }
    }

    /// Head dimension d / heads.
    pub fn head_dim(&self) -> usize {
        self.d_model / self.n_heads
    }

    /// Parameters of one block: fused QKV and output (4d²), SwiGLU in (d·2·inner) and out
    /// (inner·d), four RMSNorm gains (attention-out, MLP-out, q, k).
    pub fn block_params(&self) -> u64 {
        let (d, h) = (self.d_model as u64, self.mlp_inner as u64);
        4 * d * d + 3 * d * h + 4 * d
    }

    /// The input embedding matrix (d × vocab).
    pub fn embedding_params(&self) -> u64 {
        (self.d_model * self.vocab) as u64
    }

    /// N as the fits use it: every parameter except the input embedding (the untied LM head,
    /// every norm gain and the final norm included).
    pub fn non_embedding_params(&self) -> u64 {
        self.n_layers as u64 * self.block_params() + self.d_model as u64 + self.embedding_params()
    }

    /// All parameters: N plus the input embedding.
    pub fn total_params(&self) -> u64 {
        self.non_embedding_params() + self.embedding_params()
    }

    /// Training FLOPs per token as OLMo counts them (§7): 6N + 4·N_emb + 12·layers·d·L.
    pub fn flops_per_token(&self) -> u64 {
        6 * self.non_embedding_params() + 4 * self.embedding_params() + 12 * (self.n_layers * self.d_model * self.seq_len) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_shapes_are_refused_with_the_reason() {
        let err = ModelShape::new(30, 2, 4, 256, 64).unwrap_err();
        assert!(err.to_string().contains("not divisible"), "{err}");
        let err = ModelShape::new(6, 2, 2, 256, 64).unwrap_err();
        assert!(err.to_string().contains("even"), "{err}");
        assert!(ModelShape::new(0, 2, 2, 256, 64).is_err());
    }
}
