//! The ladder's rules, as functions of N: batch size, peak learning rate, warmup, token budget.

use crate::ScheduleError;
use serde::{Deserialize, Serialize};

/// The rules that turn a model size N and a multiplier m into a run (`ladder-recipe.md` §2,
/// §10.2). Build with [`LadderRules::paper`] or [`LadderRules::micro`], adjust with the `with_*`
/// methods, and [`validate`](LadderRules::validate) before use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LadderRules {
    /// Sequence length L of every training window.
    pub seq_len: usize,
    /// Tokens per batch at the reference size: tokens/step = this · (N / n_ref)^(2/3).
    pub batch_tokens_at_ref: f64,
    /// Reference size of the batch and LR rules (1.08e8).
    pub n_ref: f64,
    /// Batch sizes (in sequences) are rounded to a multiple of this (paper: 64; micro: 1).
    pub batch_divisor: usize,
    /// Peak LR at the reference size: peak = this · (N / n_ref)^(-1/3).
    pub lr_at_ref: f64,
    /// One constant factor on every rung's peak LR (1 keeps the rule; §10.6 allows one factor).
    pub lr_multiplier: f64,
    /// Tokens per parameter at 1xC (20).
    pub tokens_per_param: f64,
    /// Steps trained after `max_steps` at the floor LR (the OLMo trainer's +10; micro default 0).
    pub extra_steps: u64,
    /// Floor of the cosine as a fraction of the peak (0.1).
    pub floor_fraction: f64,
}

impl LadderRules {
    /// The rules the paper's runs followed: L = 4096, divisor 64, +10 extra steps.
    pub fn paper() -> Self {
        Self {
            seq_len: 4096,
            batch_tokens_at_ref: 327_680.0,
            n_ref: 1.08e8,
            batch_divisor: 64,
            lr_at_ref: 0.001175,
            lr_multiplier: 1.0,
            tokens_per_param: 20.0,
            extra_steps: 10,
            floor_fraction: 0.1,
        }
    }

    /// The same rules in form at micro scale (§10.2): L = 512, whole sequences, no extra steps.
    pub fn micro() -> Self {
        Self { seq_len: 512, batch_divisor: 1, extra_steps: 0, ..Self::paper() }
    }

    /// Another sequence length.
    pub fn with_seq_len(mut self, seq_len: usize) -> Self {
        self.seq_len = seq_len;
        self
    }

    /// Another constant LR factor for every rung.
    pub fn with_lr_multiplier(mut self, factor: f64) -> Self {
        self.lr_multiplier = factor;
        self
    }

    /// Another number of extra steps at the floor LR.
    pub fn with_extra_steps(mut self, steps: u64) -> Self {
        self.extra_steps = steps;
        self
    }

    /// The rules themselves if every quantity is usable, else the first that is not.
    pub fn validate(self) -> Result<Self, ScheduleError> {
        let checks: [(&'static str, f64); 7] = [
            ("seq_len", self.seq_len as f64),
            ("batch_tokens_at_ref", self.batch_tokens_at_ref),
            ("n_ref", self.n_ref),
            ("batch_divisor", self.batch_divisor as f64),
            ("lr_at_ref", self.lr_at_ref),
            ("lr_multiplier", self.lr_multiplier),
            ("tokens_per_param", self.tokens_per_param),
        ];
        for (what, value) in checks {
            if !(value.is_finite() && value > 0.0) {
                return Err(ScheduleError::NotPositive { what, value });
            }
        }
        if !(self.floor_fraction.is_finite() && (0.0..=1.0).contains(&self.floor_fraction)) {
            return Err(ScheduleError::NotPositive { what: "floor_fraction (in [0, 1])", value: self.floor_fraction });
        }
        Ok(self)
    }

    /// Batch size in sequences: round(tokens/step / (L · divisor)) · divisor (§2.2).
    pub fn batch_seqs(&self, rung: &str, n: u64) -> Result<usize, ScheduleError> {
        let tokens = self.batch_tokens_at_ref * (n as f64 / self.n_ref).powf(2.0 / 3.0);
        let div = self.batch_divisor as f64;
        let batch = (tokens / (self.seq_len as f64 * div)).round() as usize * self.batch_divisor;
        if batch == 0 {
            return Err(ScheduleError::ZeroBatch { rung: rung.to_string(), n, seq_len: self.seq_len });
        }
        Ok(batch)
    }

    /// Peak learning rate: lr_at_ref · (N / n_ref)^(-1/3), times the constant factor (§2.3).
    pub fn peak_lr(&self, n: u64) -> f64 {
        self.lr_multiplier * self.lr_at_ref * (n as f64 / self.n_ref).powf(-1.0 / 3.0)
    }

    /// Warmup steps: round(N / tokens per step), about N tokens (§2.3).
    pub fn warmup_steps(&self, n: u64, batch_seqs: usize) -> u64 {
        (n as f64 / (batch_seqs * self.seq_len) as f64).round() as u64
    }

    /// Token budget D = tokens_per_param · m · N (§2.1).
    pub fn target_tokens(&self, n: u64, multiplier: f64) -> f64 {
        self.tokens_per_param * multiplier * n as f64
    }

    /// Steps of the LR schedule: ceil(D / tokens per step).
    pub fn max_steps(&self, n: u64, multiplier: f64, batch_seqs: usize) -> u64 {
        (self.target_tokens(n, multiplier) / (batch_seqs * self.seq_len) as f64).ceil() as u64
    }
}

/// Changes to a ladder's rules that a command line or an experiment file asks for: another
/// sequence length, one factor on every peak LR (§10.6). The rules keep their form.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RuleChanges {
    /// Another training sequence length.
    pub seq_len: Option<usize>,
    /// One constant factor on every rung's peak LR.
    pub lr_multiplier: Option<f64>,
}

impl RuleChanges {
    /// `rules` with these changes.
    pub fn apply(&self, mut rules: LadderRules) -> LadderRules {
        if let Some(seq_len) = self.seq_len {
            rules = rules.with_seq_len(seq_len);
        }
        if let Some(factor) = self.lr_multiplier {
            rules = rules.with_lr_multiplier(factor);
        }
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_rules_are_named() {
        let err = LadderRules::micro().with_seq_len(0).validate().unwrap_err();
        assert!(err.to_string().contains("seq_len"), "{err}");
        let err = LadderRules::micro().with_lr_multiplier(f64::NAN).validate().unwrap_err();
        assert!(err.to_string().contains("lr_multiplier"), "{err}");
    }

    #[test]
    fn a_tiny_model_with_long_windows_gets_a_clear_zero_batch_error() {
        let err = LadderRules::paper().batch_seqs("tiny", 10_000).unwrap_err();
        assert!(matches!(err, ScheduleError::ZeroBatch { .. }), "{err}");
    }
}
