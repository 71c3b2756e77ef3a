//! A small deterministic random number generator (SplitMix64), so that every bootstrap draw is
//! reproducible from (seed, draw index) whatever the thread schedule.

/// SplitMix64.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for one stream, e.g. (seed, draw index).
    pub(crate) fn new(seed: u64, stream: u64) -> SplitMix64 {
        let mut g = SplitMix64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        g.next_u64();
        g
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in 0..n (multiply-shift; bias below 2^-32 for the n used here).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 32) * n as u64 >> 32) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_cover_the_range() {
        let a: Vec<usize> = (0..1000).map({
            let mut g = SplitMix64::new(7, 3);
            move |_| g.below(16)
        }).collect();
        let b: Vec<usize> = (0..1000).map({
            let mut g = SplitMix64::new(7, 3);
            move |_| g.below(16)
        }).collect();
        assert_eq!(a, b);
        assert!((0..16).all(|k| a.contains(&k)));
        assert!(a.iter().all(|&k| k < 16));
    }
}
