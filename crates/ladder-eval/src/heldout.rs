//! The held-out LM loss: mean next-token cross-entropy over the validation windows, overall and
//! per source (the OLMo runs' `eval/<source>-validation/CrossEntropyLoss`).

use burn::prelude::*;
use ladder_data::PackedWindows;
use ladder_model::Model;

/// Mean cross-entropy (nats/token) of equal-length windows, `batch` windows per forward pass.
pub fn windows_loss(model: &Model, windows: &[&[u32]], batch: usize, device: &Device) -> f64 {
    let (mut sum, mut count) = (0.0, 0usize);
    for chunk in windows.chunks(batch.max(1)) {
        let len = chunk[0].len();
        let ids: Vec<i64> = chunk.iter().flat_map(|w| w.iter().map(|&t| i64::from(t))).collect();
        let tensor = Tensor::<2, Int>::from_data(TensorData::new(ids, [chunk.len(), len]), device);
        sum += model.lm_loss(tensor).ce.into_scalar::<f32>() as f64 * chunk.len() as f64;
        count += chunk.len();
    }
    sum / count.max(1) as f64
}

/// One source's held-out loss.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceLoss {
    /// Source name (`corpus` for plain files).
    pub source: String,
    /// Mean cross-entropy, nats/token.
    pub loss: f64,
    /// Held-out windows it is the mean over.
    pub windows: usize,
}

/// The loss of each source's held-out windows, in source order.
pub fn validation_loss_by_source(model: &Model, data: &PackedWindows, batch: usize, device: &Device) -> Vec<SourceLoss> {
    data.validation_by_source()
        .into_iter()
        .map(|(name, windows)| SourceLoss {
            source: name.to_string(),
            loss: windows_loss(model, &windows, batch, device),
            windows: windows.len(),
        })
        .collect()
}

/// The loss over all sources' windows together (the window-weighted mean).
pub fn overall(losses: &[SourceLoss]) -> f64 {
    let windows: usize = losses.iter().map(|l| l.windows).sum();
    losses.iter().map(|l| l.loss * l.windows as f64).sum::<f64>() / windows.max(1) as f64
}
