//! Rotary position embedding, "rotate-half" convention (the first half of the head dim pairs with
//! the second half), computed in f32 (§1).

use burn::prelude::*;

/// Cosine and sine tables for positions `start..start + len`, shaped `[1, 1, len, head_dim]`.
#[derive(Debug, Clone)]
pub struct RopeTables {
    cos: Tensor<4>,
    sin: Tensor<4>,
}

impl RopeTables {
    /// Tables for `len` positions from `start` with base `theta`.
    pub fn new(head_dim: usize, theta: f64, start: usize, len: usize, device: &Device) -> Self {
        let half = head_dim / 2;
        let mut cos = Vec::with_capacity(len * head_dim);
        let mut sin = Vec::with_capacity(len * head_dim);
        for pos in start..start + len {
            for i in 0..head_dim {
                let freq = theta.powf(-2.0 * (i % half) as f64 / head_dim as f64);
                let angle = pos as f64 * freq;
                cos.push(angle.cos() as f32);
                sin.push(angle.sin() as f32);
            }
        }
        let table = |v: Vec<f32>| Tensor::<2>::from_data(TensorData::new(v, [len, head_dim]), device).reshape([1, 1, len, head_dim]);
        Self { cos: table(cos), sin: table(sin) }
    }

    /// Rotate `x` (`[batch, heads, len, head_dim]`): x·cos + rotate_half(x)·sin.
    pub fn apply(&self, x: Tensor<4>) -> Tensor<4> {
        let hd = x.dims()[3];
        let half = hd / 2;
        let x1 = x.clone().slice(s![.., .., .., 0..half]);
        let x2 = x.clone().slice(s![.., .., .., half..hd]);
        let rotated = Tensor::cat(vec![x2.neg(), x1], 3);
        x * self.cos.clone() + rotated * self.sin.clone()
    }
}
