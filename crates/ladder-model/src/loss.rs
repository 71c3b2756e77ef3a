//! Next-token cross-entropy and the z-loss of §2.5–2.6.

use burn::prelude::*;

use crate::Model;

/// The z-loss coefficient the paper's trainer actually applied (§2.6: 1e-4, not the config's 1e-5).
pub const Z_LOSS: f64 = 1e-4;

/// Losses of one batch, each the mean over all predicted positions.
#[derive(Debug, Clone)]
pub struct LmLoss {
    /// Cross-entropy in nats per token.
    pub ce: Tensor<1>,
    /// Mean of logsumexp² over positions (multiply by [`Z_LOSS`] for the training term).
    pub z: Tensor<1>,
}

impl LmLoss {
    /// The training objective: CE + z_coef · z.
    pub fn objective(&self, z_coef: f64) -> Tensor<1> {
        self.ce.clone() + self.z.clone().mul_scalar(z_coef)
    }
}

impl Model {
    /// Losses of windows `[batch, len + 1]`: predict tokens 1..=len from 0..len.
    pub fn lm_loss(&self, windows: Tensor<2, Int>) -> LmLoss {
        let [b, w] = windows.dims();
        let inputs = windows.clone().slice(s![.., 0..w - 1]);
        let targets = windows.slice(s![.., 1..w]);
        let logits = self.forward(inputs);
        let vocab = logits.dims()[2];
        let logits = logits.reshape([b * (w - 1), vocab]);
        let max = logits.clone().max_dim(1).detach();
        let lse = (logits.clone() - max.clone()).exp().sum_dim(1).log() + max;
        let gold = logits.gather(1, targets.reshape([b * (w - 1), 1]));
        let ce = (lse.clone() - gold).mean();
        let z = lse.powi_scalar(2).mean();
        LmLoss { ce, z }
    }
}
