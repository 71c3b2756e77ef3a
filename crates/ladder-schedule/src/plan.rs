//! A ladder resolved into runs: every number a run needs before it starts.

use crate::cadence::MICRO_EVALS;
use crate::sizes::{micro_sizes, paper_sizes, size, Size};
use crate::{EvalCadence, LadderRules, LrSchedule, ModelShape, RuleChanges, ScheduleError};
use serde::{Deserialize, Serialize};

/// The seed of every paper ladder run (§2.8).
pub const PAPER_SEED: u64 = 6198;

/// One run of a ladder, fully resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPlan {
    /// Run id as in the paper's file names: `190M-1xC`, `u100k-1xC-rerun`.
    pub id: String,
    /// The rung's name.
    pub rung: String,
    /// Token-budget multiplier m (xC).
    pub multiplier: f64,
    /// Seed of init and data order.
    pub seed: u64,
    /// Model dimensions.
    pub shape: ModelShape,
    /// N (non-embedding parameters).
    pub n: u64,
    /// Batch size in sequences.
    pub batch_seqs: usize,
    /// Tokens per optimizer step (batch · L).
    pub tokens_per_step: u64,
    /// The LR schedule.
    pub lr: LrSchedule,
    /// Steps actually trained (max_steps + extra steps).
    pub total_steps: u64,
    /// The token budget 20·m·N.
    pub target_tokens: f64,
    /// Tokens consumed: total_steps · tokens per step (the D of the fits).
    pub tokens: u64,
    /// Training FLOPs per token (§7).
    pub flops_per_token: u64,
    /// Training compute C = FLOPs per token · D.
    pub flops: f64,
    /// Steps at which the run evaluates and saves a checkpoint.
    pub eval_steps: Vec<u64>,
}

impl RunPlan {
    /// Resolve a rung at a multiplier under the rules.
    pub fn new(size: &Size, multiplier: f64, rules: &LadderRules, seed: u64, cadence: EvalCadence) -> Result<Self, ScheduleError> {
        if !(multiplier.is_finite() && multiplier > 0.0) {
            return Err(ScheduleError::NotPositive { what: "multiplier", value: multiplier });
        }
        let shape = ModelShape { seq_len: rules.seq_len, ..size.shape.clone() }.validated()?;
        let n = shape.non_embedding_params();
        let batch_seqs = rules.batch_seqs(size.name, n)?;
        let tokens_per_step = (batch_seqs * rules.seq_len) as u64;
        let max_steps = rules.max_steps(n, multiplier, batch_seqs);
        let lr = LrSchedule {
            peak: rules.peak_lr(n),
            warmup: rules.warmup_steps(n, batch_seqs),
            max_steps,
            floor_fraction: rules.floor_fraction,
        };
        let total_steps = max_steps + rules.extra_steps;
        let tokens = total_steps * tokens_per_step;
        let flops_per_token = shape.flops_per_token();
        Ok(Self {
            id: format!("{}-{}xC", size.name, format_multiplier(multiplier)),
            rung: size.name.to_string(),
            multiplier,
            seed,
            shape,
            n,
            batch_seqs,
            tokens_per_step,
            lr,
            total_steps,
            target_tokens: rules.target_tokens(n, multiplier),
            tokens,
            flops_per_token,
            flops: flops_per_token as f64 * tokens as f64,
            eval_steps: cadence.steps(total_steps),
        })
    }

    /// The run of the rung named `name` at `multiplier`: its ladder's rules with `changes`,
    /// `evals` evaluations spread over it (none: its ladder's cadence), weights seeded by `seed`.
    pub fn of_rung(name: &str, multiplier: f64, changes: RuleChanges, seed: u64, evals: Option<u64>) -> Result<Self, ScheduleError> {
        let size = size(name)?;
        let kind = LadderKind::of(&size);
        let rules = changes.apply(kind.rules()).validate()?;
        let cadence = evals.map_or_else(|| kind.cadence(multiplier), EvalCadence::Count);
        RunPlan::new(&size, multiplier, &rules, seed, cadence)
    }

    /// The same run relaunched with another seed, named `<id>-rerun`.
    pub fn rerun(mut self, seed: u64) -> Self {
        self.id.push_str("-rerun");
        self.seed = seed;
        self
    }
}

/// `1`, `0.5`, `10`: a multiplier as the paper writes it in run ids.
pub fn format_multiplier(m: f64) -> String {
    if m.fract() == 0.0 {
        format!("{m:.0}")
    } else {
        format!("{m}")
    }
}

/// Which ladder to plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LadderKind {
    /// The paper's: 190M, 370M, 760M, 1.3B × {0.5, 1, 2, 5, 10}xC, L = 4096.
    Paper,
    /// The CPU micro ladder's tier A (§10.4): u100k, u200k, u400k × {0.5, 1, 2, 5, 10}xC and a
    /// 1xC rerun of each with another seed.
    Micro,
}

