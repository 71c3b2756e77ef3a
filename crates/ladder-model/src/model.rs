//! The decoder: embedding → blocks → final RMSNorm → untied LM head.

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Linear, RmsNorm};
use burn::prelude::*;

use crate::block::{linear, norm, Block};
use crate::cache::{KvCache, LayerKv};
use crate::init::WeightInit;
use crate::rope::RopeTables;
use crate::ModelConfig;

/// An OLMo-2 decoder.
#[derive(Module, Debug)]
pub struct Model {
    /// Input embedding (the only parameter outside N; no weight decay).
    pub embedding: Embedding,
    /// The blocks.
    pub blocks: Vec<Block>,
    /// Final norm.
    pub ln_f: RmsNorm,
    /// Untied output projection d → vocab.
    pub lm_head: Linear,
    /// Heads per block (for the RoPE tables).
    pub n_heads: usize,
    /// RoPE base θ, in thousandths (a module field must be an integer).
    pub rope_theta_milli: usize,
}

impl Model {
    /// A model with weights drawn from `seed` (see [`ModelConfig::init`]).
    pub fn new(config: &ModelConfig, device: &Device, seed: u64) -> Self {
        let mut init = WeightInit::new(seed, config.init_std, config.init_cutoff);
        let mut embedding = EmbeddingConfig::new(config.vocab, config.d_model).init(device);
        embedding.weight = init.matrix(config.vocab, config.d_model, device);
        let blocks = (0..config.n_layers).map(|_| Block::new(config, &mut init, device)).collect();
        Self {
            embedding,
            blocks,
            ln_f: norm(config.d_model, config.norm_eps, device),
            lm_head: linear(config.d_model, config.vocab, &mut init, device),
            n_heads: config.n_heads,
            rope_theta_milli: (config.rope_theta * 1000.0).round() as usize,
        }
    }

    /// Logits `[batch, len, vocab]` for tokens `[batch, len]` at positions `0..len`.
    pub fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        self.forward_from(tokens, 0)
    }

    /// Logits for tokens at positions `start..start + len` (RoPE offset), without a cache.
    pub fn forward_from(&self, tokens: Tensor<2, Int>, start: usize) -> Tensor<3> {
        self.lm_head.forward(self.hidden_from(tokens, start))
    }

    /// The final hidden states `[batch, len, d]` (after the last norm, before the LM head) for
    /// tokens at positions `start..start + len`: apply [`Model::lm_head`] to the rows whose
    /// logits are needed.
    pub fn hidden_from(&self, tokens: Tensor<2, Int>, start: usize) -> Tensor<3> {
        let rope = self.rope(start, tokens.dims()[1], &tokens.device());
        let mut x = self.embedding.forward(tokens);
        for block in &self.blocks {
            x = block.forward(x, &rope);
        }
        self.ln_f.forward(x)
    }

    /// Run a shared prefix `[1, len]` once and keep every block's keys and values: the tokens that
    /// follow it can then be scored with [`Model::forward_cached`] without recomputing it.
    pub fn prefill(&self, prefix: Tensor<2, Int>) -> KvCache {
        self.extend(None, prefix)
    }

    /// The cache of `cache`'s prefix followed by `tokens` `[1, len]` (a fresh prefix without
    /// `cache`): only the new tokens are run.
    pub fn extend(&self, cache: Option<&KvCache>, tokens: Tensor<2, Int>) -> KvCache {
        let [one, t] = tokens.dims();
        assert_eq!(one, 1, "a prefix is one sequence");
        let start = cache.map_or(0, |c| c.len);
        let rope = self.rope(start, t, &tokens.device());
        let mut x = self.embedding.forward(tokens);
        let mut layers = Vec::with_capacity(self.blocks.len());
        for (i, block) in self.blocks.iter().enumerate() {
            let past = cache.map(|c| &c.layers[i]);
            let (next, kv) = block.forward_kv(x, &rope, past);
            x = next;
            layers.push(match past {
                Some(p) => LayerKv { k: Tensor::cat(vec![p.k.clone(), kv.k], 2), v: Tensor::cat(vec![p.v.clone(), kv.v], 2) },
                None => kv,
            });
        }
        KvCache { layers, len: start + t }
    }

    /// Logits `[batch, len, vocab]` for tokens `[batch, len]` that continue the cached prefix
    /// (positions `cache.len..cache.len + len`); every row sees the same prefix. Equal to the
    /// matching rows of [`Model::forward`] on prefix + tokens, up to float rounding.
    pub fn forward_cached(&self, cache: &KvCache, tokens: Tensor<2, Int>) -> Tensor<3> {
        self.lm_head.forward(self.hidden_cached(cache, tokens))
    }

    /// The final hidden states of [`Model::forward_cached`], before the LM head.
    pub fn hidden_cached(&self, cache: &KvCache, tokens: Tensor<2, Int>) -> Tensor<3> {
        let rope = self.rope(cache.len, tokens.dims()[1], &tokens.device());
        let mut x = self.embedding.forward(tokens);
        for (block, past) in self.blocks.iter().zip(&cache.layers) {
            x = block.forward_kv(x, &rope, Some(past)).0;
        }
        self.ln_f.forward(x)
    }

    fn rope(&self, start: usize, len: usize, device: &Device) -> RopeTables {
        let d = self.embedding.weight.dims()[1];
        RopeTables::new(d / self.n_heads, self.rope_theta_milli as f64 / 1000.0, start, len, device)
    }

    /// N as the fits count it: every parameter but the input embedding.
    pub fn non_embedding_params(&self) -> usize {
        self.num_params() - self.embedding.weight.val().shape().num_elements()
    }
}
