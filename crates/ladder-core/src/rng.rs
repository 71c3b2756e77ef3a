//! A small deterministic random number generator (SplitMix64). Every random choice of the
//! toolkit (bootstrap draws, weight init, data order) comes from a (seed, stream) pair, so it is
//! reproducible whatever the thread schedule or the backend.

/// SplitMix64.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for one stream, e.g. (seed, draw index).
    pub fn new(seed: u64, stream: u64) -> SplitMix64 {
        let mut g = SplitMix64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        g.next_u64();
        g
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in 0..n (multiply-shift; bias below 2^-32 for the n used here).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box–Muller; one value per call).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.next_f64(); // in (0, 1]
        let v = self.next_f64();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Normal with standard deviation `std`, truncated to ±`cutoff`·std by resampling (the
    /// distribution of PyTorch's `trunc_normal_`).
    pub fn truncated_normal(&mut self, std: f64, cutoff: f64) -> f64 {
        loop {
            let z = self.normal();
            if z.abs() <= cutoff {
                return z * std;
            }
        }
    }

    /// A uniformly random permutation of 0..n (Fisher–Yates).
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = ((self.next_u64() as u128 * (i as u128 + 1)) >> 64) as usize;
            order.swap(i, j);
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_cover_the_range() {
        let a: Vec<usize> = (0..1000)
            .map({
                let mut g = SplitMix64::new(7, 3);
                move |_| g.below(16)
            })
            .collect();
        let b: Vec<usize> = (0..1000)
            .map({
                let mut g = SplitMix64::new(7, 3);
                move |_| g.below(16)
            })
            .collect();
        assert_eq!(a, b);
        assert!((0..16).all(|k| a.contains(&k)));
        assert!(a.iter().all(|&k| k < 16));
    }

    #[test]
    fn truncated_normal_has_the_right_spread_and_no_tails() {
        let mut g = SplitMix64::new(1, 0);
        let xs: Vec<f64> = (0..20_000).map(|_| g.truncated_normal(0.02, 3.0)).collect();
        assert!(xs.iter().all(|x| x.abs() <= 0.06));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
        // A ±3σ truncation shrinks the SD by 1.3 %.
        assert!(mean.abs() < 5e-4 && (sd / 0.02 - 0.987).abs() < 0.02, "{mean} {sd}");
    }

    #[test]
    fn permutations_are_permutations() {
        let p = SplitMix64::new(3, 1).permutation(1000);
        let mut sorted = p.clone();
        sorted.sort();
        assert_eq!(sorted, (0..1000).collect::<Vec<_>>());
        assert_ne!(p, sorted);
    }
}