impl std::str::FromStr for LadderKind {
    type Err = ScheduleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "paper" => Ok(LadderKind::Paper),
            "micro" => Ok(LadderKind::Micro),
            other => Err(ScheduleError::UnknownLadder(other.to_string())),
        }
    }
}

impl LadderKind {
    /// The ladder a size belongs to: micro for the micro table, else paper.
    pub fn of(size: &Size) -> Self {
        if micro_sizes().iter().any(|s| s.name == size.name) {
            LadderKind::Micro
        } else {
            LadderKind::Paper
        }
    }

    /// How often a run of this ladder evaluates unless asked otherwise: the paper's interval
    /// for its multiplier (§3), or [`MICRO_EVALS`] evaluations spread over a micro run.
    pub fn cadence(self, multiplier: f64) -> EvalCadence {
        match self {
            LadderKind::Paper => EvalCadence::paper(multiplier),
            LadderKind::Micro => EvalCadence::Count(MICRO_EVALS),
        }
    }

    /// The default rules of this ladder.
    pub fn rules(self) -> LadderRules {
        match self {
            LadderKind::Paper => LadderRules::paper(),
            LadderKind::Micro => LadderRules::micro(),
        }
    }
}

/// The multipliers of every ladder (xC).
pub const MULTIPLIERS: [f64; 5] = [0.5, 1.0, 2.0, 5.0, 10.0];

/// A whole ladder: its rules and its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LadderPlan {
    /// Which ladder.
    pub kind: LadderKind,
    /// The rules its runs follow.
    pub rules: LadderRules,
    /// The runs, rung by rung, multipliers ascending.
    pub runs: Vec<RunPlan>,
}

impl LadderPlan {
    /// Plan a ladder with its default rules.
    pub fn new(kind: LadderKind) -> Result<Self, ScheduleError> {
        Self::with_rules(kind, kind.rules())
    }

    /// Plan a ladder under other rules (e.g. another sequence length or LR factor).
    pub fn with_rules(kind: LadderKind, rules: LadderRules) -> Result<Self, ScheduleError> {
        let rules = rules.validate()?;
        let mut runs = Vec::new();
        match kind {
            LadderKind::Paper => {
                for name in ["190M", "370M", "760M", "1B"] {
                    let size = size(name)?;
                    for m in MULTIPLIERS {
                        runs.push(RunPlan::new(&size, m, &rules, PAPER_SEED, kind.cadence(m))?);
                    }
                }
            }
            LadderKind::Micro => {
                // Tier A of §10.4.
                for name in ["u100k", "u200k", "u400k"] {
                    let size = &size(name)?;
                    for m in MULTIPLIERS {
                        runs.push(RunPlan::new(size, m, &rules, PAPER_SEED, kind.cadence(m))?);
                    }
                    runs.push(RunPlan::new(size, 1.0, &rules, PAPER_SEED, kind.cadence(1.0))?.rerun(PAPER_SEED + 1));
                }
            }
        }
        Ok(Self { kind, rules, runs })
    }

    /// Total training compute of the ladder.
    pub fn total_flops(&self) -> f64 {
        self.runs.iter().map(|r| r.flops).sum()
    }

