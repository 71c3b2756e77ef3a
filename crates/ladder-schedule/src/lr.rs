//! The learning-rate schedule: linear warmup from 0, cosine to a floor, then the floor.

use serde::{Deserialize, Serialize};

/// Linear warmup then cosine decay to `floor_fraction · peak` at `max_steps` (§2.3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LrSchedule {
    /// Peak learning rate.
    pub peak: f64,
    /// Warmup steps W.
    pub warmup: u64,
    /// Step at which the cosine reaches its floor.
    pub max_steps: u64,
    /// Floor as a fraction of the peak.
    pub floor_fraction: f64,
}

impl LrSchedule {
    /// The LR applied by the update that ends (1-indexed) step `step`.
    pub fn lr(&self, step: u64) -> f64 {
        let floor = self.floor_fraction * self.peak;
        if step < self.warmup {
            self.peak * step as f64 / self.warmup as f64
        } else if step < self.max_steps {
            let progress = (step - self.warmup) as f64 / (self.max_steps - self.warmup) as f64;
            floor + (self.peak - floor) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
        } else {
            floor
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §9 of the recipe: 190M-1xC has LR 5.3594e-4 at step 200 and 9.7273e-5 at the end.
    #[test]
    fn paper_values_of_190m_1xc() {
        let schedule = LrSchedule { peak: 9.7273e-4, warmup: 363, max_steps: 7262, floor_fraction: 0.1 };
        assert!((schedule.lr(200) - 5.3594e-4).abs() < 5e-9);
        assert!((schedule.lr(7272) - 9.7273e-5).abs() < 1e-12);
        assert_eq!(schedule.lr(363), 9.7273e-4);
        assert!(schedule.lr(1) > 0.0 && schedule.lr(1) < schedule.lr(2));
        // Monotone decay after the warmup.
        assert!((364..7262).all(|s| schedule.lr(s + 1) <= schedule.lr(s)));
    }

    #[test]
    fn no_warmup_and_short_runs_stay_finite() {
        let schedule = LrSchedule { peak: 1e-3, warmup: 0, max_steps: 0, floor_fraction: 0.1 };
        assert_eq!(schedule.lr(0), 1e-4);
        let schedule = LrSchedule { peak: 1e-3, warmup: 5, max_steps: 5, floor_fraction: 0.1 };
        assert!((0..10).all(|s| schedule.lr(s).is_finite()));
    }
}
