//! Keys and values of a shared prefix, computed once and reused for every sequence that follows
//! it (the evaluation's 5-shot prompts).

use burn::prelude::*;

/// One block's keys and values after RoPE, `[batch, heads, len, head_dim]`.
#[derive(Debug, Clone)]
pub struct LayerKv {
    /// Keys (rotated).
    pub k: Tensor<4>,
    /// Values.
    pub v: Tensor<4>,
}

/// Every block's keys and values of a prefix of `len` tokens (batch 1).
#[derive(Debug, Clone)]
pub struct KvCache {
    /// By block.
    pub layers: Vec<LayerKv>,
    /// Prefix length in tokens: the position the next token takes.
    pub len: usize,
}
