//! One OLMo-2 block: `h = x + norm(attn(x)); out = h + norm(mlp(h))` (reordered norms), with
//! QK-norm over the full width, RoPE and a SwiGLU MLP. No biases.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig, RmsNorm, RmsNormConfig};
use burn::prelude::*;
use burn::tensor::activation::silu;
use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;

use crate::cache::LayerKv;
use crate::init::WeightInit;
use crate::rope::RopeTables;
use crate::ModelConfig;

/// A decoder block.
#[derive(Module, Debug)]
pub struct Block {
    /// Fused QKV projection d → 3d.
    pub att_proj: Linear,
    /// Attention output projection d → d.
    pub attn_out: Linear,
    /// QK-norm of the full-width query.
    pub q_norm: RmsNorm,
    /// QK-norm of the full-width key.
    pub k_norm: RmsNorm,
    /// Norm of the attention output, before the residual add.
    pub attn_norm: RmsNorm,
    /// SwiGLU input d → 2·inner: [value | gate].
    pub ff_proj: Linear,
    /// SwiGLU output inner → d.
    pub ff_out: Linear,
    /// Norm of the MLP output, before the residual add.
    pub ff_norm: RmsNorm,
    /// Number of heads.
    pub n_heads: usize,
}

/// A bias-free linear layer with truncated-normal weights.
pub(crate) fn linear(d_in: usize, d_out: usize, init: &mut WeightInit, device: &Device) -> Linear {
    let mut layer = LinearConfig::new(d_in, d_out).with_bias(false).init(device);
    layer.weight = init.matrix(d_in, d_out, device);
    layer
}

/// An RMSNorm with gain 1.
pub(crate) fn norm(d: usize, eps: f64, device: &Device) -> RmsNorm {
    RmsNormConfig::new(d).with_epsilon(eps).init(device)
}

impl Block {
    /// A block with fresh weights.
    pub fn new(config: &ModelConfig, init: &mut WeightInit, device: &Device) -> Self {
        let (d, inner, eps) = (config.d_model, config.mlp_inner, config.norm_eps);
        Self {
            att_proj: linear(d, 3 * d, init, device),
            attn_out: linear(d, d, init, device),
            q_norm: norm(d, eps, device),
            k_norm: norm(d, eps, device),
            attn_norm: norm(d, eps, device),
            ff_proj: linear(d, 2 * inner, init, device),
            ff_out: linear(inner, d, init, device),
            ff_norm: norm(d, eps, device),
            n_heads: config.n_heads,
        }
    }

    /// `x`: `[batch, len, d]` → same shape; causal attention over the window.
    pub fn forward(&self, x: Tensor<3>, rope: &RopeTables) -> Tensor<3> {
        self.forward_kv(x, rope, None).0
    }

    /// Like [`Block::forward`] after the cached keys and values of `past` earlier positions
    /// (`rope` must start where `past` ends); also returns this call's keys and values (after
    /// RoPE), which extend the cache.
    pub fn forward_kv(&self, x: Tensor<3>, rope: &RopeTables, past: Option<&LayerKv>) -> (Tensor<3>, LayerKv) {
        let [b, t, d] = x.dims();
        let (h, hd) = (self.n_heads, d / self.n_heads);
        let qkv = self.att_proj.forward(x.clone());
        let mut parts = qkv.chunk(3, 2).into_iter();
        let (q, k, v) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let (q, k) = (self.q_norm.forward(q), self.k_norm.forward(k));
        let heads = |z: Tensor<3>| z.reshape([b, t, h, hd]).swap_dims(1, 2);
        let (q, k, v) = (rope.apply(heads(q)), rope.apply(heads(k)), heads(v));
        let own = LayerKv { k: k.clone(), v: v.clone() };
        let (k, v) = match past {
            Some(past) => {
                let p = past.k.dims()[2];
                let grow = |z: &Tensor<4>| z.clone().expand([b, h, p, hd]);
                (Tensor::cat(vec![grow(&past.k), k], 2), Tensor::cat(vec![grow(&past.v), v], 2))
            }
            None => (k, v),
        };
        // Causal with the boundary at the bottom-right corner: query i (position past + i)
        // sees keys 0..=past + i.
        let options = AttentionModuleOptions { scale: None, softcap: None, is_causal: true };
        let attended = attention(q, k, v, None, None, options).swap_dims(1, 2).reshape([b, t, d]);
        let x = x + self.attn_norm.forward(self.attn_out.forward(attended));
        let mut halves = self.ff_proj.forward(x.clone()).chunk(2, 2).into_iter();
        let (value, gate) = (halves.next().unwrap(), halves.next().unwrap());
        (x.clone() + self.ff_norm.forward(self.ff_out.forward(silu(gate) * value)), own)
    }
}