    /// Every size either ladder knows (for listings).
    pub fn all_sizes() -> Vec<Size> {
        paper_sizes().into_iter().chain(micro_sizes()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rung_alone_takes_its_ladders_rules_and_cadence_unless_changed() {
        let none = RuleChanges::default();
        // §3: the paper evaluates 5xC runs every 500 steps; micro runs ~30 times.
        let paper = RunPlan::of_rung("190M", 5.0, none, PAPER_SEED, None).unwrap();
        assert_eq!((paper.shape.seq_len, paper.eval_steps[0]), (4096, 500));
        let micro = RunPlan::of_rung("u100k", 2.0, none, PAPER_SEED, None).unwrap();
        assert_eq!(micro.shape.seq_len, 512);
        assert!((30..=31).contains(&micro.eval_steps.len()), "{:?}", micro.eval_steps);
        assert_eq!(RunPlan::of_rung("u100k", 2.0, none, PAPER_SEED, Some(4)).unwrap().eval_steps.len(), 4);
        let changed = RuleChanges { seq_len: Some(256), lr_multiplier: Some(2.0) };
        let both = RunPlan::of_rung("u100k", 2.0, changed, PAPER_SEED, None).unwrap();
        assert_eq!(both.shape.seq_len, 256);
        let same_length = RunPlan::of_rung("u100k", 2.0, RuleChanges { seq_len: Some(256), ..none }, PAPER_SEED, None).unwrap();
        assert!((both.lr.peak / same_length.lr.peak - 2.0).abs() < 1e-12);
        assert!(RunPlan::of_rung("u3", 1.0, none, PAPER_SEED, None).unwrap_err().to_string().contains("u100k"));
    }

    /// §2.7: batch, peak LR and warmup of the paper sizes.
    #[test]
    fn batch_lr_and_warmup_equal_the_paper_runs() {
        let rules = LadderRules::paper();
        let table = [
            ("190M", 128, 524_288, 9.7273e-4, 363),
            ("370M", 192, 786_432, 7.7855e-4, 472),
            ("760M", 320, 1_310_720, 6.1364e-4, 578),
            ("1B", 384, 1_572_864, 5.1544e-4, 813),
            ("600M", 256, 1_048_576, 6.644e-4, 570),
            ("3B", 768, 3_145_728, 3.8093e-4, 1008),
        ];
        for (name, batch, tokens, lr, warmup) in table {
            let plan = RunPlan::new(&size(name).unwrap(), 1.0, &rules, PAPER_SEED, EvalCadence::paper(1.0)).unwrap();
            assert_eq!(plan.batch_seqs, batch, "{name} batch");
            assert_eq!(plan.tokens_per_step, tokens, "{name} tokens per step");
            assert!((plan.lr.peak - lr).abs() / lr < 1e-4, "{name} peak LR {} vs {lr}", plan.lr.peak);
            assert_eq!(plan.lr.warmup, warmup, "{name} warmup");
        }
    }

    /// §2.7: last step (max_steps + 10) of every paper run, and 190M-1xC's token counts.
    #[test]
    fn last_steps_equal_the_paper_csvs() {
        let plan = LadderPlan::new(LadderKind::Paper).unwrap();
        let expected: [u64; 20] = [
            3641, 7272, 14533, 36318, 72625, 4731, 9452, 18894, 47219, 94427, 5795, 11580, 23150, 57858, 115706, 8145, 16279, 32547, 81352,
            162694,
        ];
        let got: Vec<u64> = plan.runs.iter().map(|r| r.total_steps).collect();
        assert_eq!(got, expected);
        let r = plan.runs.iter().find(|r| r.id == "190M-1xC").unwrap();
        assert_eq!(r.target_tokens, 3_807_083_520.0);
        assert_eq!(r.tokens, 3_812_622_336);
        assert_eq!(*r.eval_steps.last().unwrap(), 7272);
    }

    /// §2.7: the ladder (4 sizes × 1, 2, 5, 10xC) costs 6.99e21 FLOPs.
    #[test]
    fn ladder_compute_matches_the_recipe() {
        let plan = LadderPlan::new(LadderKind::Paper).unwrap();
        let c: f64 = plan.runs.iter().filter(|r| r.multiplier >= 1.0).map(|r| r.flops).sum();
        assert!((c / 6.99e21 - 1.0).abs() < 0.005, "{c:e}");
    }

    /// §10.4: batch, LR, warmup and steps of the micro rungs.
    #[test]
    fn micro_rungs_equal_the_recipe() {
        let plan = LadderPlan::new(LadderKind::Micro).unwrap();
        let table = [
            ("u100k", 6, 1.21e-2, 32, [322u64, 644, 1288, 3218, 6436]),
            ("u200k", 10, 9.61e-3, 39, [386, 772, 1543, 3856, 7712]),
            ("u400k", 15, 7.63e-3, 51, [514, 1028, 2055, 5138, 10275]),
        ];
        for (rung, batch, lr, warmup, steps) in table {
            let runs: Vec<&RunPlan> = plan.runs.iter().filter(|r| r.rung == rung && !r.id.ends_with("rerun")).collect();
            assert_eq!(runs.iter().map(|r| r.total_steps).collect::<Vec<_>>(), steps, "{rung}");
            assert_eq!(runs[0].batch_seqs, batch, "{rung}");
            assert!((runs[0].lr.peak - lr).abs() / lr < 5e-3, "{rung} {}", runs[0].lr.peak);
            assert_eq!(runs[0].lr.warmup, warmup, "{rung}");
        }
        let rerun = plan.runs.iter().find(|r| r.id == "u100k-1xC-rerun").unwrap();
        assert_ne!(rerun.seed, PAPER_SEED);
        assert_eq!(plan.runs.len(), 18);
    }

    #[test]
    fn bad_multipliers_and_ladders_are_refused() {
        let rules = LadderRules::micro();
        assert!(RunPlan::new(&size("u100k").unwrap(), 0.0, &rules, 1, EvalCadence::Count(10)).is_err());
        assert!("giant".parse::<LadderKind>().is_err());
    }
}
