//! When a run evaluates (and saves a checkpoint): every k steps and at the last step.

use serde::{Deserialize, Serialize};

/// Evaluations per run of the micro ladder, unless told otherwise (§10.5: 24–36).
pub const MICRO_EVALS: u64 = 30;

/// The evaluation cadence of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvalCadence {
    /// Every this many steps (the paper: 50–1000 by multiplier, §3).
    Every(u64),
    /// About this many evaluations spread over the run (the micro ladder: 24–36, §10.5).
    Count(u64),
}

impl EvalCadence {
    /// The paper's interval for a multiplier (§3): 0.5xC 50, 1xC and 2xC 200, 5xC 500, 10xC 1000.
    pub fn paper(multiplier: f64) -> Self {
        EvalCadence::Every(match multiplier {
            m if m <= 0.5 => 50,
            m if m <= 2.0 => 200,
            m if m <= 5.0 => 500,
            _ => 1000,
        })
    }

    /// The interval in steps for a run of `total_steps` (at least 1).
    pub fn interval(&self, total_steps: u64) -> u64 {
        match *self {
            EvalCadence::Every(k) => k.max(1),
            EvalCadence::Count(n) => (total_steps / n.max(1)).max(1),
        }
    }

    /// The evaluation steps of a run: multiples of the interval, and the last step.
    pub fn steps(&self, total_steps: u64) -> Vec<u64> {
        let k = self.interval(total_steps);
        let mut steps: Vec<u64> = (1..=total_steps / k).map(|i| i * k).collect();
        if total_steps > 0 && steps.last() != Some(&total_steps) {
            steps.push(total_steps);
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §3: row counts of the paper CSVs for 190M (1xC 37 rows, 2xC/5xC/10xC 73). The 0.5xC CSV
    /// has 72 rows because the eval at step 2100 was not logged; the cadence has 73.
    #[test]
    fn paper_row_counts_of_190m() {
        let steps = EvalCadence::paper(0.5).steps(3641);
        assert_eq!((steps.len(), steps[41], steps[72]), (73, 2100, 3641));
        assert_eq!(EvalCadence::paper(2.0).steps(14533).len(), 73);
        assert_eq!(EvalCadence::paper(5.0).steps(36318).len(), 73);
        assert_eq!(EvalCadence::paper(1.0).steps(7272).len(), 37);
        assert_eq!(EvalCadence::paper(10.0).steps(72625).len(), 73);
    }

    #[test]
    fn count_cadence_ends_at_the_last_step() {
        let steps = EvalCadence::Count(24).steps(322);
        assert_eq!(*steps.last().unwrap(), 322);
        assert!((24..=26).contains(&steps.len()), "{}", steps.len());
        assert!(EvalCadence::Count(24).steps(0).is_empty());
    }
}
