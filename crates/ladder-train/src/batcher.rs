//! Training windows batched by burn's data loader: one batch per optimizer step.

use std::sync::Arc;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataloader::{DataLoader, DataLoaderBuilder};
use burn::prelude::*;
use ladder_data::PackedWindows;

/// Stacks windows of token ids into a `[batch, seq_len]` tensor of ids.
#[derive(Debug, Clone, Copy)]
pub struct WindowBatcher;

impl Batcher<Vec<u32>, Tensor<2, Int>> for WindowBatcher {
    fn batch(&self, windows: Vec<Vec<u32>>, device: &Device) -> Tensor<2, Int> {
        let (rows, len) = (windows.len(), windows.first().map_or(0, Vec::len));
        let ids: Vec<i64> = windows.into_iter().flatten().map(i64::from).collect();
        Tensor::from_data(TensorData::new(ids, [rows, len]), device)
    }
}

impl WindowBatcher {
    /// A loader over the training windows in their seeded order (no shuffling, no workers):
    /// batch `s` is training step `s + 1`.
    pub fn loader(windows: Arc<PackedWindows>, batch: usize, device: &Device) -> Arc<dyn DataLoader<Tensor<2, Int>>> {
        DataLoaderBuilder::new(WindowBatcher).batch_size(batch).set_device(device.clone()).build(windows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ladder_data::{ByteTokenizer, Corpus};

    #[test]
    fn the_loaders_batches_are_the_steps_windows_also_from_a_resumed_step() {
        let docs: Vec<String> = (0..200).map(|i| format!("document {i} with some words in it")).collect();
        let corpus = Corpus { documents: docs };
        let windows = Arc::new(PackedWindows::new(&corpus, &ByteTokenizer, 16, 6198, 4).unwrap());
        let device = Device::flex();
        let ids = |t: Tensor<2, Int>| t.into_data().convert::<i64>().try_to_vec::<i64>().unwrap();
        let direct = |step: u64| windows.batch(step, 3).unwrap().into_iter().map(i64::from).collect::<Vec<_>>();
        let loader = WindowBatcher::loader(windows.clone(), 3, &device);
        let all: Vec<Vec<i64>> = loader.iter().take(5).map(|b| ids(b.unwrap())).collect();
        assert_eq!(all, (0..5).map(direct).collect::<Vec<_>>());
        let resumed: Vec<Vec<i64>> = loader.slice(2 * 3, 5 * 3).iter().map(|b| ids(b.unwrap())).collect();
        assert_eq!(resumed, (2..5).map(direct).collect::<Vec<_>>());
        assert_ne!(resumed[0], all[0]);
    }

    /// `cargo test --release -p ladder-train --lib bench_loader -- --ignored --nocapture`: the
    /// loader against slicing the windows by hand, both building the same id tensors.
    #[test]
    #[ignore]
    fn bench_loader_against_direct_batches() {
        let docs: Vec<String> = (0..40_000).map(|i| format!("document {i}: {}", "some words of text ".repeat(1 + i % 30))).collect();
        let windows = Arc::new(PackedWindows::new(&Corpus { documents: docs }, &ByteTokenizer, 512, 6198, 16).unwrap());
        let (batch, device) = (16, Device::flex());
        let steps = windows.max_steps(batch);
        let time = |f: &dyn Fn() -> usize| {
            let start = std::time::Instant::now();
            let n = f();
            (start.elapsed().as_secs_f64(), n)
        };
        let direct = || {
            (0..steps)
                .map(|s| {
                    let ids: Vec<i64> = windows.batch(s, batch).unwrap().into_iter().map(i64::from).collect();
                    Tensor::<2, Int>::from_data(TensorData::new(ids, [batch, 512]), &device).dims()[0]
                })
                .sum()
        };
        let loader = WindowBatcher::loader(windows.clone(), batch, &device).slice(0, steps as usize * batch);
        let through_loader = || loader.iter().map(|b| b.unwrap().dims()[0]).sum();
        for round in 0..2 {
            let (t_direct, n_direct) = time(&direct);
            let (t_loader, n_loader) = time(&through_loader);
            assert_eq!(n_direct, n_loader);
            println!(
                "round {round}: {steps} batches of {batch} x 512: direct {:.1} us/batch, loader {:.1} us/batch, ratio {:.2}",
                1e6 * t_direct / steps as f64,
                1e6 * t_loader / steps as f64,
                t_loader / t_direct
            );
        }
    }
}
