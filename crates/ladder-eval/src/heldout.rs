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

/// The loss over every held-out window (windows are equal-length, so this is the token mean).
pub fn validation_loss(model: &Model, data: &PackedWindows, batch: usize, device: &Device) -> f64 {
    windows_loss(model, &data.validation().collect::<Vec<_>>(), batch, device)
}

/// The loss of each source's held-out windows: (source, loss), in source order.
pub fn validation_loss_by_source(model: &Model, data: &PackedWindows, batch: usize, device: &Device) -> Vec<(String, f64)> {
    data.validation_by_source().into_iter().map(|(name, windows)| (name.to_string(), windows_loss(model, &windows, batch, device))).collect()
}
