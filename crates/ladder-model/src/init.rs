//! The truncated-normal init of §1, drawn on the host so that a seed means the same weights on
//! every backend.

use burn::module::Param;
use burn::prelude::*;
use ladder_core::rng::SplitMix64;

/// Draws weights for one model: every call takes the next stream of the seed.
#[derive(Debug)]
pub struct WeightInit {
    seed: u64,
    stream: u64,
    std: f64,
    cutoff: f64,
}

impl WeightInit {
    /// A drawer for `seed` with σ and a cutoff in σ.
    pub fn new(seed: u64, std: f64, cutoff: f64) -> Self {
        Self { seed, stream: 0, std, cutoff }
    }

    /// A `[rows, cols]` parameter from N(0, σ²) truncated at ±cutoff·σ.
    pub fn matrix(&mut self, rows: usize, cols: usize, device: &Device) -> Param<Tensor<2>> {
        self.stream += 1;
        let mut rng = SplitMix64::new(self.seed, self.stream);
        let values: Vec<f32> = (0..rows * cols).map(|_| rng.truncated_normal(self.std, self.cutoff) as f32).collect();
        Param::from_tensor(Tensor::from_data(TensorData::new(values, [rows, cols]), device))
    }
}
